using DigitRecognizer.Data;
using DigitRecognizer.Visualization;
using Spectre.Console;

namespace DigitRecognizer.Cli.Rendering;

/// <summary>Prints digits as text (see <see cref="AsciiDigit"/>) side by side, as many to a row as the terminal is wide.</summary>
internal static class AsciiDigitsView
{
    private const string Separator = "  |  ";

    public static void Render(IAnsiConsole console, DigitDataset data, int count, bool labels)
    {
        count = Math.Min(count, data.Count);
        var width = DigitImage.Side + Separator.Length;
        var perRow = Math.Max(1, (console.Profile.Width + Separator.Length) / width);
        for (var first = 0; first < count; first += perRow)
        {
            var indices = Enumerable.Range(first, Math.Min(perRow, count - first)).ToArray();
            var captions = indices.Select(i => labels && data.Labels is not null ? $"#{i + 1}: {data.Labels[i]}" : $"#{i + 1}");
            console.WriteLine(string.Join(Separator, captions.Select(c => c.PadRight(DigitImage.Side))).TrimEnd());
            var pictures = indices.Select(i => AsciiDigit.Render(data.Image(i))).ToArray();
            for (var line = 0; line < AsciiDigit.Lines; line++)
                console.WriteLine(string.Join(Separator, pictures.Select(p => p[line])).TrimEnd());
            console.WriteLine();
        }
    }
}
