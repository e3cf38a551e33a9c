using DigitRecognizer.Data;

namespace DigitRecognizer.Evaluation;

/// <summary>Scores a submission file against known labels, as Kaggle's leaderboard does: plain accuracy.</summary>
public static class SubmissionScorer
{
    /// <summary>
    /// Reads the submission at <paramref name="submissionPath"/> (ImageId,Label) and compares it, row by row,
    /// with the labels of <paramref name="truth"/>.
    /// </summary>
    /// <returns>The confusion matrix of the submission's labels against the true ones (its Accuracy is the score).</returns>
    /// <exception cref="DataFormatException">
    /// The submission is malformed, <paramref name="truth"/> has no labels, or the two differ in length (named with both counts).
    /// </exception>
    public static ConfusionMatrix Score(string submissionPath, DigitDataset truth)
    {
        var predicted = SubmissionWriter.Read(submissionPath);
        var labels = truth.RequireLabels("scoring");
        if (truth.Count != predicted.Count)
            throw new DataFormatException(submissionPath, null, null,
                $"has {predicted.Count:N0} predictions but {truth.Source} has {truth.Count:N0} images; expected one row per image");
        return new ConfusionMatrix(labels, predicted);
    }
}
