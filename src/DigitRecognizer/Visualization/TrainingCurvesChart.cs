using DigitRecognizer.Checkpoints;
using ScottPlot;

namespace DigitRecognizer.Visualization;

/// <summary>
/// Loss and error rate per epoch, training against validation, in two panels side by side, with the epoch
/// whose weights were kept marked. Drawn from the history every checkpoint carries. The error rate is on a
/// log axis, where 0.6% and 0.3% wrong (99.4% and 99.7% right) lie as far apart as 6% and 3%: on a linear
/// accuracy axis the last tenths that separate good recipes are a few pixels.
/// </summary>
public static class TrainingCurvesChart
{
    // Gridlines of the log axis, in percent wrong, labelled with the accuracy they mean too.
    private static readonly double[] ErrorTicks =
        [0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 1, 2, 3, 4, 5, 10, 20, 30, 50, 100];

    /// <summary>Renders the curves a checkpoint's metadata holds, marking a training loss that includes label smoothing.</summary>
    /// <exception cref="ArgumentException">The history is empty (and it is not an ensemble whose members have one).</exception>
    public static byte[] Render(CheckpointMetadata metadata, string subtitle) =>
        Render(metadata.Metrics, subtitle, metadata.Training.LabelSmoothing);

    /// <summary>Renders the curves of <paramref name="metrics"/> as a PNG; <paramref name="subtitle"/> names the model and the data.</summary>
    /// <param name="labelSmoothing">The run's label smoothing: above 0, the training loss is measured against smoothed targets.</param>
    /// <exception cref="ArgumentException">The history is empty (and it is not an ensemble whose members have one).</exception>
    public static byte[] Render(TrainingSummary metrics, string subtitle, double labelSmoothing = 0)
    {
        // An ensemble has no epochs of its own: show its first member's, and say so.
        if (metrics.History.Count == 0 && metrics.Members is { Count: > 0 } members)
            return Render(members[0], $"{subtitle} — ensemble member 1 of {members.Count}", labelSmoothing);
        var history = metrics.History;
        if (history.Count == 0)
            throw new ArgumentException("The training history is empty: there are no epochs to draw.", nameof(metrics));

        var epochs = history.Select(e => (double)e.Epoch).ToArray();
        var hasValidation = history.All(e => e.ValidationLoss is not null && e.ValidationAccuracy is not null);
        var kept = hasValidation
            ? ChartStyle.Text($"kept: epoch {metrics.BestEpoch} (best validation accuracy)")
            : ChartStyle.Text($"kept: epoch {metrics.BestEpoch} (the last; no validation part)");

        var loss = ChartStyle.NewPlot(labelSmoothing > 0 ? "Loss (cross-entropy)\ntraining's against smoothed labels" : "Loss (cross-entropy)",
            "", "epoch", "loss");
        AddCurve(loss, epochs, history.Select(e => e.TrainLoss), TrainingLossLegend(labelSmoothing), ChartStyle.Blue);
        if (hasValidation)
            AddCurve(loss, epochs, history.Select(e => e.ValidationLoss!.Value), "validation (after the epoch)", ChartStyle.Orange);

        var errors = ChartStyle.NewPlot("Error rate (log scale)", "", "epoch", "wrong (%), log scale — accuracy in brackets");
        var trainErrors = history.Select(e => ErrorPercent(e.TrainAccuracy, metrics.TrainImages)).ToArray();
        AddCurve(errors, epochs, trainErrors.Select(Math.Log10), "training (during the epoch)", ChartStyle.Blue);
        var validationErrors = hasValidation
            ? history.Select(e => ErrorPercent(e.ValidationAccuracy!.Value, metrics.ValidationImages)).ToArray()
            : [];
        if (hasValidation)
            AddCurve(errors, epochs, validationErrors.Select(Math.Log10), ChartStyle.Text($"validation (after the epoch): last {100 - validationErrors[^1]:F2}% right"), ChartStyle.Orange);
        SetErrorAxis(errors, trainErrors.Concat(validationErrors).ToArray());

        foreach (var panel in new[] { loss, errors })
        {
            var best = panel.Add.VerticalLine(metrics.BestEpoch, 1.5f, ChartStyle.Green, LinePattern.Dashed);
            best.LegendText = kept;
            SetEpochTicks(panel, epochs.Length);
            panel.Axes.SetLimitsX(0.5, epochs.Length + 0.5);
            panel.ShowLegend(Alignment.UpperRight);
        }
        loss.Axes.SetLimitsY(0, history.Max(e => Math.Max(e.TrainLoss, e.ValidationLoss ?? 0)) * 1.1);
        var title = ChartStyle.Text($"Training curves: {history.Count} epochs, {metrics.TrainImages:N0} images trained on, {metrics.ValidationImages:N0} held out for validation");
        return ChartStyle.ToPng([loss, errors], ChartStyle.Width * 3 / 4, title, subtitle, ChartStyle.Height - 100);
    }

    /// <summary>
    /// The legend of the training loss: with label smoothing it is measured against softened targets, so it
    /// stays well above the validation loss (measured against the true labels) and is not comparable with it.
    /// </summary>
    internal static string TrainingLossLegend(double labelSmoothing) => labelSmoothing > 0
        ? ChartStyle.Text($"training, label smoothing {labelSmoothing:0.###}: not comparable")
        : "training (mean over the epoch)";

    /// <summary>
    /// Percent wrong for an accuracy over <paramref name="images"/> images. None wrong cannot go on a log axis,
    /// so it is drawn at half an image wrong, just below one.
    /// </summary>
    internal static double ErrorPercent(double accuracy, int images)
    {
        var floor = 100 * 0.5 / Math.Max(1, images);
        return Math.Max(100 * (1 - accuracy), floor);
    }

    private static void SetErrorAxis(Plot plot, double[] errorPercents)
    {
        var low = errorPercents.Min();
        var high = errorPercents.Max();
        // A tick clearly below and above the data, so no point lies on an edge.
        var bottom = ErrorTicks.LastOrDefault(t => t <= low * 0.9, ErrorTicks[0]);
        var top = ErrorTicks.FirstOrDefault(t => t >= high * 1.1, ErrorTicks[^1]);
        var ticks = ErrorTicks.Where(t => t >= bottom && t <= top).ToArray();
        plot.Axes.Left.SetTicks(ticks.Select(Math.Log10).ToArray(), ticks.Select(ErrorTickLabel).ToArray());
        plot.Axes.SetLimitsY(Math.Log10(bottom), Math.Log10(top));
    }

    private static string ErrorTickLabel(double percentWrong) =>
        percentWrong >= 100 ? "100%" : ChartStyle.Text($"{percentWrong:0.##}% ({100 - percentWrong:0.##}%)");

    private static void AddCurve(Plot plot, double[] epochs, IEnumerable<double> values, string name, Color color)
    {
        var curve = plot.Add.Scatter(epochs, values.ToArray(), color);
        curve.LineWidth = 2.5f;
        curve.MarkerSize = 8;
        curve.LegendText = name;
    }

    private static void SetEpochTicks(Plot plot, int count)
    {
        var step = Math.Max(1, (int)Math.Ceiling(count / 12.0));
        var ticks = Enumerable.Range(1, count).Where(e => (e - 1) % step == 0).ToArray();
        plot.Axes.Bottom.SetTicks(ticks.Select(e => (double)e).ToArray(), ticks.Select(e => ChartStyle.Text($"{e}")).ToArray());
    }
}
