namespace DigitRecognizer.Evaluation;

/// <summary>
/// Counts of (true digit, predicted digit) pairs: row = truth, column = prediction,
/// so the diagonal holds the correct answers.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly int[,] counts;

    /// <summary>Tallies predictions against the truth; both lists hold digits 0 to <paramref name="classCount"/> − 1.</summary>
    public ConfusionMatrix(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, int classCount = DigitImage.ClassCount)
    {
        if (truth.Count != predicted.Count)
            throw new ArgumentException($"{truth.Count} true labels for {predicted.Count} predictions.", nameof(predicted));
        ClassCount = classCount;
        counts = new int[classCount, classCount];
        for (var i = 0; i < truth.Count; i++)
        {
            if ((uint)truth[i] >= classCount || (uint)predicted[i] >= classCount)
                throw new ArgumentOutOfRangeException(nameof(truth), $"Label pair ({truth[i]}, {predicted[i]}) at {i} is outside 0–{classCount - 1}.");
            counts[truth[i], predicted[i]]++;
        }
    }

    /// <summary>Number of classes (rows and columns).</summary>
    public int ClassCount { get; }

    /// <summary>How many images of digit <paramref name="truth"/> were predicted as <paramref name="predicted"/>.</summary>
    public int this[int truth, int predicted] => counts[truth, predicted];

    /// <summary>All images counted.</summary>
    public int Total => Enumerable.Range(0, ClassCount).Sum(RowTotal);

    /// <summary>Correct predictions (the diagonal).</summary>
    public int Correct => Enumerable.Range(0, ClassCount).Sum(c => counts[c, c]);

    /// <summary>Images whose true digit is <paramref name="truth"/> (the class's support).</summary>
    public int RowTotal(int truth) => Enumerable.Range(0, ClassCount).Sum(p => counts[truth, p]);

    /// <summary>Images predicted as <paramref name="predicted"/>.</summary>
    public int ColumnTotal(int predicted) => Enumerable.Range(0, ClassCount).Sum(t => counts[t, predicted]);

    /// <summary>Share of correct predictions, 0–1 (0 for an empty matrix).</summary>
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;

    /// <summary>The counts as rows (truth) of columns (prediction), for JSON and tables.</summary>
    public int[][] ToRows() =>
        Enumerable.Range(0, ClassCount).Select(t => Enumerable.Range(0, ClassCount).Select(p => counts[t, p]).ToArray()).ToArray();
}
