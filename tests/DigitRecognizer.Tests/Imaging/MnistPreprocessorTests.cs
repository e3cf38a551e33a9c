using DigitRecognizer.Data;
using DigitRecognizer.Imaging;
using SkiaSharp;

namespace DigitRecognizer.Tests.Imaging;

[Trait("Category", "Fast")]
public sealed class MnistPreprocessorTests
{
    private readonly MnistPreprocessor preprocessor = new();

    [Fact]
    public void AnMnistImageItself_ComesBackAlmostUnchanged_AsLightInkOnDark()
    {
        var digit = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test).Take(1);

        var prepared = preprocessor.FromEncoded(Encode(digit.Image(0).ToArray(), 28, 28, ink => 1 - ink, invert: true));

        Assert.Equal(InkPolarity.LightOnDark, prepared.Polarity);
        Assert.True(Cosine(digit.Image(0), prepared.Pixels) > 0.95, $"cosine {Cosine(digit.Image(0), prepared.Pixels):F3}");
    }

    [Fact]
    public void TheDigit_FillsTheTwentyPixelBox_WithItsCentreOfMassAtTheCentre()
    {
        // A dark bar 30 wide and 90 tall, far off-centre on a 300×200 white page.
        var page = Page(300, 200, (x, y) => x is >= 20 and < 50 && y is >= 5 and < 95);

        var prepared = preprocessor.FromLuminance(page, 300, 200);

        var rows = Enumerable.Range(0, 28).Where(y => Enumerable.Range(0, 28).Any(x => prepared.Pixels[y * 28 + x] > 0)).ToList();
        Assert.Equal(20, rows.Count);
        var (mass, sumX, sumY) = (0.0, 0.0, 0.0);
        for (var i = 0; i < 784; i++)
        {
            mass += prepared.Pixels[i];
            sumX += prepared.Pixels[i] * (i % 28);
            sumY += prepared.Pixels[i] * (i / 28);
        }
        Assert.InRange(sumX / mass, 13.5, 14.5);
        Assert.InRange(sumY / mass, 13.5, 14.5);
        Assert.Equal(1f, prepared.Pixels.Max());
    }

    [Fact]
    public void AHairlineOnALargePage_IsThickenedToAnMnistStroke()
    {
        // A 2-px line 600 px tall: scaled by 20/600 it would be a 0.07-px ghost.
        var page = Page(800, 800, (x, y) => x is >= 400 and < 402 && y is >= 100 and < 700);

        var prepared = preprocessor.FromLuminance(page, 800, 800);

        var middleRow = prepared.Pixels.AsSpan(14 * 28, 28).ToArray();
        var inkWidth = middleRow.Sum();
        Assert.InRange(inkWidth, 1.5f, 3.5f);
        Assert.Equal(1f, middleRow.Max(), 3);
    }

    [Theory]
    [InlineData(1.0f)]
    [InlineData(0.5f)]
    [InlineData(0.0f)]
    public void AFlatImage_IsReportedEmpty_NotGuessed(float tone)
    {
        var prepared = preprocessor.FromEncoded(Encode(Enumerable.Repeat(tone, 64 * 48).ToArray(), 64, 48, l => l));

        Assert.True(prepared.IsEmpty);
        Assert.All(prepared.Pixels, p => Assert.Equal(0f, p));
    }

    [Fact]
    public void FaintPaperTexture_AloneIsEmpty()
    {
        var random = new Random(3);
        var page = Enumerable.Range(0, 100 * 100).Select(_ => 0.9f + (float)random.NextDouble() * 0.05f).ToArray();

        Assert.True(preprocessor.FromLuminance(page, 100, 100).IsEmpty);
    }

    [Fact]
    public void ATransparentCanvasWithDarkStrokes_ReadsAsInkOnWhite()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(100, 100, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(SKColors.Transparent);
        for (var y = 20; y < 80; y++)
            for (var x = 45; x < 55; x++)
                bitmap.SetPixel(x, y, SKColors.Black);
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);

        var prepared = preprocessor.FromEncoded(png.ToArray());

        Assert.False(prepared.IsEmpty);
        Assert.Equal(InkPolarity.DarkOnLight, prepared.Polarity);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    public void AGrayscaleFile_DecodesToTheLuminanceOfTheSameImageInColour(SKEncodedImageFormat format)
    {
        // Grayscale files decode straight to their levels, colour ones through RGBA: the same picture must give the same
        // luminance either way (widths not a multiple of any vector length, and a tail of odd pixels).
        var (width, height) = (37, 23);
        var random = new Random(5);
        var levels = Enumerable.Range(0, width * height).Select(_ => (byte)random.Next(256)).ToArray();
        using var gray = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(levels, 0, gray.GetPixels(), levels.Length);
        using var colour = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var i = 0; i < levels.Length; i++) colour.SetPixel(i % width, i / width, new SKColor(levels[i], levels[i], levels[i]));
        using var grayFile = gray.Encode(format, 100);
        using var colourFile = colour.Encode(format, 100);

        var (fromGray, grayWidth, grayHeight) = ImageDecoder.Decode(grayFile.ToArray(), new PreprocessingOptions());
        var (fromColour, _, _) = ImageDecoder.Decode(colourFile.ToArray(), new PreprocessingOptions());

        Assert.Equal((width, height), (grayWidth, grayHeight));
        if (format == SKEncodedImageFormat.Png)
            Assert.Equal(levels.Select(level => level / 255f), fromGray);   // lossless: exactly the levels written
        // JPEG codes gray and colour differently (chroma); a level or two apart at most.
        var tolerance = format == SKEncodedImageFormat.Png ? 1e-6f : 3 / 255f;
        Assert.All(fromGray.Zip(fromColour), pair => Assert.InRange(pair.First - pair.Second, -tolerance, tolerance));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello, world")]
    [InlineData("\u0089PNG\r\n\u001a\n truncated")]
    public void BytesThatAreNotAnImage_AreRefused(string content)
    {
        var error = Assert.Throws<InvalidImageException>(() => preprocessor.FromEncoded(System.Text.Encoding.Latin1.GetBytes(content)));
        Assert.Contains("image", error.Message);
    }

    [Fact]
    public void AnImageAboveThePixelLimit_IsRefusedBeforeDecoding()
    {
        var small = new MnistPreprocessor(new PreprocessingOptions { MaxPixels = 100 });

        var error = Assert.Throws<InvalidImageException>(() => small.FromEncoded(Encode(new float[20 * 20], 20, 20, l => l)));
        Assert.Contains("20×20", error.Message);
    }

    [Theory]
    [InlineData(300, 240, 3)]
    [InlineData(160, 120, 2)]
    public void ADigitOnASheetOnADarkDesk_IsPreparedAsOnTheSheetAlone(int sheetWidth, int sheetHeight, int scale)
    {
        // A photo of one digit on a sheet lying on a dark desk, the sheet 23% or 6% of the photo: the border is desk,
        // so unpainted the dark desk was the paper and the light sheet the ink, a solid block.
        const int width = 640, height = 480;
        var digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test).Take(10);
        var (sheetLeft, sheetTop) = ((width - sheetWidth) / 2, (height - sheetHeight) / 2);
        var unpainted = new MnistPreprocessor(preprocessor.Options with { PaintSurround = false });
        for (var index = 0; index < digits.Count; index++)
        {
            var photo = Enumerable.Repeat(0.12f, width * height).ToArray();
            var sheet = new float[sheetWidth * sheetHeight];
            for (var y = 0; y < sheetHeight; y++)
                for (var x = 0; x < sheetWidth; x++)
                {
                    var (u, v) = (x - (sheetWidth - 28 * scale) / 2, y - (sheetHeight - 28 * scale) / 2);
                    var ink = u >= 0 && v >= 0 && u < 28 * scale && v < 28 * scale ? digits.Image(index)[v / scale * 28 + u / scale] : 0;
                    sheet[y * sheetWidth + x] = photo[(sheetTop + y) * width + sheetLeft + x] = 0.9f - 0.8f * ink;
                }
            var alone = preprocessor.FromLuminance(sheet, sheetWidth, sheetHeight);

            var onDesk = preprocessor.FromLuminance(photo, width, height);

            Assert.Equal(InkPolarity.DarkOnLight, onDesk.Polarity);
            Assert.True(Cosine(alone.Pixels, onDesk.Pixels) > 0.99, $"digit {index}: cosine {Cosine(alone.Pixels, onDesk.Pixels):F3} with the sheet alone");
            Assert.True(Cosine(alone.Pixels, unpainted.FromLuminance(photo, width, height).Pixels) < 0.9, $"digit {index} was prepared right unpainted: the photo tests nothing");
        }
    }

    private static float[] Page(int width, int height, Func<int, int, bool> isInk)
    {
        var page = new float[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                page[y * width + x] = isInk(x, y) ? 0.1f : 0.95f;
        return page;
    }

    /// <summary>Encodes values 0–1 as an 8-bit grey PNG, through <paramref name="toLuminance"/>.</summary>
    private static byte[] Encode(float[] values, int width, int height, Func<float, float> toLuminance, bool invert = false)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        var bytes = values.Select(v => (byte)Math.Round(Math.Clamp(invert ? 1 - toLuminance(v) : toLuminance(v), 0, 1) * 255)).ToArray();
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    internal static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.Sqrt(aa * bb);
    }
}
