using DigitRecognizer.Evaluation;
using ScottPlot;

namespace DigitRecognizer.Visualization;

/// <summary>Precision, recall and F1 of every digit as groups of three bars, with the macro-average F1 as a dashed line.</summary>
public static class PerClassChart
{
    /// <summary>Renders <paramref name="report"/> as a PNG; <paramref name="subtitle"/> names the model and the data.</summary>
    /// <remarks>
    /// The value axis starts just below the lowest score rather than at 0: a good model scores 0.97–1.00
    /// everywhere and bars from 0 would all look alike. The tick labels show where it starts.
    /// </remarks>
    public static byte[] Render(ClassificationReport report, string subtitle)
    {
        var worst = report.Classes.MinBy(c => c.F1)!;
        var plot = ChartStyle.NewPlot(
            ChartStyle.Text($"Precision, recall and F1 per digit (lowest F1: digit {worst.Digit}, {worst.F1:F3})"), subtitle,
            "digit (images of it in the data)", "score");

        var series = new (string Name, Color Color, Func<ClassScores, double> Value)[]
        {
            ("precision", ChartStyle.Blue, c => c.Precision),
            ("recall", ChartStyle.Orange, c => c.Recall),
            ("F1", ChartStyle.Green, c => c.F1),
        };
        const double barWidth = 0.26;
        for (var s = 0; s < series.Length; s++)
        {
            var (name, color, value) = series[s];
            var bars = report.Classes.Select(c => new Bar
            {
                Position = c.Digit + (s - 1) * barWidth,
                Value = value(c),
                Size = barWidth * 0.92,
                FillColor = color,
                LineWidth = 0,
            }).ToList();
            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = name;
        }

        var lowest = report.Classes.Min(c => Math.Min(c.Precision, Math.Min(c.Recall, c.F1)));
        // Room below the lowest bar, rounded down to a round number (a 0.01 grid for good models, else 0.05).
        var grid = 1 - lowest < 0.05 ? 0.01 : 0.05;
        var bottom = Math.Max(0, Math.Floor((lowest - Math.Max(0.01, (1 - lowest) * 0.3)) / grid) * grid);
        var macroF1 = plot.Add.HorizontalLine(report.MacroAverage.F1, 2f, ChartStyle.Ink, LinePattern.Dashed);
        macroF1.LegendText = ChartStyle.Text($"macro-average F1 {report.MacroAverage.F1:F4}");

        var digits = report.Classes.Select(c => (double)c.Digit).ToArray();
        var labels = report.Classes.Select(c => ChartStyle.Text($"{c.Digit}\n({c.Support:N0})")).ToArray();
        plot.Axes.Bottom.SetTicks(digits, labels);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.SetLimits(digits.Min() - 0.6, digits.Max() + 0.4, bottom, 1);   // only the digits in the data (see ClassificationReport)
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.ShowLegend(Edge.Bottom);
        return ChartStyle.ToPng(plot, ChartStyle.Width, ChartStyle.Height);
    }
}
