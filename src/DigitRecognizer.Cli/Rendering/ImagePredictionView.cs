using DigitRecognizer.Data;
using DigitRecognizer.Imaging;
using DigitRecognizer.Inference;
using Spectre.Console;

namespace DigitRecognizer.Cli.Rendering;

/// <summary>
/// <c>digits predict</c> on photos, scans or drawings: each image through the same MNIST-style preprocessing
/// as the web page, then one line per image with the digit, its probability and all ten probabilities.
/// </summary>
internal static class ImagePredictionView
{
    public static int Render(IAnsiConsole console, IDigitClassifier classifier, IReadOnlyList<string> images)
    {
        var preprocessor = new MnistPreprocessor();
        var prepared = new List<(string Path, PreparedDigit? Digit, string? Problem)>();
        foreach (var path in images)
        {
            try
            {
                prepared.Add((path, preprocessor.FromFile(path), null));
            }
            catch (InvalidImageException error)
            {
                // One bad file in a folder should not hide the answers for the others; it still fails the run.
                if (images.Count == 1) throw new ArgumentException($"{path}: {error.Message}");
                prepared.Add((path, null, error.Message));
            }
        }

        var readable = prepared.Where(p => p.Digit is { IsEmpty: false }).ToList();
        var pixels = readable.SelectMany(p => p.Digit!.Pixels).ToArray();
        var predictions = readable.Count > 0 ? classifier.Predict(new DigitDataset(pixels, null, "images")) : null;

        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("image").AddColumn(new TableColumn("digit").Centered()).AddColumn(new TableColumn("probability").RightAligned());
        for (var digit = 0; digit < DigitImage.ClassCount; digit++)
            table.AddColumn(new TableColumn(digit.ToString()).RightAligned());
        var failed = false;
        foreach (var (path, digit, problem) in prepared)
        {
            var name = Markup.Escape(Path.GetFileName(path));
            if (problem is not null || digit!.IsEmpty)
            {
                failed |= problem is not null;
                var note = problem is not null ? $"[red]not an image: {Markup.Escape(problem)}[/]" : "[yellow]empty: no ink stands out from the background[/]";
                table.AddRow([name, "–", note, .. Enumerable.Repeat("", DigitImage.ClassCount)]);
                continue;
            }
            var row = readable.FindIndex(r => r.Path == path);
            var probabilities = predictions!.Row(row).ToArray();
            table.AddRow([name, $"[bold]{predictions.Labels[row]}[/]", $"{predictions.Confidence(row):P1}",
                .. probabilities.Select(p => $"{p:F3}")]);
        }
        console.Write(table);
        console.MarkupLineInterpolated($"{readable.Count} of {images.Count} images read with [bold]{classifier.Architecture}[/] after MNIST-style preprocessing.");
        return failed ? ExitCodes.Failure : ExitCodes.Success;
    }
}
