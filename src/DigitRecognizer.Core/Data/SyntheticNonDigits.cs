using DigitRecognizer.Imaging;
using DigitRecognizer.Reading;
using SkiaSharp;

namespace DigitRecognizer.Data;

/// <summary>
/// Images that are not one digit, drawn by the program itself so training needs no font or download: letters and
/// symbols unlike any digit written as wobbly pen strokes, shapes (stars, arrows, grids, faces), random scribbles, and
/// two training digits squeezed into one frame (a number given where a digit is expected). Each goes through the same
/// MNIST step as a photo (<see cref="MnistPreprocessor"/>), so it looks like what the model is shown at run time.
/// Training pushes the network's ten probabilities towards uniform on them (<c>TrainingOptions.NonDigitWeight</c>),
/// which is what lets the refusal rule turn a letter away instead of reading it as a confident digit.
/// The tests measure refusal on other things: letters set in real typefaces (DejaVu) and scribbles of another
/// generator (random quadratic curves).
/// </summary>
public static class SyntheticNonDigits
{
    // Where a pair's ink boxes are measured: the middle of the range SyntheticNumbers draws its numbers' ink at.
    private const float PairInkThreshold = 0.35f;

    // Drawn at 64 px: room for the pen's wobble and for stroke widths from fine pen to marker.
    private const int Canvas = 64;

    // Letters and symbols with no digit look-alike (no O o D I l i S s Z z B b g q G T t J j y A U u / ( ) < >), as
    // strokes in a unit box (x right, y down). Curves are polylines from Arc.
    private static readonly (string Name, float[][] Strokes)[] Glyphs =
    [
        ("E", [[0.8f, 0, 0.1f, 0, 0.1f, 1, 0.8f, 1], [0.1f, 0.5f, 0.65f, 0.5f]]),
        ("F", [[0.8f, 0, 0.15f, 0, 0.15f, 1], [0.15f, 0.48f, 0.65f, 0.48f]]),
        ("H", [[0.1f, 0, 0.1f, 1], [0.9f, 0, 0.9f, 1], [0.1f, 0.5f, 0.9f, 0.5f]]),
        ("K", [[0.15f, 0, 0.15f, 1], [0.85f, 0, 0.15f, 0.55f], [0.4f, 0.38f, 0.9f, 1]]),
        ("M", [[0.05f, 1, 0.12f, 0, 0.5f, 0.7f, 0.88f, 0, 0.95f, 1]]),
        ("N", [[0.12f, 1, 0.12f, 0, 0.88f, 1, 0.88f, 0]]),
        ("P", [[0.15f, 1, 0.15f, 0], Concat([0.15f, 0], Arc(0.45f, 0.27f, 0.35f, 0.27f, -90, 90), [0.15f, 0.54f])]),
        ("R", [[0.15f, 1, 0.15f, 0], Concat([0.15f, 0], Arc(0.45f, 0.25f, 0.35f, 0.25f, -90, 90), [0.15f, 0.5f, 0.9f, 1])]),
        ("V", [[0.05f, 0, 0.5f, 1, 0.95f, 0]]),
        ("W", [[0, 0, 0.25f, 1, 0.5f, 0.35f, 0.75f, 1, 1, 0]]),
        ("X", [[0.1f, 0, 0.9f, 1], [0.9f, 0, 0.1f, 1]]),
        ("Y", [[0.1f, 0, 0.5f, 0.5f, 0.9f, 0], [0.5f, 0.5f, 0.5f, 1]]),
        ("C", [Arc(0.55f, 0.5f, 0.45f, 0.5f, 45, 315)]),
        ("L", [[0.15f, 0, 0.15f, 1, 0.85f, 1]]),
        ("e", [Concat([0.1f, 0.55f, 0.9f, 0.55f], Arc(0.5f, 0.55f, 0.4f, 0.45f, 0, -300))]),
        ("h", [[0.15f, 0, 0.15f, 1], Concat(Arc(0.5f, 0.65f, 0.35f, 0.3f, 180, 360), [0.85f, 1])]),
        ("m", [[0.05f, 1, 0.05f, 0.3f], Concat(Arc(0.28f, 0.5f, 0.23f, 0.2f, 180, 360), [0.51f, 1]),
               Concat(Arc(0.74f, 0.5f, 0.23f, 0.2f, 180, 360), [0.97f, 1])]),
        ("n", [[0.15f, 1, 0.15f, 0.3f], Concat(Arc(0.5f, 0.55f, 0.35f, 0.25f, 180, 360), [0.85f, 1])]),
        ("r", [[0.2f, 1, 0.2f, 0.3f], Arc(0.55f, 0.55f, 0.35f, 0.25f, 180, 300)]),
        ("w", [[0, 0.3f, 0.25f, 1, 0.5f, 0.5f, 0.75f, 1, 1, 0.3f]]),
        ("x", [[0.15f, 0.3f, 0.85f, 1], [0.85f, 0.3f, 0.15f, 1]]),
        ("k", [[0.15f, 0, 0.15f, 1], [0.8f, 0.35f, 0.15f, 0.7f, 0.85f, 1]]),
        ("#", [[0.35f, 0, 0.25f, 1], [0.75f, 0, 0.65f, 1], [0.05f, 0.33f, 0.95f, 0.33f], [0.05f, 0.66f, 0.95f, 0.66f]]),
        ("%", [Arc(0.25f, 0.2f, 0.15f, 0.2f, 0, 360), [0.85f, 0, 0.15f, 1], Arc(0.75f, 0.8f, 0.15f, 0.2f, 0, 360)]),
        ("*", [[0.5f, 0, 0.5f, 1], [0.07f, 0.25f, 0.93f, 0.75f], [0.93f, 0.25f, 0.07f, 0.75f]]),
        ("+", [[0.5f, 0.05f, 0.5f, 0.95f], [0.05f, 0.5f, 0.95f, 0.5f]]),
        ("=", [[0.05f, 0.35f, 0.95f, 0.35f], [0.05f, 0.65f, 0.95f, 0.65f]]),
        ("?", [Concat(Arc(0.5f, 0.28f, 0.35f, 0.28f, 180, 400), [0.5f, 0.7f]), [0.5f, 0.92f, 0.5f, 1]]),
        ("!", [[0.5f, 0, 0.5f, 0.72f], [0.5f, 0.92f, 0.5f, 1]]),
        ("@", [Arc(0.5f, 0.52f, 0.2f, 0.22f, 0, 360), Concat(Arc(0.5f, 0.5f, 0.48f, 0.5f, 20, 340), [0.72f, 0.7f, 0.72f, 0.3f])]),
        ("&", [[0.95f, 1, 0.3f, 0.35f, 0.3f, 0.1f, 0.5f, 0, 0.7f, 0.1f, 0.7f, 0.3f, 0.1f, 0.7f, 0.2f, 0.95f, 0.5f, 1, 0.9f, 0.6f]]),
        ("star", [[0.5f, 0, 0.8f, 1, 0, 0.38f, 1, 0.38f, 0.2f, 1, 0.5f, 0]]),
        ("arrow", [[0, 0.5f, 1, 0.5f], [0.7f, 0.2f, 1, 0.5f, 0.7f, 0.8f]]),
        ("check", [[0, 0.55f, 0.35f, 1, 1, 0]]),
        ("triangle", [[0.5f, 0, 1, 1, 0, 1, 0.5f, 0]]),
        ("square", [[0, 0, 1, 0, 1, 1, 0, 1, 0, 0]]),
        ("grid", [[0.33f, 0, 0.33f, 1], [0.66f, 0, 0.66f, 1], [0, 0.33f, 1, 0.33f], [0, 0.66f, 1, 0.66f], [0, 0, 1, 0, 1, 1, 0, 1, 0, 0]]),
        ("face", [Arc(0.5f, 0.5f, 0.5f, 0.5f, 0, 360), Arc(0.5f, 0.55f, 0.28f, 0.25f, 20, 160), [0.33f, 0.3f, 0.33f, 0.36f], [0.67f, 0.3f, 0.67f, 0.36f]]),
        ("heart", [Concat(Arc(0.27f, 0.3f, 0.25f, 0.25f, 180, 360), Arc(0.73f, 0.3f, 0.25f, 0.25f, 180, 360), [0.98f, 0.35f, 0.5f, 1, 0.02f, 0.35f])]),
        ("spiral", [Spiral()]),
        ("zigzag", [[0, 0.1f, 0.25f, 0.9f, 0.5f, 0.1f, 0.75f, 0.9f, 1, 0.1f]]),
        ("hatch", [[0, 0.3f, 0.3f, 0], [0, 0.65f, 0.65f, 0], [0, 1, 1, 0], [0.35f, 1, 1, 0.35f], [0.7f, 1, 1, 0.7f]]),
    ];

    /// <summary>The names of the glyphs and shapes drawn (for documentation and tests).</summary>
    public static IReadOnlyList<string> GlyphNames { get; } = Glyphs.Select(g => g.Name).ToArray();

    /// <summary>
    /// <paramref name="count"/> non-digit images (unlabelled, 28×28 in [0, 1]), the same for the same seed and digits:
    /// 60% glyphs and shapes, 25% scribbles, and 15% two of <paramref name="pairsFrom"/>'s digits side by side (none
    /// when it is null or holds fewer than two images; then glyphs take their share).
    /// </summary>
    /// <param name="touchingPairShare">Share of those pairs drawn touching, 0–1 (see <see cref="Pair"/>); 0 by default.</param>
    public static DigitDataset Generate(int count, int seed, DigitDataset? pairsFrom = null, double touchingPairShare = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!(touchingPairShare is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(touchingPairShare), touchingPairShare, "The share of touching pairs must be in [0, 1].");
        var random = new Random(seed);
        var preprocessor = new MnistPreprocessor();
        var pixels = new float[count * DigitImage.PixelCount];
        var canPair = pairsFrom is { Count: >= 2 };
        for (var i = 0; i < count; i++)
        {
            var pick = random.NextDouble();
            var (ink, width, height) = pick < 0.15 && canPair ? Pair(pairsFrom!, random, touchingPairShare)
                : pick < 0.40 ? Draw(Scribble(random), random)
                : Draw(Glyphs[random.Next(Glyphs.Length)].Strokes, random);
            var prepared = preprocessor.FromInk(ink, width, height, InkPolarity.DarkOnLight);
            prepared.Pixels.CopyTo(pixels, i * DigitImage.PixelCount);
        }
        return new DigitDataset(pixels, null, $"synthetic non-digits ({count}, seed {seed})");
    }

    /// <summary>The strokes through a random slant, squeeze and size, each point wobbling as a hand's would, drawn with a round pen.</summary>
    internal static (float[] Ink, int Width, int Height) Draw(float[][] strokes, Random random)
    {
        var angle = (random.NextDouble() - 0.5) * 0.5;                     // ±14°
        var shear = (random.NextDouble() - 0.5) * 0.5;
        var (scaleX, scaleY) = (36 + random.NextDouble() * 14, 36 + random.NextDouble() * 14);
        var wobble = 0.01 + random.NextDouble() * 0.03;
        var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
        using var path = new SKPath();
        foreach (var stroke in strokes)
        {
            for (var p = 0; p + 1 < stroke.Length; p += 2)
            {
                var u = stroke[p] - 0.5 + (random.NextDouble() - 0.5) * 2 * wobble;
                var v = stroke[p + 1] - 0.5 + (random.NextDouble() - 0.5) * 2 * wobble;
                var (x, y) = ((u + shear * v) * scaleX, v * scaleY);
                var point = new SKPoint((float)(Canvas / 2.0 + x * cos - y * sin), (float)(Canvas / 2.0 + x * sin + y * cos));
                if (p == 0) path.MoveTo(point);
                else path.LineTo(point);
            }
        }
        return Render(path, 2.5f + (float)random.NextDouble() * 5);
    }

    /// <summary>A pen wandering: 25 to 60 short steps whose heading turns a little at random each time, kept inside the box.</summary>
    private static float[][] Scribble(Random random)
    {
        var points = new List<float>();
        var (x, y) = (0.2f + 0.6f * random.NextSingle(), 0.2f + 0.6f * random.NextSingle());
        var heading = random.NextDouble() * 2 * Math.PI;
        var turning = 0.3 + random.NextDouble() * 0.6;
        var steps = 25 + random.Next(36);
        for (var s = 0; s < steps; s++)
        {
            points.Add(x);
            points.Add(y);
            heading += (random.NextDouble() - 0.5) * 2 * turning;
            x += 0.07f * (float)Math.Cos(heading);
            y += 0.07f * (float)Math.Sin(heading);
            if (x is < 0 or > 1) { heading = Math.PI - heading; x = Math.Clamp(x, 0, 1); }
            if (y is < 0 or > 1) { heading = -heading; y = Math.Clamp(y, 0, 1); }
        }
        return [points.ToArray()];
    }

    /// <summary>
    /// Two different digits from <paramref name="digits"/> side by side, as one ink map, in one of the two ways a number
    /// turns up where one digit is expected. By default their 28-px frames stand −4 to +4 px apart (two digits given as
    /// one image); MNIST digits sit in the middle 20 px of their frame, so this leaves two ones some 18–26 px apart.
    /// A share <paramref name="touchingShare"/> of the pairs touch instead, as a handwritten number's digits do when a
    /// reader cannot part them: ink boxes touching or up to 2 px into each other (as <see cref="SyntheticNumbers"/>
    /// draws them), their frames up to 2 px apart vertically — so that "1 touching 4" is shown as no digit
    /// (docs/reading-numbers.md has what that did to reading and refusal). At 0 no random number is drawn for the
    /// choice: the pairs are the same as before the option existed.
    /// </summary>
    internal static (float[] Ink, int Width, int Height) Pair(DigitDataset digits, Random random, double touchingShare)
    {
        var first = random.Next(digits.Count);
        var second = random.Next(digits.Count - 1);
        if (second >= first) second++;
        var side = DigitImage.Side;
        int secondLeft, drop;
        // A draw below 1 − share keeps the frames: the order in which the runs of docs/reading-numbers.md drew them.
        if (touchingShare == 0 || random.NextDouble() < 1 - touchingShare)
        {
            secondLeft = side + random.Next(-4, 5);
            drop = 0;
        }
        else
        {
            // 0–2 px of a 28-px frame: the 0–3 px of SyntheticNumbers, whose digits are drawn larger.
            var overlap = random.Next(0, 3);
            var firstRight = SyntheticNumbers.InkExtent(digits.Image(first), PairInkThreshold).Right;
            var secondInkLeft = SyntheticNumbers.InkExtent(digits.Image(second), PairInkThreshold).Left;
            // The second frame starts at least 1 px right of the first's left edge (the ink is placed inside the map):
            // when the first digit's ink ends left of where the second's begins in its frame, such a pair touches less
            // or not at all (4% of pairs of ones, in the tests).
            secondLeft = Math.Max(1, firstRight + 1 - overlap - secondInkLeft);
            drop = random.Next(-2, 3);
        }
        var width = secondLeft + side;
        var height = side + Math.Abs(drop);
        var ink = new float[width * height];
        foreach (var (index, left, top) in new[] { (first, 0, Math.Max(0, -drop)), (second, secondLeft, Math.Max(0, drop)) })
        {
            var image = digits.Image(index);
            for (var y = 0; y < side; y++)
                for (var x = 0; x < side; x++)
                {
                    ref var target = ref ink[(top + y) * width + left + x];
                    target = Math.Max(target, image[y * side + x]);
                }
        }
        return (ink, width, height);
    }

    private static (float[] Ink, int Width, int Height) Render(SKPath path, float penWidth)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(Canvas, Canvas, SKColorType.Alpha8, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Transparent);
        using var pen = new SKPaint
        {
            Color = SKColors.Black, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = penWidth,
            StrokeCap = SKStrokeCap.Round, StrokeJoin = SKStrokeJoin.Round,
        };
        canvas.DrawPath(path, pen);
        var bytes = bitmap.Bytes;
        var ink = new float[bytes.Length];
        for (var i = 0; i < ink.Length; i++) ink[i] = bytes[i] / 255f;
        return (ink, Canvas, Canvas);
    }

    /// <summary>An elliptic arc from <paramref name="fromDegrees"/> to <paramref name="toDegrees"/> (0° = right, clockwise on screen) as a polyline.</summary>
    internal static float[] Arc(float cx, float cy, float rx, float ry, float fromDegrees, float toDegrees)
    {
        var steps = Math.Max(4, (int)(Math.Abs(toDegrees - fromDegrees) / 15));
        var points = new float[2 * (steps + 1)];
        for (var s = 0; s <= steps; s++)
        {
            var a = (fromDegrees + (toDegrees - fromDegrees) * s / steps) * MathF.PI / 180;
            points[2 * s] = cx + rx * MathF.Cos(a);
            points[2 * s + 1] = cy + ry * MathF.Sin(a);
        }
        return points;
    }

    private static float[] Spiral()
    {
        var points = new List<float>();
        for (var s = 0; s <= 40; s++)
        {
            var a = s * 0.45f;
            var r = 0.05f + 0.45f * s / 40;
            points.Add(0.5f + r * MathF.Cos(a));
            points.Add(0.5f + r * MathF.Sin(a));
        }
        return points.ToArray();
    }

    internal static float[] Concat(params float[][] parts) => parts.SelectMany(p => p).ToArray();
}
