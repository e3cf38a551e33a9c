namespace DigitRecognizer.Visualization;

/// <summary>
/// A digit as plain text for a quick look in a terminal: 14 lines of 28 characters. Each character stands
/// for one pixel across and two down (terminal cells are about twice as tall as wide, so the digit keeps
/// its shape), shaded by the mean ink of the pair: <see cref="Ramp"/> splits 0–1 into ten equal bands.
/// </summary>
public static class AsciiDigit
{
    /// <summary>From no ink to full ink; plain ASCII, so every terminal and log shows it.</summary>
    public const string Ramp = " .:-=+*#%@";

    /// <summary>Lines in a rendering.</summary>
    public const int Lines = DigitImage.Side / 2;

    /// <summary>The digit's <see cref="Lines"/> lines, top to bottom, each <see cref="DigitImage.Side"/> characters long.</summary>
    /// <param name="pixels">784 values 0 (background) … 1 (ink), row by row.</param>
    public static string[] Render(ReadOnlySpan<float> pixels)
    {
        if (pixels.Length != DigitImage.PixelCount)
            throw new ArgumentException($"A digit has {DigitImage.PixelCount} pixels (got {pixels.Length}).", nameof(pixels));
        var lines = new string[Lines];
        var line = new char[DigitImage.Side];
        for (var y = 0; y < Lines; y++)
        {
            for (var x = 0; x < DigitImage.Side; x++)
            {
                var ink = (pixels[2 * y * DigitImage.Side + x] + pixels[(2 * y + 1) * DigitImage.Side + x]) / 2;
                line[x] = Ramp[Math.Min(Ramp.Length - 1, (int)(Math.Clamp(ink, 0f, 1f) * Ramp.Length))];
            }
            lines[y] = new string(line);
        }
        return lines;
    }
}
