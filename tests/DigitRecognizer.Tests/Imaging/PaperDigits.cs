using DigitRecognizer.Data;
using SkiaSharp;

namespace DigitRecognizer.Tests.Imaging;

/// <summary>
/// Renders known MNIST digits as a person might photograph or scan them: dark strokes on light, slightly
/// uneven paper, at a random size and position, slightly rotated, with thicker or thinner strokes,
/// saved as PNG or JPEG. Seeded, so every run renders the same images.
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
                    var ink = SmoothStep(threshold - 0.12, threshold + 0.12, Bilinear(image, u, v));
                    var tone = paper - ink * (paper - inkTone) + (random.NextDouble() - 0.5) * 0.06;
                    gray[y * width + x] = (byte)Math.Clamp(Math.Round(tone * 255), 0, 255);
                }
            using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
            System.Runtime.InteropServices.Marshal.Copy(gray, 0, bitmap.GetPixels(), gray.Length);
            using var data = bitmap.Encode(jpeg ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png, 85);
            yield return new Rendering(data.ToArray(), index,
                $"#{index} {width}×{height}, digit {digitHeight} px, {angle * 180 / Math.PI:F1}°, threshold {threshold:F2}, {(jpeg ? "JPEG" : "PNG")}");
        }
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
