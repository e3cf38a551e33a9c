namespace DigitRecognizer.Inference;

/// <summary>
/// The model's answer for a set of images: ten class probabilities per image (softmax of the logits,
/// each row sums to 1) and the most probable digit.
/// </summary>
public sealed class PredictionSet
{
    /// <summary>
    /// Images per forward pass when predicting. Measured on 2 cores: the CNN predicts ~7,000 images/s at 256
    /// and ~4,000 at 1,000, where each activation (1,000 × 32 × 26 × 26 floats = 86 MB) no longer fits in cache.
    /// </summary>
    public const int DefaultBatchSize = 256;

    /// <summary>Wraps count × 10 probabilities, row-major (each row a softmax).</summary>
    public PredictionSet(float[] probabilities)
    {
        if (probabilities.Length % DigitImage.ClassCount != 0)
            throw new ArgumentException("Probabilities must come in rows of ten.", nameof(probabilities));
        Probabilities = probabilities;
        Labels = new int[probabilities.Length / DigitImage.ClassCount];
        for (var i = 0; i < Labels.Length; i++)
        {
            var row = Row(i);
            var best = 0;
            for (var digit = 1; digit < row.Length; digit++)
                if (row[digit] > row[best]) best = digit;
            Labels[i] = best;
        }
    }

    /// <summary>Count × 10 probabilities, row-major.</summary>
    public float[] Probabilities { get; }

    /// <summary>The predicted digit of each image (the arg-max of its row; the lower digit on a tie).</summary>
    public int[] Labels { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>The ten probabilities of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Row(int index) =>
        Probabilities.AsSpan(index * DigitImage.ClassCount, DigitImage.ClassCount);

    /// <summary>Probability the model gives its own answer for image <paramref name="index"/>.</summary>
    public float Confidence(int index) => Row(index)[Labels[index]];

    /// <summary>Share of images whose predicted digit equals <paramref name="truth"/>, 0–1.</summary>
    public double Accuracy(IReadOnlyList<int> truth)
    {
        CheckLength(truth);
        var correct = 0;
        for (var i = 0; i < Count; i++)
            if (Labels[i] == truth[i]) correct++;
        return Count == 0 ? 0 : (double)correct / Count;
    }

    /// <summary>Mean cross-entropy (natural log) of the true digits: what training minimises.</summary>
    public double MeanLoss(IReadOnlyList<int> truth)
    {
        CheckLength(truth);
        double sum = 0;
        for (var i = 0; i < Count; i++)
            sum -= Math.Log(Math.Max(Row(i)[truth[i]], float.Epsilon));
        return Count == 0 ? 0 : sum / Count;
    }

    private void CheckLength(IReadOnlyList<int> truth)
    {
        if (truth.Count != Count)
            throw new ArgumentException($"{truth.Count} labels for {Count} predictions.", nameof(truth));
    }
}
