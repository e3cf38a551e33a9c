using DigitRecognizer.Inference;
using ScottPlot;

namespace DigitRecognizer.Visualization;

/// <summary>
/// How sure the model was of its answers, right ones against wrong ones: a histogram of the probability
/// it gave its own answer. A well-calibrated model is sure when right and hesitant when wrong.
/// </summary>
public static class ConfidenceChart
{
    /// <summary>Bins of the histogram over confidence 0–1 (20 bins: 5 percentage points each).</summary>
    public const int Bins = 20;

    /// <summary>Renders the histogram as a PNG; <paramref name="subtitle"/> names the model and the data.</summary>
    /// <remarks>
    /// Each group's bars are shares of that group, not counts: a good model has ~100 right answers for every
    /// wrong one, and on a common count scale the wrong answers would not show.
    /// </remarks>
    public static byte[] Render(PredictionSet predictions, IReadOnlyList<int> truth, string subtitle)
    {
        if (truth.Count != predictions.Count)
            throw new ArgumentException($"{truth.Count} labels for {predictions.Count} predictions.", nameof(truth));
        var right = new List<double>();
        var wrong = new List<double>();
        for (var i = 0; i < predictions.Count; i++)
            (predictions.Labels[i] == truth[i] ? right : wrong).Add(predictions.Confidence(i));

        var plot = ChartStyle.NewPlot(
            "Confidence: the probability the model gave its answer", subtitle,
            "confidence (probability of the predicted digit)", "share of the group's answers (%)");

        const double binWidth = 1.0 / Bins;
        var groups = new (string Name, List<double> Values, Color Color, double Offset)[]
        {
            ("right", right, ChartStyle.Right, -0.25),
            ("wrong", wrong, ChartStyle.Wrong, 0.25),
        };
        foreach (var (name, values, color, offset) in groups)
        {
            var counts = new int[Bins];
            foreach (var value in values)
                counts[Math.Min(Bins - 1, (int)(value / binWidth))]++;
            var bars = Enumerable.Range(0, Bins).Select(b => new Bar
            {
                Position = (b + 0.5 + offset) * binWidth,
                Value = values.Count == 0 ? 0 : 100.0 * counts[b] / values.Count,
                Size = binWidth * 0.48,
                FillColor = color,
                LineWidth = 0,
            }).ToList();
            var median = values.Count == 0 ? double.NaN : Statistics.Median(values);
            plot.Add.Bars(bars).LegendText = values.Count == 0
                ? $"{name}: none"
                : ChartStyle.Text($"{name}: {values.Count:N0} answers, median confidence {ChartStyle.Percent(median)}");
        }

        plot.Axes.Bottom.SetTicks(
            Enumerable.Range(0, 11).Select(i => i / 10.0).ToArray(),
            Enumerable.Range(0, 11).Select(i => ChartStyle.Text($"{i / 10.0:0.0}")).ToArray());
        plot.Axes.SetLimits(0, 1, 0, 105);
        plot.Legend.Orientation = Orientation.Vertical;
        plot.ShowLegend(Alignment.UpperLeft);
        return ChartStyle.ToPng(plot, ChartStyle.Width, ChartStyle.Height);
    }
}
