using DigitRecognizer.Engine;
using DigitRecognizer.Evaluation;
using Spectre.Console;

namespace DigitRecognizer.Cli.Rendering;

/// <summary>Renders an evaluation as aligned tables: the headline figures, the confusion matrix, per-class scores.</summary>
internal static class EvaluationView
{
    public static void Render(IAnsiConsole console, EvaluationResult result)
    {
        var matrix = result.ConfusionMatrix;
        console.MarkupLineInterpolated(
            $"[bold]{result.Model}[/] on {result.Data}: accuracy [bold green]{result.Accuracy:P2}[/] ({matrix.Correct:N0}/{matrix.Total:N0}), loss {result.Loss:F4}");

        var confusion = new Table().Title("Confusion matrix (rows: true digit, columns: predicted)").Border(TableBorder.Rounded);
        confusion.AddColumn(new TableColumn("true\\pred").RightAligned());
        for (var predicted = 0; predicted < matrix.ClassCount; predicted++)
            confusion.AddColumn(new TableColumn(predicted.ToString()).RightAligned());
        for (var truth = 0; truth < matrix.ClassCount; truth++)
        {
            var cells = new List<string> { $"[bold]{truth}[/]" };
            for (var predicted = 0; predicted < matrix.ClassCount; predicted++)
            {
                var count = matrix[truth, predicted];
                cells.Add(truth == predicted ? $"[green]{count}[/]" : count == 0 ? "[grey]·[/]" : $"[red]{count}[/]");
            }
            confusion.AddRow(cells.ToArray());
        }
        console.Write(confusion);

        var worstF1 = result.Report.Classes.Min(c => c.F1);
        var scores = new Table().Title("Per-class scores").Border(TableBorder.Rounded);
        foreach (var header in new[] { "digit", "precision", "recall", "F1", "support" })
            scores.AddColumn(new TableColumn(header).RightAligned());
        foreach (var c in result.Report.Classes)
        {
            var style = c.F1 == worstF1 ? "yellow" : "default";
            scores.AddRow($"[{style}]{c.Digit}[/]", $"[{style}]{c.Precision:F4}[/]", $"[{style}]{c.Recall:F4}[/]", $"[{style}]{c.F1:F4}[/]", $"[{style}]{c.Support:N0}[/]");
        }
        scores.AddEmptyRow();
        AddAverage(scores, "macro avg", result.Report.MacroAverage);
        AddAverage(scores, "weighted avg", result.Report.WeightedAverage);
        console.Write(scores);
        console.MarkupLine("[grey]The lowest F1 is highlighted in yellow.[/]");
    }

    private static void AddAverage(Table table, string name, AverageScores average) =>
        table.AddRow(name, $"{average.Precision:F4}", $"{average.Recall:F4}", $"{average.F1:F4}", $"{average.Support:N0}");

    /// <summary>Each network's own figures, and how many images how many of them get wrong.</summary>
    public static void Render(IAnsiConsole console, NetworkAgreement agreement, Precision ensemblePrecision)
    {
        // Members are measured in float32; say so when the ensemble's figure above was not.
        var title = ensemblePrecision == Precision.Float32 ? "Each network on its own" : "Each network on its own (float32)";
        var table = new Table().Title(title).Border(TableBorder.Rounded);
        foreach (var header in new[] { "network", "architecture", "accuracy", "wrong" })
            table.AddColumn(new TableColumn(header).RightAligned());
        for (var i = 0; i < agreement.Networks; i++)
        {
            var wrong = agreement.NetworkErrors[i];
            table.AddRow($"{i + 1}", Markup.Escape(agreement.Architectures[i]), $"{1 - (double)wrong / agreement.Images:P2}", $"{wrong:N0}");
        }
        console.Write(table);
        var counts = string.Join(", ", Enumerable.Range(1, agreement.Networks)
            .Where(n => agreement.ImagesWrongIn[n] > 0)
            .Select(n => $"{n}: {agreement.ImagesWrongIn[n]:N0}"));
        console.MarkupLineInterpolated(
            $"Images wrong in n of the {agreement.Networks} networks: {(counts.Length == 0 ? "none" : counts)}; wrong in all: [bold]{agreement.WrongInAll:N0}[/].");
    }
}
