using DigitRecognizer.Imaging;
using DigitRecognizer.Reading;

namespace DigitRecognizer.Data;

/// <summary>
/// Non-digits that training never shows: a validation family for the refusal rule. <see cref="SyntheticNonDigits"/>
/// are what training pushes towards "no digit", so a model refuses nearly all of them at any threshold (98% of
/// validation draws for the shipped <c>best</c>) and they cannot say how it treats non-digits it has not met. These are
/// drawn with the same pen but are other things: letters of other alphabets and symbols (Σ, Ω, Ж, €, ⊕, an envelope…),
/// harmonic curves (sums of sines, looping unlike the random walk training scribbles with), chains of cursive loops
/// and clusters of dots. None of them is the tests' measure either: those are letters set in real typefaces and
/// random quadratic curves.
/// Keep these out of training: once a model has seen them they are no longer a validation of anything.
/// </summary>
public static class UnseenNonDigits
{
    // As in SyntheticNonDigits: no glyph with a digit look-alike (no З Э Б Ч Ю ∞ θ § Γ Δ, no lone strokes). Three drawn
    // at first were dropped for that once the shipped best read them so, and a reader would too: Я (a loop on a stem: 9,
    // 80% of them), Ψ (4, 76%) and a cloud (a closed round outline: 0, 70%).
    private static readonly (string Name, float[][] Strokes)[] Glyphs =
    [
        ("Σ", [[0.85f, 0, 0.1f, 0, 0.5f, 0.5f, 0.1f, 1, 0.85f, 1]]),
        ("Ω", [SyntheticNonDigits.Concat([0.05f, 1, 0.32f, 1], SyntheticNonDigits.Arc(0.5f, 0.45f, 0.4f, 0.45f, 115, 425), [0.68f, 1, 0.95f, 1])]),
        ("Φ", [[0.5f, 0, 0.5f, 1], SyntheticNonDigits.Arc(0.5f, 0.5f, 0.42f, 0.28f, 0, 360)]),
        ("λ", [[0.1f, 1, 0.5f, 0.4f], [0.2f, 0, 0.5f, 0.4f, 0.9f, 1]]),
        ("π", [[0.05f, 0.2f, 0.95f, 0.2f], [0.3f, 0.2f, 0.27f, 1], [0.7f, 0.2f, 0.76f, 1]]),
        ("Ξ", [[0.1f, 0, 0.9f, 0], [0.22f, 0.5f, 0.78f, 0.5f], [0.1f, 1, 0.9f, 1]]),
        ("Ж", [[0.5f, 0, 0.5f, 1], [0.05f, 0, 0.5f, 0.5f, 0.05f, 1], [0.95f, 0, 0.5f, 0.5f, 0.95f, 1]]),
        ("Ш", [[0.05f, 0, 0.05f, 1, 0.95f, 1, 0.95f, 0], [0.5f, 0, 0.5f, 1]]),
        ("€", [SyntheticNonDigits.Arc(0.6f, 0.5f, 0.4f, 0.5f, 45, 315), [0.05f, 0.4f, 0.6f, 0.4f], [0.05f, 0.6f, 0.6f, 0.6f]]),
        ("¥", [[0.1f, 0, 0.5f, 0.45f, 0.9f, 0], [0.5f, 0.45f, 0.5f, 1], [0.2f, 0.55f, 0.8f, 0.55f], [0.2f, 0.75f, 0.8f, 0.75f]]),
        ("≠", [[0.05f, 0.35f, 0.95f, 0.35f], [0.05f, 0.65f, 0.95f, 0.65f], [0.7f, 0.05f, 0.3f, 0.95f]]),
        ("÷", [[0.05f, 0.5f, 0.95f, 0.5f], [0.5f, 0.12f, 0.5f, 0.18f], [0.5f, 0.82f, 0.5f, 0.88f]]),
        ("⊕", [SyntheticNonDigits.Arc(0.5f, 0.5f, 0.48f, 0.48f, 0, 360), [0.5f, 0.02f, 0.5f, 0.98f], [0.02f, 0.5f, 0.98f, 0.5f]]),
        ("☒", [[0, 0, 1, 0, 1, 1, 0, 1, 0, 0], [0, 0, 1, 1], [1, 0, 0, 1]]),
        ("envelope", [[0, 0.15f, 1, 0.15f, 1, 0.85f, 0, 0.85f, 0, 0.15f], [0, 0.15f, 0.5f, 0.55f, 1, 0.15f]]),
        ("house", [[0, 0.45f, 0.5f, 0, 1, 0.45f], [0.15f, 0.35f, 0.15f, 1, 0.85f, 1, 0.85f, 0.35f]]),
        ("sun", [SyntheticNonDigits.Arc(0.5f, 0.5f, 0.2f, 0.2f, 0, 360), [0.5f, 0, 0.5f, 0.2f], [0.5f, 0.8f, 0.5f, 1], [0, 0.5f, 0.2f, 0.5f],
                 [0.8f, 0.5f, 1, 0.5f], [0.15f, 0.15f, 0.3f, 0.3f], [0.7f, 0.7f, 0.85f, 0.85f], [0.85f, 0.15f, 0.7f, 0.3f], [0.3f, 0.7f, 0.15f, 0.85f]]),
        ("flower", [SyntheticNonDigits.Arc(0.5f, 0.5f, 0.1f, 0.1f, 0, 360), SyntheticNonDigits.Arc(0.5f, 0.2f, 0.12f, 0.2f, 0, 360),
                    SyntheticNonDigits.Arc(0.5f, 0.8f, 0.12f, 0.2f, 0, 360), SyntheticNonDigits.Arc(0.2f, 0.5f, 0.2f, 0.12f, 0, 360),
                    SyntheticNonDigits.Arc(0.8f, 0.5f, 0.2f, 0.12f, 0, 360)]),
        ("wave", [Wave()]),
    ];

    /// <summary>The names of the glyphs and shapes drawn (for documentation and tests).</summary>
    public static IReadOnlyList<string> GlyphNames { get; } = Glyphs.Select(g => g.Name).ToArray();

    /// <summary>
    /// <paramref name="count"/> non-digit images (unlabelled, 28×28 in [0, 1]), the same for the same seed: 50% glyphs
    /// and shapes, 30% harmonic curves, 10% chains of loops, 10% clusters of dots; each prepared as a photo is
    /// (<see cref="MnistPreprocessor"/>).
    /// </summary>
    public static DigitDataset Generate(int count, int seed) => Generate(count, seed, out _);

    /// <summary>As <see cref="Generate(int, int)"/>, with what each image is: a glyph's name, "harmonic", "loops" or "dots".</summary>
    public static DigitDataset Generate(int count, int seed, out IReadOnlyList<string> kinds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var names = new string[count];
        kinds = names;
        var random = new Random(seed);
        var preprocessor = new MnistPreprocessor();
        var pixels = new float[count * DigitImage.PixelCount];
        for (var i = 0; i < count; i++)
        {
            var pick = random.NextDouble();
            float[][] strokes;
            if (pick < 0.5)
            {
                var glyph = Glyphs[random.Next(Glyphs.Length)];
                (names[i], strokes) = (glyph.Name, glyph.Strokes);
            }
            else if (pick < 0.8) (names[i], strokes) = ("harmonic", [Harmonic(random)]);
            else if (pick < 0.9) (names[i], strokes) = ("loops", [Loops(random)]);
            else (names[i], strokes) = ("dots", Dots(random));
            var (ink, width, height) = SyntheticNonDigits.Draw(strokes, random);
            var prepared = preprocessor.FromInk(ink, width, height, InkPolarity.DarkOnLight);
            prepared.Pixels.CopyTo(pixels, i * DigitImage.PixelCount);
        }
        return new DigitDataset(pixels, null, $"unseen non-digits ({count}, seed {seed})");
    }

    /// <summary>x and y each a sum of two or three sines of small whole frequencies, over one to one and a half turns, scaled into the unit box.</summary>
    private static float[] Harmonic(Random random)
    {
        var terms = 2 + random.Next(2);
        var (fx, fy, ax, ay, px, py) = (new int[terms], new int[terms], new double[terms], new double[terms], new double[terms], new double[terms]);
        for (var k = 0; k < terms; k++)
        {
            (fx[k], fy[k]) = (1 + random.Next(4), 1 + random.Next(4));
            (ax[k], ay[k]) = (0.3 + random.NextDouble(), 0.3 + random.NextDouble());
            (px[k], py[k]) = (random.NextDouble() * 2 * Math.PI, random.NextDouble() * 2 * Math.PI);
        }
        var turns = 1 + random.NextDouble() * 0.5;
        const int steps = 80;
        var (xs, ys) = (new double[steps + 1], new double[steps + 1]);
        for (var s = 0; s <= steps; s++)
        {
            var t = turns * 2 * Math.PI * s / steps;
            for (var k = 0; k < terms; k++)
            {
                xs[s] += ax[k] * Math.Sin(fx[k] * t + px[k]);
                ys[s] += ay[k] * Math.Sin(fy[k] * t + py[k]);
            }
        }
        return IntoUnitBox(xs, ys);
    }

    /// <summary>Three to five cursive loops in a row (a curtate cycloid), as a hand writes "eee" or "lll" without lifting the pen.</summary>
    private static float[] Loops(Random random)
    {
        var loops = 3 + random.Next(3);
        var (radius, advance) = (0.8 + random.NextDouble() * 0.6, 1.0);
        var steps = loops * 16;
        var (xs, ys) = (new double[steps + 1], new double[steps + 1]);
        for (var s = 0; s <= steps; s++)
        {
            var t = 2 * Math.PI * loops * s / steps;
            xs[s] = advance * t / (2 * Math.PI) * 1.2 - radius * 0.35 * Math.Sin(t);
            ys[s] = -radius * 0.5 * Math.Cos(t);
        }
        return IntoUnitBox(xs, ys);
    }

    /// <summary>Six to fifteen dots at random: specks, not a written shape.</summary>
    private static float[][] Dots(Random random)
    {
        var count = 6 + random.Next(10);
        var dots = new float[count][];
        for (var d = 0; d < count; d++)
        {
            var (x, y) = (random.NextSingle(), random.NextSingle());
            dots[d] = [x, y, x + 0.01f, y];
        }
        return dots;
    }

    private static float[] Wave()
    {
        var points = new float[2 * 33];
        for (var s = 0; s <= 32; s++)
        {
            points[2 * s] = s / 32f;
            points[2 * s + 1] = 0.5f + 0.3f * MathF.Sin(4 * MathF.PI * s / 32f);
        }
        return points;
    }

    /// <summary>The polyline scaled, keeping its proportions, so that its longer side spans the unit box.</summary>
    private static float[] IntoUnitBox(double[] xs, double[] ys)
    {
        var (minX, maxX, minY, maxY) = (xs.Min(), xs.Max(), ys.Min(), ys.Max());
        var span = Math.Max(Math.Max(maxX - minX, maxY - minY), 1e-9);
        var (offsetX, offsetY) = ((1 - (maxX - minX) / span) / 2, (1 - (maxY - minY) / span) / 2);
        var points = new float[2 * xs.Length];
        for (var s = 0; s < xs.Length; s++)
        {
            points[2 * s] = (float)(offsetX + (xs[s] - minX) / span);
            points[2 * s + 1] = (float)(offsetY + (ys[s] - minY) / span);
        }
        return points;
    }
}
