using DigitRecognizer.Checkpoints;
using DigitRecognizer.Training;
using DigitRecognizer.Visualization;

namespace DigitRecognizer.Tests.Visualization;

[Trait("Category", "Fast")]
public sealed class TrainingCurvesChartTests
{
    [Fact]
    public void ErrorRate_IsPercentWrong_AndNoneWrongSitsAtHalfAnImage()
    {
        Assert.Equal(0.3, TrainingCurvesChart.ErrorPercent(0.997, 6000), 9);
        Assert.Equal(0.6, TrainingCurvesChart.ErrorPercent(0.994, 6000), 9);
        Assert.Equal(100 * 0.5 / 6000, TrainingCurvesChart.ErrorPercent(1.0, 6000), 12);
    }

    [Fact]
    public void TrainingLossLegend_SaysWhenLabelSmoothingMakesItIncomparable()
    {
        Assert.Contains("label smoothing 0.1", TrainingCurvesChart.TrainingLossLegend(0.1));
        Assert.Contains("not comparable", TrainingCurvesChart.TrainingLossLegend(0.1));
        Assert.DoesNotContain("smoothing", TrainingCurvesChart.TrainingLossLegend(0));
    }

    [Fact]
    public void Render_DrawsAPerfectEpochAndLabelSmoothing_FromTheMetadata()
    {
        var metrics = new TrainingSummary
        {
            DataSource = "train.csv",
            TrainImages = 54000,
            ValidationImages = 6000,
            BestEpoch = 3,
            TrainingSeconds = 1,
            Threads = 1,
            History =
            [
                new EpochMetrics(1, 0.9, 0.95, 0.05, 0.985, 1, 1000),
                new EpochMetrics(2, 0.6, 0.995, 0.03, 0.994, 1, 1000),
                new EpochMetrics(3, 0.55, 1.0, 0.02, 0.997, 1, 1000),
            ],
        };

        using var bitmap = Png.Decode(TrainingCurvesChart.Render(metrics, "cnn-bn, trained on train.csv", labelSmoothing: 0.1));

        Assert.True(bitmap.Width > bitmap.Height, $"{bitmap.Width}×{bitmap.Height}");
    }
}
