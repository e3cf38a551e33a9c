using DigitRecognizer.Data;
using SkiaSharp;

namespace DigitRecognizer.Reading;

/// <summary>How <see cref="SyntheticNumbers"/> lays out its numbers.</summary>
public sealed record SyntheticNumberOptions
{
    /// <summary>Fewest digits in a number.</summary>
    public int MinDigits { get; init; } = 2;

    /// <summary>Most digits in a number.</summary>
    public int MaxDigits { get; init; } = 6;

    /// <summary>Smallest and largest side of a pasted digit's 28×28 frame, in pixels (its ink is about 20/28 of it).</summary>
    public (int Min, int Max) FrameSide { get; init; } = (40, 110);

    /// <summary>How much one digit's size may differ from the number's, as a factor either way.</summary>
    public double SizeSpread { get; init; } = 0.15;

    /// <summary>Largest step of the baseline from digit to digit, as a share of the frame side.</summary>
    public double BaselineJitter { get; init; } = 0.06;

    /// <summary>Largest rotation of the whole number, in degrees either way.</summary>
    public double MaxRotation { get; init; } = 4;

    /// <summary>Share of the gaps between digits that are touching or overlapping (ink boxes 0 to 3 px into each other).</summary>
    public double TouchingShare { get; init; } = 0.25;

    /// <summary>Width and height of the image, or null to fit the number with a margin.</summary>
    public (int Width, int Height)? Size { get; init; }

    /// <summary>Share of the images saved as JPEG (the rest as PNG).</summary>
    public double JpegShare { get; init; } = 0.5;

    /// <summary>
    /// What the number is written on. Lines are drawn on the page before it is turned, so they lean with the number.
    /// The same seed draws the same numbers, laid out the same way, on every paper but <see cref="PaperKind.Boxes"/>.
    /// </summary>
    public PaperKind Paper { get; init; } = PaperKind.Plain;
}

/// <summary>The paper a synthetic number is written on.</summary>
public enum PaperKind
{
    /// <summary>Blank paper.</summary>
    Plain,

    /// <summary>Lined paper: gray to dark rules 1–3 px thick, 0.55–0.9 of a digit's frame apart, one near the digits' baseline, others through them.</summary>
    Ruled,

    /// <summary>Squared paper: a light to mid-gray grid of 1–2 px lines, 0.22–0.4 of a digit's frame apart.</summary>
    Squared,

    /// <summary>Blank paper with the number underlined in the same ink, 2–6 px thick, touching the lowest digits.</summary>
    Underlined,

    /// <summary>
    /// A form's boxes: a printed frame round the number with upright lines between the digits, 1–2.5 px thick, gray to
    /// dark. No digits touch, and the gaps between them are wider, so the layout is not the other papers'.
    /// </summary>
    Boxes,

    /// <summary>
    /// Blank paper photographed on a desk: the page is a sheet 1.25–2 times smaller each way than the photo, somewhere in
    /// it, turned with the number, on a dark even desk (tone 0.05–0.4; the paper's is 0.78–0.96 before its shading). The numbers
    /// and their layout on the sheet are plain paper's; with <see cref="SyntheticNumberOptions.Size"/>, that is the sheet's size.
    /// </summary>
    Desk,
}

/// <summary>A number drawn by <see cref="SyntheticNumbers"/>, with where each digit's ink went.</summary>
/// <param name="Encoded">The PNG or JPEG.</param>
/// <param name="Text">The digits, left to right.</param>
/// <param name="Boxes">Each digit's ink (where it is at least half strength), in the image's pixels.</param>
/// <param name="Indices">Which images of the data set were pasted, left to right.</param>
/// <param name="Touching">For each gap between neighbours, whether their ink boxes touch or overlap.</param>
public sealed record SyntheticNumber(byte[] Encoded, bool Jpeg, int Width, int Height, string Text, IReadOnlyList<PixelBox> Boxes,
    IReadOnlyList<int> Indices, IReadOnlyList<bool> Touching);

/// <summary>
/// Numbers built from labelled 28×28 digits pasted side by side on paper-like images: dark ink on uneven light
/// paper (a gradient of light and a shadow), digits of different sizes on a wavering baseline, gaps from wide down
/// to overlapping, the whole slightly rotated, saved as PNG or JPEG. Seeded: the same seed draws the same images.
/// Used to test and measure <see cref="NumberReader"/>; build from training digits to tune, test digits to report.
/// </summary>
public static class SyntheticNumbers
{
    /// <summary>Draws <paramref name="count"/> numbers from random digits of <paramref name="digits"/>.</summary>
    public static IEnumerable<SyntheticNumber> Generate(DigitDataset digits, int count, int seed, SyntheticNumberOptions? options = null)
    {
        if (digits.Labels is null) throw new ArgumentException("Numbers are built from labelled digits.", nameof(digits));
        options ??= new SyntheticNumberOptions();
        var random = new Random(seed);
        for (var n = 0; n < count; n++)
        {
            var length = random.Next(options.MinDigits, options.MaxDigits + 1);
            var indices = Enumerable.Range(0, length).Select(_ => random.Next(digits.Count)).ToArray();
            yield return Draw(digits, indices, random, options);
        }
    }

    /// <summary>
    /// A PNG of <paramref name="text"/> typed black on white in the TrueType font <paramref name="fontFile"/> at
    /// <paramref name="size"/> px, half a size of margin on either side: typed numbers as a screenshot or a print shows them.
    /// </summary>
    /// <exception cref="ArgumentException">The font file cannot be read.</exception>
    public static byte[] Typed(string text, string fontFile, float size)
    {
        using var typeface = SKTypeface.FromFile(fontFile) ?? throw new ArgumentException($"{fontFile}: not a font SkiaSharp can read.", nameof(fontFile));
        using var bitmap = new SKBitmap((int)(size * (text.Length + 1)), (int)(size * 2.2));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var font = new SKFont(typeface, size);
            using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            canvas.DrawText(text, size / 2, size * 1.5f, font, paint);
        }
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private sealed record Placed(float[] Image, double Left, double Top, double Scale, double Threshold)
    {
        /// <summary>The layout's box of the digit's ink, as laid out.</summary>
        public (double Left, double Right, double Top, double Bottom) Ink { get; init; }
    }

    /// <summary>Draws one number of the given digits of <paramref name="digits"/>, left to right, laid out by <paramref name="random"/>.</summary>
    public static SyntheticNumber Draw(DigitDataset digits, IReadOnlyList<int> indices, Random random, SyntheticNumberOptions? options = null)
    {
        if (digits.Labels is null) throw new ArgumentException("Numbers are built from labelled digits.", nameof(digits));
        return Draw(digits, indices.ToArray(), random, options ?? new SyntheticNumberOptions());
    }

    private static SyntheticNumber Draw(DigitDataset digits, int[] indices, Random random, SyntheticNumberOptions options)
    {
        var frame = random.Next(options.FrameSide.Min, options.FrameSide.Max + 1);
        var threshold = 0.2 + random.NextDouble() * 0.3;
        var placed = new List<Placed>();
        var touching = new List<bool>();
        double cursor = 0;
        var baseline = 0.0;
        foreach (var index in indices)
        {
            var image = digits.Image(index).ToArray();
            var scale = frame * (1 + (random.NextDouble() * 2 - 1) * options.SizeSpread) / DigitImage.Side;
            var (inkLeft, inkRight, inkBottom, inkTop) = InkExtent(image, threshold);
            double gap;
            if (placed.Count == 0) gap = 0;
            else if (random.NextDouble() < options.TouchingShare)
            {
                gap = -random.Next(0, 4);   // ink boxes touching (0) or 1–3 px into each other
                touching.Add(true);
            }
            else
            {
                gap = frame * (random.NextDouble() < 0.3 ? 0.3 + random.NextDouble() * 0.5 : 0.06 + random.NextDouble() * 0.24);
                touching.Add(false);
            }
            // In a form's boxes every digit has its own: none touch, and the gaps leave room for the box's side.
            if (placed.Count > 0 && options.Paper == PaperKind.Boxes)
                (gap, touching[^1]) = (frame * (0.25 + random.NextDouble() * 0.3), false);
            baseline += (random.NextDouble() * 2 - 1) * options.BaselineJitter * frame;
            var left = cursor + gap - inkLeft * scale;
            var top = baseline - (inkBottom + 1) * scale;
            placed.Add(new Placed(image, left, top, scale, threshold)
            {
                Ink = (cursor + gap, left + (inkRight + 1) * scale, top + inkTop * scale, baseline),
            });
            cursor = left + (inkRight + 1) * scale;
        }

        // Lay the number on the page, centred with a margin of about a frame.
        var minTop = placed.Min(p => p.Top);
        var maxBottom = placed.Max(p => p.Top + DigitImage.Side * p.Scale);
        var (contentWidth, contentHeight) = (cursor, maxBottom - minTop);
        var (width, height) = options.Size ?? ((int)Math.Ceiling(contentWidth + frame * (0.6 + random.NextDouble())),
            (int)Math.Ceiling(contentHeight + frame * (0.5 + random.NextDouble() * 0.5)));
        var (offsetX, offsetY) = ((width - contentWidth) / 2, (height - contentHeight) / 2 - minTop);
        placed = placed.Select(p => p with
        {
            Left = p.Left + offsetX, Top = p.Top + offsetY, Ink = (p.Ink.Left + offsetX, p.Ink.Right + offsetX, p.Ink.Top + offsetY, p.Ink.Bottom + offsetY),
        }).ToList();

        var angle = (random.NextDouble() * 2 - 1) * options.MaxRotation * Math.PI / 180;
        var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
        var (centreX, centreY) = (width / 2.0, height / 2.0);
        var paper = 0.78 + random.NextDouble() * 0.18;
        var (slopeX, slopeY) = ((random.NextDouble() * 2 - 1) * 0.12, (random.NextDouble() * 2 - 1) * 0.12);
        var (shadowX, shadowY) = (random.NextDouble() * width, random.NextDouble() * height);
        var (shadowDepth, shadowRadius) = (random.NextDouble() * 0.15, Math.Max(width, height) * (0.2 + random.NextDouble() * 0.4));
        var inkTone = random.NextDouble() * 0.3;
        // Drawn from a generator of their own, seeded from what was drawn for this number: the same seed then draws the
        // same numbers in the same places on every paper (plain paper as it did before paper lines existed).
        var lines = options.Paper is PaperKind.Plain or PaperKind.Desk ? null
            : PageLines.Draw(options.Paper, placed, frame, new Random(unchecked(indices.Aggregate(frame, (hash, index) => hash * 31 + index))));

        // On a desk the page is a sheet in a larger photo, drawn from a generator of its own as the lines are.
        // Its pixels' noise comes from that generator too, and the number's own is then drawn as for a page alone: the
        // same seed draws the same numbers as on plain paper.
        var (photoWidth, photoHeight, sheetX, sheetY, deskTone, noise) = (width, height, 0, 0, 0.0, random);
        if (options.Paper == PaperKind.Desk)
        {
            var desk = noise = new Random(unchecked(indices.Aggregate(frame * 7 + 1, (hash, index) => hash * 31 + index)));
            (photoWidth, photoHeight) = ((int)(width * (1.25 + desk.NextDouble() * 0.75)), (int)(height * (1.25 + desk.NextDouble() * 0.75)));
            (sheetX, sheetY) = (desk.Next(photoWidth - width + 1), desk.Next(photoHeight - height + 1));
            deskTone = 0.05 + desk.NextDouble() * 0.35;
        }
        var gray = new byte[photoWidth * photoHeight];
        var boxes = placed.Select(_ => (MinX: int.MaxValue, MinY: int.MaxValue, MaxX: -1, MaxY: -1)).ToArray();
        for (var photoY = 0; photoY < photoHeight; photoY++)
            for (var photoX = 0; photoX < photoWidth; photoX++)
            {
                var (x, y) = (photoX - sheetX, photoY - sheetY);
                // Back from the rotated page to the unrotated layout.
                var (dx, dy) = (x + 0.5 - centreX, y + 0.5 - centreY);
                var (u, v) = (cos * dx + sin * dy + centreX, -sin * dx + cos * dy + centreY);
                if (options.Paper == PaperKind.Desk && (u < 0 || v < 0 || u >= width || v >= height))
                {
                    gray[photoY * photoWidth + photoX] = (byte)Math.Clamp(Math.Round((deskTone + (noise.NextDouble() - 0.5) * 0.06) * 255), 0, 255);
                    continue;
                }
                double ink = 0;
                for (var i = 0; i < placed.Count; i++)
                {
                    var p = placed[i];
                    var (fu, fv) = ((u - p.Left) / p.Scale - 0.5, (v - p.Top) / p.Scale - 0.5);
                    if (fu < -1 || fv < -1 || fu > DigitImage.Side || fv > DigitImage.Side) continue;
                    var digitInk = StrokeInk(p.Image, fu, fv, p.Threshold);
                    if (digitInk >= 0.5)
                    {
                        ref var box = ref boxes[i];
                        box = (Math.Min(box.MinX, photoX), Math.Min(box.MinY, photoY), Math.Max(box.MaxX, photoX), Math.Max(box.MaxY, photoY));
                    }
                    ink = Math.Max(ink, digitInk);
                }
                if (lines is not null) ink = Math.Max(ink, lines.InkAt(u, v));
                var (sx, sy) = (x - shadowX, y - shadowY);
                var tone = paper + slopeX * (x / (double)width - 0.5) + slopeY * (y / (double)height - 0.5)
                           - shadowDepth * Math.Exp(-(sx * sx + sy * sy) / (2 * shadowRadius * shadowRadius));
                tone = tone - ink * (tone - inkTone) + (noise.NextDouble() - 0.5) * 0.06;
                gray[photoY * photoWidth + photoX] = (byte)Math.Clamp(Math.Round(tone * 255), 0, 255);
            }

        if (noise != random)
            for (var i = 0; i < width * height; i++) random.NextDouble();
        var jpeg = random.NextDouble() < options.JpegShare;
        var encoded = Encode(gray, photoWidth, photoHeight, jpeg, quality: 75 + random.Next(21));
        var text = string.Concat(indices.Select(i => (char)('0' + digits.Labels![i])));
        var truth = boxes.Select(b => b.MaxX < 0 ? default : new PixelBox(b.MinX, b.MinY, b.MaxX - b.MinX + 1, b.MaxY - b.MinY + 1)).ToList();
        return new SyntheticNumber(encoded, jpeg, photoWidth, photoHeight, text, truth, indices, touching);
    }

    /// <summary>The lines of a page, in the layout's coordinates (before the page is turned).</summary>
    private sealed record PageLines(PaperKind Paper, double Spacing, double Thickness, double Darkness, double PhaseU, double PhaseV,
        double From, double To, double Slope)
    {
        /// <summary>Boxes: the top and bottom of the frame, and the upright lines (its sides and those between the digits).</summary>
        public (double Top, double Bottom, double[] Uprights)? Boxes { get; init; }

        public static PageLines Draw(PaperKind paper, IReadOnlyList<Placed> placed, int frame, Random random)
        {
            var lowest = placed.Max(p => p.Ink.Bottom);
            switch (paper)
            {
                case PaperKind.Ruled:
                {
                    var baseline = placed.Select(p => p.Ink.Bottom).Order().ElementAt(placed.Count / 2);
                    var spacing = frame * (0.55 + random.NextDouble() * 0.35);
                    return new PageLines(paper, spacing, 1 + random.NextDouble() * 2, 0.3 + random.NextDouble() * 0.6, 0,
                        baseline + frame * (random.NextDouble() * 0.13 - 0.05), 0, 0, 0);
                }
                case PaperKind.Squared:
                {
                    var spacing = frame * (0.22 + random.NextDouble() * 0.18);
                    return new PageLines(paper, spacing, 1 + random.NextDouble(), 0.25 + random.NextDouble() * 0.45,
                        random.NextDouble() * spacing, random.NextDouble() * spacing, 0, 0, 0);
                }
                case PaperKind.Underlined:
                {
                    var thickness = 2 + random.NextDouble() * 4;
                    // Its top edge from a pixel into the lowest digit's ink to a pixel below it (touching at the JPEG's edge).
                    var centre = lowest + thickness / 2 + (random.NextDouble() * 2 - 1);
                    var (from, to) = (placed.Min(p => p.Ink.Left) - frame * random.NextDouble() * 0.2, placed.Max(p => p.Ink.Right) + frame * random.NextDouble() * 0.2);
                    return new PageLines(paper, 0, thickness, 1, 0, centre, from, to, (random.NextDouble() * 2 - 1) * 0.02);
                }
                case PaperKind.Boxes:
                {
                    var pad = frame * (0.08 + random.NextDouble() * 0.1);
                    var (from, to) = (placed.Min(p => p.Ink.Left) - pad, placed.Max(p => p.Ink.Right) + pad);
                    var between = placed.Zip(placed.Skip(1), (a, b) => (a.Ink.Right + b.Ink.Left) / 2);
                    return new PageLines(paper, 0, 1 + random.NextDouble() * 1.5, 0.45 + random.NextDouble() * 0.45, 0, 0, from, to, 0)
                    {
                        Boxes = (placed.Min(p => p.Ink.Top) - pad, lowest + pad, [from, .. between, to]),
                    };
                }
                default:
                    throw new ArgumentOutOfRangeException(nameof(paper), paper, "no lines to draw on plain paper");
            }
        }

        /// <summary>How much of the pixel at layout (<paramref name="u"/>, <paramref name="v"/>) the lines cover, times their darkness.</summary>
        public double InkAt(double u, double v)
        {
            // A pixel's share of a band of the line's thickness centred at distance d.
            double Cover(double d) => Math.Clamp(Thickness / 2 + 0.5 - Math.Abs(d), 0, 1);
            double Nearest(double position, double phase) => Math.Abs(position - phase - Spacing * Math.Round((position - phase) / Spacing));
            return Paper switch
            {
                PaperKind.Ruled => Darkness * Cover(Nearest(v, PhaseV)),
                PaperKind.Squared => Darkness * Math.Max(Cover(Nearest(v, PhaseV)), Cover(Nearest(u, PhaseU))),
                PaperKind.Boxes when Boxes is var (top, bottom, uprights) => Darkness * Math.Max(
                    u < From - Thickness || u > To + Thickness ? 0 : Math.Max(Cover(v - top), Cover(v - bottom)),
                    v < top - Thickness || v > bottom + Thickness ? 0 : uprights.Max(x => Cover(u - x))),
                _ => u < From || u > To ? 0 : Darkness * Cover(v - (PhaseV + Slope * (u - From))),
            };
        }
    }

    /// <summary>First and last ink column, and last and first ink row, of a 28×28 digit, at the stroke threshold.</summary>
    internal static (int Left, int Right, int Bottom, int Top) InkExtent(ReadOnlySpan<float> image, double threshold)
    {
        int left = DigitImage.Side, right = -1, bottom = -1, top = DigitImage.Side;
        for (var y = 0; y < DigitImage.Side; y++)
            for (var x = 0; x < DigitImage.Side; x++)
            {
                if (image[y * DigitImage.Side + x] < threshold) continue;
                left = Math.Min(left, x);
                right = Math.Max(right, x);
                bottom = Math.Max(bottom, y);
                top = Math.Min(top, y);
            }
        return right < 0 ? (0, DigitImage.Side - 1, DigitImage.Side - 1, 0) : (left, right, bottom, top);
    }

    /// <summary>
    /// How much ink a pen leaves at (<paramref name="u"/>, <paramref name="v"/>) of a 28×28 digit (its own pixels,
    /// bilinear between them; 0 outside): MNIST's soft edge made a stroke, full ink above <paramref name="threshold"/>
    /// (low: thick strokes, high: thin ones) with a narrow smooth rim, as a pen's edge on paper.
    /// </summary>
    internal static double StrokeInk(float[] image, double u, double v, double threshold) =>
        SmoothStep(threshold - 0.12, threshold + 0.12, Bilinear(image, u, v));

    /// <summary>An 8-bit grayscale page (row-major, 0 black) as PNG or as JPEG of <paramref name="quality"/> (0–100).</summary>
    internal static byte[] Encode(byte[] gray, int width, int height, bool jpeg, int quality)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(gray, 0, bitmap.GetPixels(), gray.Length);
        using var data = bitmap.Encode(jpeg ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png, quality);
        return data.ToArray();
    }

    private static double Bilinear(float[] image, double u, double v)
    {
        if (u < -1 || v < -1 || u > DigitImage.Side || v > DigitImage.Side) return 0;
        var (x0, y0) = ((int)Math.Floor(u), (int)Math.Floor(v));
        var (fx, fy) = (u - x0, v - y0);
        double At(int x, int y) => x < 0 || y < 0 || x >= DigitImage.Side || y >= DigitImage.Side ? 0 : image[y * DigitImage.Side + x];
        return (At(x0, y0) * (1 - fx) + At(x0 + 1, y0) * fx) * (1 - fy) + (At(x0, y0 + 1) * (1 - fx) + At(x0 + 1, y0 + 1) * fx) * fy;
    }

    private static double SmoothStep(double edge0, double edge1, double x)
    {
        var t = Math.Clamp((x - edge0) / (edge1 - edge0), 0, 1);
        return t * t * (3 - 2 * t);
    }
}
