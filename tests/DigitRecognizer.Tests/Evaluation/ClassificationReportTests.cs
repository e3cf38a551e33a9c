using DigitRecognizer.Evaluation;

namespace DigitRecognizer.Tests.Evaluation;

[Trait("Category", "Fast")]
public class ClassificationReportTests
{
    // Three classes, worked by hand:
    // truth     0 0 0 1 1 2
    // predicted 0 0 1 1 1 1     (class 2 is never predicted)
    private static readonly int[] Truth = [0, 0, 0, 1, 1, 2];
    private static readonly int[] Predicted = [0, 0, 1, 1, 1, 1];

    [Fact]
    public void ConfusionMatrix_CountsTruthByPrediction()
    {
        var matrix = new ConfusionMatrix(Truth, Predicted, classCount: 3);

        Assert.Equal([[2, 1, 0], [0, 2, 0], [0, 1, 0]], matrix.ToRows());
        Assert.Equal(6, matrix.Total);
        Assert.Equal(4, matrix.Correct);
        Assert.Equal(4.0 / 6, matrix.Accuracy, 12);
        Assert.Equal(3, matrix.RowTotal(0));
        Assert.Equal(4, matrix.ColumnTotal(1));
    }

    [Fact]
    public void Report_MatchesHandComputedScores_IncludingAClassNeverPredicted()
    {
        var report = ClassificationReport.From(new ConfusionMatrix(Truth, Predicted, classCount: 3));

        // class 0: precision 2/2, recall 2/3, F1 = 2·1·(2/3)/(1+2/3) = 0.8
        AssertScores(report.Classes[0], 1.0, 2.0 / 3, 0.8, 3);
        // class 1: precision 2/4, recall 2/2, F1 = 2·0.5·1/1.5 = 2/3
        AssertScores(report.Classes[1], 0.5, 1.0, 2.0 / 3, 2);
        // class 2: never predicted → precision 0 (scikit-learn's zero_division=0), recall 0, F1 0
        AssertScores(report.Classes[2], 0.0, 0.0, 0.0, 1);

        Assert.Equal((1.0 + 0.5 + 0) / 3, report.MacroAverage.Precision, 12);
        Assert.Equal((2.0 / 3 + 1 + 0) / 3, report.MacroAverage.Recall, 12);
        Assert.Equal((0.8 + 2.0 / 3 + 0) / 3, report.MacroAverage.F1, 12);
        Assert.Equal((1.0 * 3 + 0.5 * 2 + 0 * 1) / 6, report.WeightedAverage.Precision, 12);
        Assert.Equal((2.0 / 3 * 3 + 1.0 * 2 + 0) / 6, report.WeightedAverage.Recall, 12);
        Assert.Equal((0.8 * 3 + 2.0 / 3 * 2 + 0) / 6, report.WeightedAverage.F1, 12);
        Assert.Equal(6, report.WeightedAverage.Support);
    }

    [Fact]
    public void Report_OfDataHoldingSomeDigitsOnly_LeavesOutTheDigitsNeitherTrueNorPredicted()
    {
        // Digits 1 and 3 of 5: 3 is once predicted as 4, which is thereby in the report (precision 0) while 0 and 2 are not.
        var report = ClassificationReport.From(new ConfusionMatrix([1, 1, 3, 3], [1, 1, 3, 4], classCount: 5));

        Assert.Equal([1, 3, 4], report.Classes.Select(c => c.Digit));
        AssertScores(report.Classes[1], 1.0, 0.5, 2.0 / 3, 2);
        AssertScores(report.Classes[2], 0.0, 0.0, 0.0, 0);
        Assert.Equal((1 + 2.0 / 3 + 0) / 3, report.MacroAverage.F1, 12);
        Assert.Equal(4, report.MacroAverage.Support);
    }

    [Fact]
    public void ConfusionMatrix_RejectsLabelsOutsideTheClasses() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfusionMatrix([0, 3], [0, 1], classCount: 3));

    private static void AssertScores(ClassScores scores, double precision, double recall, double f1, int support)
    {
        Assert.Equal(precision, scores.Precision, 12);
        Assert.Equal(recall, scores.Recall, 12);
        Assert.Equal(f1, scores.F1, 12);
        Assert.Equal(support, scores.Support);
    }
}
