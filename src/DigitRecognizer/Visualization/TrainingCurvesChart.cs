using DigitRecognizer.Checkpoints;
using ScottPlot;

namespace DigitRecognizer.Visualization;

/// <summary>
/// Loss and accuracy per epoch, training against validation, in two panels side by side, with the epoch
/// whose weights were kept marked. Drawn from the history every checkpoint carries.
/// </summary>
public static class TrainingCurvesChart
{
    /// <summary>Renders the curves of <paramref name="metrics"/> as a PNG; <paramref name="subtitle"/> names the model and the data.</summary>
    /// <exception cref="ArgumentException">The history is empty (and it is not an ensemble whose members have one).</exception>
    public static byte[] Render(TrainingSummary metrics, string subtitle)
    {
        // An ensemble has no epochs of its own: show its first member's, and say so.
        if (metrics.History.Count == 0 && metrics.Members is { Count: > 0 } members)
            return Render(members[0], $"{subtitle} — ensemble member 1 of {members.Count}");
        var history = metrics.History;
        if (history.Count == 0)
            throw new ArgumentException("The training history is empty: there are no epochs to draw.", nameof(metrics));

        var epochs = history.Select(e => (double)e.Epoch).ToArray();
        var hasValidation = history.All(e => e.ValidationLoss is not null && e.ValidationAccuracy is not null);
        var kept = hasValidation
            ? ChartStyle.Text($"kept: epoch {metrics.BestEpoch} (best validation accuracy)")
            : ChartStyle.Text($"kept: epoch {metrics.BestEpoch} (the last; no validation part)");

        var loss = ChartStyle.NewPlot("Loss (cross-entropy)", "", "epoch", "loss");
        AddCurve(loss, epochs, history.Select(e => e.TrainLoss), "training (mean over the epoch)", ChartStyle.Blue);
        if (hasValidation)
            AddCurve(loss, epochs, history.Select(e => e.ValidationLoss!.Value), "validation (after the epoch)", ChartStyle.Orange);

        var accuracy = ChartStyle.NewPlot("Accuracy", "", "epoch", "accuracy (%)");
        AddCurve(accuracy, epochs, history.Select(e => 100 * e.TrainAccuracy), "training (during the epoch)", ChartStyle.Blue);
        if (hasValidation)
            AddCurve(accuracy, epochs, history.Select(e => 100 * e.ValidationAccuracy!.Value), "validation (after the epoch)", ChartStyle.Orange);

        foreach (var panel in new[] { loss, accuracy })
        {
            var best = panel.Add.VerticalLine(metrics.BestEpoch, 1.5f, ChartStyle.Green, LinePattern.Dashed);
            best.LegendText = kept;
            SetEpochTicks(panel, epochs.Length);
            panel.Axes.SetLimitsX(0.5, epochs.Length + 0.5);
            panel.ShowLegend(loss == panel ? Alignment.UpperRight : Alignment.LowerRight);
        }
        loss.Axes.SetLimitsY(0, history.Max(e => Math.Max(e.TrainLoss, e.ValidationLoss ?? 0)) * 1.1);
        var title = ChartStyle.Text($"Training curves: {history.Count} epochs, {metrics.TrainImages:N0} images trained on, {metrics.ValidationImages:N0} held out for validation");
        return ChartStyle.ToPng([loss, accuracy], ChartStyle.Width * 3 / 4, title, subtitle, ChartStyle.Height - 100);
    }

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
