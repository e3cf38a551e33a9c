using SkiaSharp;

namespace DigitRecognizer.Tests.Visualization;

/// <summary>Checks that bytes are a PNG and decodes them.</summary>
internal static class Png
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static SKBitmap Decode(byte[] bytes)
    {
        Assert.True(bytes.Length > Signature.Length && bytes.AsSpan(0, Signature.Length).SequenceEqual(Signature), "not a PNG signature");
        var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        return bitmap;
    }

    public static SKBitmap Decode(string path) => Decode(File.ReadAllBytes(path));
}
