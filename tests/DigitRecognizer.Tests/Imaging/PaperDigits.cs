using DigitRecognizer.Data;
using DigitRecognizer.Reading;

namespace DigitRecognizer.Tests.Imaging;

/// <summary>
/// Renders known MNIST digits as a person might photograph or scan them: dark strokes on light, slightly
/// uneven paper, at a random size and position, slightly rotated, with thicker or thinner strokes,
/// saved as PNG or JPEG. Seeded, so every run renders the same images. The pen and the encoding are those of
/// <see cref="SyntheticNumbers"/> (numbers on paper); this places one digit per page, anywhere, at any size.
/// </summary>
internal static class PaperDigits
{
    public sealed record Rendering(byte[] Encoded, int Index, string Description);

    public static IEnumerable<Rendering> Render(DigitDataset digits, int seed)
    {
        var random = new Random(seed);
        for (var index = 0; index < digits.Count; index++)
        {
            var width = random.Next(120, 400);
            var height = random.Next(120, 400);
            var digitHeight = random.Next(40, Math.Min(width, height) - 10);  // the 28-px MNIST frame spans this many pixels
            var angle = (random.NextDouble() * 2 - 1) * 8 * Math.PI / 180;      // ±8°
            var scale = digitHeight / (double)DigitImage.Side;
            var centreX = random.Next((int)(digitHeight * 0.5), width - (int)(digitHeight * 0.5));
            var centreY = random.Next((int)(digitHeight * 0.5), height - (int)(digitHeight * 0.5));
            var threshold = 0.15 + random.NextDouble() * 0.45;                   // low: thick strokes, high: thin ones
            var paper = 0.78 + random.NextDouble() * 0.2;
            var inkTone = random.NextDouble() * 0.3;
            var jpeg = random.Next(2) == 0;

            var gray = new byte[width * height];
            var image = digits.Image(index).ToArray();
            var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
            for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                {
                    // Back from the page to the digit's own 28×28 coordinates.
                    var (dx, dy) = (x - centreX, y - centreY);
                    var u = (cos * dx + sin * dy) / scale + DigitImage.Side / 2.0 - 0.5;
                    var v = (-sin * dx + cos * dy) / scale + DigitImage.Side / 2.0 - 0.5;
                    var ink = SyntheticNumbers.StrokeInk(image, u, v, threshold);
                    var tone = paper - ink * (paper - inkTone) + (random.NextDouble() - 0.5) * 0.06;
                    gray[y * width + x] = (byte)Math.Clamp(Math.Round(tone * 255), 0, 255);
                }
            yield return new Rendering(SyntheticNumbers.Encode(gray, width, height, jpeg, quality: 85), index,
                $"#{index} {width}×{height}, digit {digitHeight} px, {angle * 180 / Math.PI:F1}°, threshold {threshold:F2}, {(jpeg ? "JPEG" : "PNG")}");
        }
    }
}
