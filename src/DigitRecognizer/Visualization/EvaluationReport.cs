using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Evaluation;
using DigitRecognizer.IO;

namespace DigitRecognizer.Visualization;

/// <summary>
/// Writes an evaluation as a folder a person can open: report.md with a short summary that embeds every
/// picture, the pictures themselves, and metrics.json with the figures (an <see cref="EvaluationSummary"/>).
/// </summary>
/// <remarks>
/// Every picture is drawn in memory before the first file is written, so a failure while drawing leaves
/// the folder as it was; each file then goes through <see cref="AtomicFile"/>. report.md is written last.
/// </remarks>
public static class EvaluationReport
{
    public const string ReportFile = "report.md";
    public const string MetricsFile = "metrics.json";
    public const string ConfusionMatrixFile = "confusion-matrix.png";
    public const string PerClassFile = "per-class.png";
    public const string MisclassifiedFile = "misclassified.png";
    public const string ConfidenceFile = "confidence.png";
    public const string TrainingCurvesFile = "training-curves.png";

    /// <summary>
    /// Writes the report of <paramref name="result"/> (measured on <paramref name="data"/>, with the checkpoint at
    /// <paramref name="checkpointPath"/>) into <paramref name="folder"/>, creating it if need be.
    /// training-curves.png is drawn when <paramref name="training"/> carries an epoch history;
    /// misclassified.png when there are mistakes.
    /// </summary>
    /// <returns>The paths written, report.md last.</returns>
    public static IReadOnlyList<string> Write(string folder, EvaluationResult result, DigitDataset data, string checkpointPath,
        CheckpointMetadata? training = null, EvaluationReportOptions? options = null)
    {
        options ??= new EvaluationReportOptions();
        options.Validate();
        if (data.Count != result.Predictions.Count)
            throw new ArgumentException($"The result has {result.Predictions.Count} predictions but the data {data.Count} images.", nameof(data));

        var modelName = options.ModelName ?? Checkpoint.Describe(checkpointPath, result.Model);
        var dataName = options.DataName ?? DigitData.Describe(result.Data);
        var subtitle = ChartStyle.Text($"{modelName} on {dataName} ({data.Count:N0} images)");
        var summary = EvaluationSummary.From(result, checkpointPath);
        var mistakes = result.Mistakes(options.Mistakes);

        var pictures = new List<(string File, byte[] Png)>
        {
            (ConfusionMatrixFile, ConfusionMatrixChart.Render(result.ConfusionMatrix, subtitle)),
            (PerClassFile, PerClassChart.Render(result.Report, subtitle)),
        };
        if (mistakes.Count > 0)
            pictures.Add((MisclassifiedFile,
                DigitPictures.Mistakes(data, mistakes, result.ConfusionMatrix.Total - result.ConfusionMatrix.Correct, subtitle)));
        pictures.Add((ConfidenceFile, ConfidenceChart.Render(result.Predictions, result.Truth, subtitle)));
        if (training is { Metrics.History.Count: > 0 } or { Metrics.Members.Count: > 0 })
            pictures.Add((TrainingCurvesFile, TrainingCurvesChart.Render(training,
                ChartStyle.Text($"{modelName}, trained on {DigitData.Describe(training.Metrics.DataSource)}"))));

        var written = new List<string>();
        foreach (var (file, png) in pictures)
        {
            var path = Path.Combine(folder, file);
            AtomicFile.WriteBytes(path, png);
            written.Add(path);
        }
        var metricsPath = Path.Combine(folder, MetricsFile);
        JsonFormat.Write(metricsPath, summary);
        written.Add(metricsPath);

        var reportPath = Path.Combine(folder, ReportFile);
        var files = pictures.Select(p => p.File).ToHashSet();
        AtomicFile.WriteText(reportPath, writer => WriteMarkdown(writer, result, summary, modelName, dataName, training, mistakes, files));
        written.Add(reportPath);
        return written;
    }

    private static void WriteMarkdown(TextWriter w, EvaluationResult result, EvaluationSummary summary, string modelName, string dataName,
        CheckpointMetadata? training, IReadOnlyList<Mistake> shownMistakes, ISet<string> files)
    {
        var matrix = result.ConfusionMatrix;
        var report = result.Report;
        var wrong = matrix.Total - matrix.Correct;
        var worst = report.Classes.MinBy(c => c.F1)!;
        var confusion = MostFrequentConfusion(matrix);

        w.WriteLine(ChartStyle.Text($"# {modelName} on {dataName}"));
        w.WriteLine();
        w.WriteLine("| | |");
        w.WriteLine("| --- | --- |");
        w.WriteLine(ChartStyle.Text($"| model | `{summary.Model}`, checkpoint `{summary.Checkpoint}` |"));
        if (training is not null)
        {
            var m = training.Metrics;
            w.WriteLine(ChartStyle.Text(
                $"| training | {m.History.Count} epochs on {m.TrainImages:N0} images ({m.ValidationImages:N0} held out for validation), kept epoch {m.BestEpoch}; {training.CreatedUtc:yyyy-MM-dd} |"));
        }
        w.WriteLine(ChartStyle.Text($"| data | `{summary.Data}`, {summary.Images:N0} images |"));
        w.WriteLine(ChartStyle.Text($"| accuracy | **{ChartStyle.Percent(summary.Accuracy)}**: {matrix.Correct:N0} right, {wrong:N0} wrong |"));
        w.WriteLine(ChartStyle.Text($"| loss | {summary.Loss:F4} (mean cross-entropy) |"));
        w.WriteLine(ChartStyle.Text($"| F1, macro / weighted average | {report.MacroAverage.F1:F4} / {report.WeightedAverage.F1:F4} |"));
        w.WriteLine(ChartStyle.Text($"| hardest digit | {worst.Digit}: F1 {worst.F1:F4} (precision {worst.Precision:F4}, recall {worst.Recall:F4}) |"));
        if (confusion is var (t, p, count))
            w.WriteLine(ChartStyle.Text($"| most frequent mistake | {t} taken for {p}, {count:N0} times |"));
        w.WriteLine();
        w.WriteLine($"The figures are in [`{MetricsFile}`]({MetricsFile}) (precision, recall and F1 as scikit-learn's `classification_report` defines them).");
        w.WriteLine();

        w.WriteLine("## Confusion matrix");
        w.WriteLine();
        w.WriteLine($"![Confusion matrix]({ConfusionMatrixFile})");
        w.WriteLine();
        w.WriteLine("Rows are the true digits, columns the model's answers: the diagonal holds the right answers, every other cell one kind of mistake. The colour scale is logarithmic so that single mistakes show.");
        w.WriteLine();

        w.WriteLine("## Precision, recall and F1 per digit");
        w.WriteLine();
        w.WriteLine($"![Precision, recall and F1 per digit]({PerClassFile})");
        w.WriteLine();
        w.WriteLine("| digit | precision | recall | F1 | support |");
        w.WriteLine("| ---: | ---: | ---: | ---: | ---: |");
        foreach (var c in report.Classes)
        {
            var digit = c.Digit == worst.Digit ? $"**{c.Digit}**" : $"{c.Digit}";
            w.WriteLine(ChartStyle.Text($"| {digit} | {c.Precision:F4} | {c.Recall:F4} | {c.F1:F4} | {c.Support:N0} |"));
        }
        w.WriteLine(ChartStyle.Text($"| macro avg | {report.MacroAverage.Precision:F4} | {report.MacroAverage.Recall:F4} | {report.MacroAverage.F1:F4} | {report.MacroAverage.Support:N0} |"));
        w.WriteLine(ChartStyle.Text($"| weighted avg | {report.WeightedAverage.Precision:F4} | {report.WeightedAverage.Recall:F4} | {report.WeightedAverage.F1:F4} | {report.WeightedAverage.Support:N0} |"));
        w.WriteLine();

        w.WriteLine("## The most confident mistakes");
        w.WriteLine();
        if (files.Contains(MisclassifiedFile))
        {
            w.WriteLine($"![The most confident mistakes]({MisclassifiedFile})");
            w.WriteLine();
            w.WriteLine(ChartStyle.Text(
                $"The {shownMistakes.Count} wrong answers the model was surest of, most confident first: the true digit, the answer, the probability given to it and the image's number in the data (from 1)."));
        }
        else
        {
            w.WriteLine("None: every answer was right.");
        }
        w.WriteLine();

        w.WriteLine("## Confidence");
        w.WriteLine();
        w.WriteLine($"![Confidence of right and wrong answers]({ConfidenceFile})");
        w.WriteLine();
        var sureButWrong = result.Mistakes().Count(m => m.Confidence >= 0.9f);
        w.WriteLine(ChartStyle.Text(
            $"The probability the model gave its own answer, for right and for wrong answers (each as a share of its group). {sureButWrong:N0} of the {wrong:N0} wrong answers were given with 90% or more."));
        w.WriteLine();

        if (files.Contains(TrainingCurvesFile))
        {
            w.WriteLine("## Training curves");
            w.WriteLine();
            w.WriteLine($"![Training curves]({TrainingCurvesFile})");
            w.WriteLine();
            w.WriteLine("Loss and accuracy per epoch from the history the checkpoint carries: training figures are measured during each epoch, validation figures on the held-out part after it.");
        }
    }

    private static (int Truth, int Predicted, int Count)? MostFrequentConfusion(ConfusionMatrix matrix)
    {
        (int, int, int)? best = null;
        for (var t = 0; t < matrix.ClassCount; t++)
            for (var p = 0; p < matrix.ClassCount; p++)
                if (t != p && matrix[t, p] > 0 && (best is null || matrix[t, p] > best.Value.Item3))
                    best = (t, p, matrix[t, p]);
        return best;
    }
}
