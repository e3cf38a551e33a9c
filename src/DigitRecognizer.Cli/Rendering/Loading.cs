using System.Diagnostics;
using DigitRecognizer.Data;
using Spectre.Console;

namespace DigitRecognizer.Cli.Rendering;

/// <summary>Loads data with a spinner and says what was loaded and how long it took.</summary>
internal static class Loading
{
    public static DigitDataset Load(IAnsiConsole console, string? path, MnistSplit split)
    {
        var clock = Stopwatch.StartNew();
        var what = path ?? $"embedded MNIST ({split.ToString().ToLowerInvariant()})";
        var data = Working.Status(console, $"Loading {what}…", () => DigitData.Load(path, split));
        var labels = data.IsLabelled ? "labelled" : "unlabelled";
        console.MarkupLineInterpolated($"Loaded {data.Count:N0} {labels} images from {data.Source} in {clock.Elapsed.TotalSeconds:F2} s.");
        return data;
    }
}
