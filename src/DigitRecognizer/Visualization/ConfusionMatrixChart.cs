using System.Globalization;
using DigitRecognizer.Evaluation;
using ScottPlot;

namespace DigitRecognizer.Visualization;

/// <summary>
/// The confusion matrix as a heatmap: true digit down the side (0 at the top, as in the terminal table),
/// predicted digit along the bottom, the count written in every cell.
/// </summary>
/// <remarks>
/// The colour follows log10 of the count: a good model puts ~1,000 images on each diagonal cell and a
/// handful elsewhere, which a linear scale would paint all but white. Empty cells stay white.
/// </remarks>
public static class ConfusionMatrixChart
{
    /// <summary>Renders <paramref name="matrix"/> as a PNG; <paramref name="subtitle"/> names the model and the data.</summary>
    public static byte[] Render(ConfusionMatrix matrix, string subtitle)
    {
        var n = matrix.ClassCount;
        var plot = ChartStyle.NewPlot(
            ChartStyle.Text($"Confusion matrix: {matrix.Correct:N0} of {matrix.Total:N0} right ({ChartStyle.Percent(matrix.Accuracy)})"), subtitle,
            "predicted digit", "true digit");

        var largest = Math.Max(1, Enumerable.Range(0, n).SelectMany(t => Enumerable.Range(0, n).Select(p => matrix[t, p])).Max());
        var logMax = Math.Max(1, Math.Log10(largest));
        // A count of 1 (log 0) must still look different from an empty white cell: start the scale below it.
        var logMin = -0.35 * logMax / 3;
        var intensities = new double[n, n];
        for (var truth = 0; truth < n; truth++)
            for (var predicted = 0; predicted < n; predicted++)
                intensities[truth, predicted] = matrix[truth, predicted] == 0 ? double.NaN : Math.Log10(matrix[truth, predicted]);

        var heatmap = plot.Add.Heatmap(intensities);
        heatmap.Colormap = new ScottPlot.Colormaps.Blues().Reversed();
        heatmap.ManualRange = new ScottPlot.Range(logMin, logMax);
        heatmap.NaNCellColor = Colors.White;
        heatmap.CellAlignment = Alignment.MiddleCenter;

        var fontSize = n <= 10 ? 16f : 11f;
        for (var truth = 0; truth < n; truth++)
            for (var predicted = 0; predicted < n; predicted++)
            {
                var count = matrix[truth, predicted];
                var text = plot.Add.Text(count.ToString("N0", CultureInfo.InvariantCulture), predicted, truth);
                text.Alignment = Alignment.MiddleCenter;
                text.LabelFontSize = fontSize;
                text.LabelBold = truth == predicted;
                var shade = count == 0 ? 0 : (Math.Log10(count) - logMin) / (logMax - logMin);
                text.LabelFontColor = count == 0 ? Colors.LightGray : shade > 0.55 ? Colors.White : ChartStyle.Ink;
            }

        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = "images in the cell (log scale)";
        colorBar.LabelStyle.FontSize = ChartStyle.LabelSize;
        var decades = Enumerable.Range(0, (int)Math.Floor(logMax) + 1).ToArray();
        colorBar.Axis.SetTicks(decades.Select(d => (double)d).ToArray(), decades.Select(d => Math.Pow(10, d).ToString("N0", CultureInfo.InvariantCulture)).ToArray());
        colorBar.Axis.TickLabelStyle.FontSize = ChartStyle.TickSize;

        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var labels = Enumerable.Range(0, n).Select(i => i.ToString()).ToArray();
        plot.Axes.Bottom.SetTicks(positions, labels);
        plot.Axes.Left.SetTicks(positions, labels);
        plot.Axes.SetLimits(-0.5, n - 0.5, n - 0.5, -0.5); // inverted y: true digit 0 on top
        plot.HideGrid();
        return ChartStyle.ToPng(plot, 900, 800);
    }
}
