using System.Numerics;
using System.Runtime.CompilerServices;
namespace DigitRecognizer.Imaging;

/// <summary>
/// Turns a photo, scan or drawing of one digit into what an MNIST-trained model expects, the way MNIST's
/// own digits were made: ink as intensity on a dark field, cropped to the ink, the longer side scaled to
/// 20 px with anti-aliasing (aspect ratio kept), then placed in 28×28 with its centre of mass at the centre.
/// Used by <c>digits predict</c> on image files and by the web page and API, so both see the same 28×28.
/// Stateless: one instance may serve any number of threads.
/// </summary>
public sealed class MnistPreprocessor(PreprocessingOptions? options = null)
{
    /// <summary>The settings in use.</summary>
    public PreprocessingOptions Options { get; } = options ?? new PreprocessingOptions();

    /// <summary>Decodes and prepares a PNG or JPEG file.</summary>
    /// <exception cref="InvalidImageException">The file is not a readable image.</exception>
    public PreparedDigit FromFile(string path) => FromEncoded(File.ReadAllBytes(path));

    /// <summary>Decodes and prepares PNG or JPEG bytes (other formats SkiaSharp reads, such as WebP, work too).</summary>
    /// <exception cref="InvalidImageException">The bytes are not a readable image, or it is too large.</exception>
    public PreparedDigit FromEncoded(ReadOnlySpan<byte> encoded)
    {
        var (luminance, width, height) = ImageDecoder.Decode(encoded, Options);
        return FromLuminance(luminance, width, height);
    }

    /// <summary>Prepares a grayscale image given as luminance, 0 black … 1 white, row-major.</summary>
    public PreparedDigit FromLuminance(float[] luminance, int width, int height)
    {
        if (width < 1 || height < 1 || luminance.Length != width * height)
            throw new ArgumentException($"{luminance.Length} values do not make a {width}×{height} image.", nameof(luminance));

        // A sheet photographed on a desk has the desk for its border: painted the paper's tone first, as the reader of
        // numbers does, or the dark desk is taken for paper and the light sheet for ink.
        using var painted = PaperSurround.Fill(luminance, width, height, Options);
        var image = painted?.Array ?? luminance;
        // The border shows mostly paper; the ink is whichever extreme lies further from it. This reads dark pen
        // on white paper and chalk on a board alike, whatever the exposure.
        var paper = BorderMedian(image, width, height);
        var (darkest, lightest) = Extremes(image.AsSpan(0, width * height));
        var polarity = paper - darkest >= lightest - paper ? InkPolarity.DarkOnLight : InkPolarity.LightOnDark;
        var contrast = polarity == InkPolarity.DarkOnLight ? paper - darkest : lightest - paper;
        if (contrast < Options.MinimumContrast) return PreparedDigit.Empty(polarity);

        var ink = new float[width * height];
        for (var i = 0; i < ink.Length; i++)
            ink[i] = InkLevel((polarity == InkPolarity.DarkOnLight ? paper - image[i] : image[i] - paper) / contrast);
        return FromInk(ink, width, height, polarity);
    }

    private static (float Darkest, float Lightest) Extremes(ReadOnlySpan<float> values)
    {
        var (darkest, lightest) = (float.MaxValue, float.MinValue);
        foreach (var value in values) (darkest, lightest) = (Math.Min(darkest, value), Math.Max(lightest, value));
        return (darkest, lightest);
    }

    /// <summary>
    /// Ink value 0–1 of a pixel whose distance from the paper is <paramref name="strength"/> of the full contrast:
    /// what lies below the noise floor is paper, the rest is stretched back to 0–1.
    /// </summary>
    internal float InkLevel(float strength)
    {
        var floor = (float)Options.NoiseFloor;
        return Math.Clamp((strength - floor) / (1 - floor), 0f, 1f);
    }

    /// <summary>
    /// <see cref="InkLevel"/> of each of <paramref name="strengths"/> over <paramref name="contrast"/>, in place: a page's
    /// worth of pixels, so a vector at a time (the same operations in the same order, so the same floats).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void InkLevels(Span<float> strengths, float contrast)
    {
        var floor = (float)Options.NoiseFloor;
        var (vectorFloor, vectorRange, vectorContrast) = (new Vector<float>(floor), new Vector<float>(1 - floor), new Vector<float>(contrast));
        var (i, step) = (0, Vector<float>.Count);
        for (; i + step <= strengths.Length; i += step)
        {
            var level = (new Vector<float>(strengths[i..]) / vectorContrast - vectorFloor) / vectorRange;
            Vector.Min(Vector.Max(level, Vector<float>.Zero), Vector<float>.One).CopyTo(strengths[i..]);
        }
        for (; i < strengths.Length; i++) strengths[i] = InkLevel(strengths[i] / contrast);
    }

    /// <summary>
    /// The MNIST step shared by single digits and the digits of a number (<see cref="Reading.NumberReader"/>): an
    /// ink map (0 paper … 1 full ink) cropped to its ink, strokes brought to MNIST's width, the longer side scaled
    /// to the 20-px box and placed in 28×28 by its centre of mass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal PreparedDigit FromInk(float[] ink, int width, int height, InkPolarity polarity)
    {
        if (InkBox(ink, width, height) is not { } box) return PreparedDigit.Empty(polarity);
        var (crop, cropWidth, cropHeight) = Crop(ink, width, height, box, margin: 0);

        // A fine pen on a large photo would shrink to a faint hairline, a marker on a small one to a blob:
        // bring the stroke back to MNIST's width before scaling.
        var scale = (double)Options.DigitBox / Math.Max(cropWidth, cropHeight);
        var stroke = StrokeWidth(crop, cropWidth, cropHeight);
        var scaledStroke = stroke * scale;
        if (scaledStroke < Options.ThinnestStroke || scaledStroke > Options.ThickestStroke)
        {
            var radius = (int)Math.Round((Options.TargetStroke / scale - stroke) / 2);
            // Growing needs room around the ink; wearing down works within the crop. Keep the crop if nothing survives.
            var (source, sourceWidth, sourceHeight) = radius > 0 ? Crop(ink, width, height, box, radius) : (crop, cropWidth, cropHeight);
            if (radius != 0)
                (crop, cropWidth, cropHeight) = Recrop(Raster.Morph(source, sourceWidth, sourceHeight, Math.Abs(radius), grow: radius > 0),
                    sourceWidth, sourceHeight) ?? (crop, cropWidth, cropHeight);
            scale = (double)Options.DigitBox / Math.Max(cropWidth, cropHeight);
        }

        var scaledWidth = Math.Clamp((int)Math.Round(cropWidth * scale), 1, Options.DigitBox);
        var scaledHeight = Math.Clamp((int)Math.Round(cropHeight * scale), 1, Options.DigitBox);
        var digit = Raster.Resize(crop, cropWidth, cropHeight, scaledWidth, scaledHeight);
        // Full-strength ink is 1 in MNIST; thin or diagonal strokes averaged down would otherwise stay grey.
        var strongest = digit.Max();
        if (strongest > 0)
            for (var i = 0; i < digit.Length; i++) digit[i] /= strongest;

        return new PreparedDigit { Pixels = Centre(digit, scaledWidth, scaledHeight), Polarity = polarity };
    }

    /// <summary>Places the scaled digit in the 28×28 field with its centre of mass where MNIST's are, kept whole inside.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float[] Centre(float[] digit, int width, int height)
    {
        double mass = 0, sumX = 0, sumY = 0;
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var value = digit[y * width + x];
                mass += value;
                sumX += value * x;
                sumY += value * y;
            }
        var left = Math.Clamp((int)Math.Round(Options.CentreOfMass - sumX / mass), 0, DigitImage.Side - width);
        var top = Math.Clamp((int)Math.Round(Options.CentreOfMass - sumY / mass), 0, DigitImage.Side - height);
        var field = new float[DigitImage.PixelCount];
        for (var y = 0; y < height; y++)
            digit.AsSpan(y * width, width).CopyTo(field.AsSpan((top + y) * DigitImage.Side + left));
        return field;
    }

    private readonly record struct Box(int X, int Y, int Width, int Height);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Box? InkBox(float[] ink, int width, int height)
    {
        int minX = width, minY = height, maxX = -1, maxY = -1;
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                if (ink[y * width + x] <= 0) continue;
                minX = Math.Min(minX, x);
                maxX = Math.Max(maxX, x);
                minY = Math.Min(minY, y);
                maxY = Math.Max(maxY, y);
            }
        return maxX < 0 ? null : new Box(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    /// <summary>The box's pixels with <paramref name="margin"/> blank pixels around them (room for strokes to grow).</summary>
    private static (float[] Pixels, int Width, int Height) Crop(float[] ink, int width, int height, Box box, int margin)
    {
        var (cropWidth, cropHeight) = (box.Width + 2 * margin, box.Height + 2 * margin);
        var crop = new float[cropWidth * cropHeight];
        for (var y = 0; y < box.Height; y++)
            ink.AsSpan((box.Y + y) * width + box.X, box.Width).CopyTo(crop.AsSpan((margin + y) * cropWidth + margin));
        return (crop, cropWidth, cropHeight);
    }

    /// <summary>Crops a reworked image to its ink again; null if no ink survived.</summary>
    private static (float[] Pixels, int Width, int Height)? Recrop(float[] reworked, int width, int height) =>
        InkBox(reworked, width, height) is { } box ? Crop(reworked, width, height, box, margin: 0) : null;

    /// <summary>
    /// Mean stroke width in pixels, from the area and outline of the ink (at half strength or more): a stroke of
    /// width w and length L has area wL and an outline of about 2L, so w ≈ 2 · area / outline.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double StrokeWidth(float[] ink, int width, int height)
    {
        bool IsInk(int x, int y) => x >= 0 && y >= 0 && x < width && y < height && ink[y * width + x] >= 0.5f;
        var area = 0;
        var outline = 0;
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                if (!IsInk(x, y)) continue;
                area++;
                if (!IsInk(x - 1, y)) outline++;
                if (!IsInk(x + 1, y)) outline++;
                if (!IsInk(x, y - 1)) outline++;
                if (!IsInk(x, y + 1)) outline++;
            }
        return outline == 0 ? 1 : 2.0 * area / outline;
    }

    /// <summary>Median luminance of a band around the edge, one twentieth of the shorter side wide (at least 1 px).</summary>
    private static float BorderMedian(float[] luminance, int width, int height)
    {
        var band = Math.Max(1, Math.Min(width, height) / 20);
        var values = new List<float>();
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                if (x < band || y < band || x >= width - band || y >= height - band)
                    values.Add(luminance[y * width + x]);
        values.Sort();
        return values[values.Count / 2];
    }
}
