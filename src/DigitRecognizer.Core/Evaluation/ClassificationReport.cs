namespace DigitRecognizer.Evaluation;

/// <summary>Precision, recall, F1 and support of one class.</summary>
/// <param name="Digit">The class.</param>
/// <param name="Precision">Of the images predicted as this digit, the share that were it (0 when none were predicted).</param>
/// <param name="Recall">Of the images of this digit, the share predicted as it (0 when there were none).</param>
/// <param name="F1">Harmonic mean of precision and recall (0 when both are 0).</param>
/// <param name="Support">Images whose true digit this is.</param>
public sealed record ClassScores(int Digit, double Precision, double Recall, double F1, int Support);

/// <summary>An average over classes, as in scikit-learn's classification_report.</summary>
public sealed record AverageScores(double Precision, double Recall, double F1, int Support);

/// <summary>
/// Per-class precision, recall and F1 with macro and support-weighted averages. Definitions and the
/// zero-division convention (an undefined ratio counts as 0) follow scikit-learn's classification_report, and so
/// does its choice of classes: those that occur in the truth or the predictions. A data set holding only some digits
/// (say 0–4) is scored on those, not marked down for the digits it never asked about.
/// </summary>
public sealed record ClassificationReport(IReadOnlyList<ClassScores> Classes, AverageScores MacroAverage, AverageScores WeightedAverage)
{
    /// <summary>Computes the report from a confusion matrix.</summary>
    public static ClassificationReport From(ConfusionMatrix matrix)
    {
        var classes = new List<ClassScores>();
        for (var digit = 0; digit < matrix.ClassCount; digit++)
        {
            if (matrix.RowTotal(digit) == 0 && matrix.ColumnTotal(digit) == 0) continue;
            var truePositives = matrix[digit, digit];
            var predicted = matrix.ColumnTotal(digit);
            var support = matrix.RowTotal(digit);
            var precision = Ratio(truePositives, predicted);
            var recall = Ratio(truePositives, support);
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            classes.Add(new ClassScores(digit, precision, recall, f1, support));
        }

        var total = classes.Sum(c => c.Support);
        var macro = classes.Count == 0
            ? new AverageScores(0, 0, 0, 0)
            : new AverageScores(classes.Average(c => c.Precision), classes.Average(c => c.Recall), classes.Average(c => c.F1), total);
        var weighted = total == 0
            ? new AverageScores(0, 0, 0, 0)
            : new AverageScores(
                classes.Sum(c => c.Precision * c.Support) / total,
                classes.Sum(c => c.Recall * c.Support) / total,
                classes.Sum(c => c.F1 * c.Support) / total,
                total);
        return new ClassificationReport(classes, macro, weighted);
    }

    private static double Ratio(int numerator, int denominator) => denominator == 0 ? 0 : (double)numerator / denominator;
}
