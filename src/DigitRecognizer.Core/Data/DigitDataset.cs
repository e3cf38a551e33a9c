namespace DigitRecognizer.Data;

/// <summary>
/// A set of 28×28 digits held the way training uses them: one contiguous array of
/// <c>Count × 784</c> floats scaled to [0, 1] (row-major, image after image), with optional labels 0–9.
/// </summary>
public sealed class DigitDataset
{
    public DigitDataset(float[] pixels, int[]? labels, string source)
    {
        if (pixels.Length % DigitImage.PixelCount != 0)
            throw new ArgumentException($"Pixel array length {pixels.Length} is not a multiple of {DigitImage.PixelCount}.", nameof(pixels));
        var count = pixels.Length / DigitImage.PixelCount;
        if (labels is not null && labels.Length != count)
            throw new ArgumentException($"{labels.Length} labels for {count} images.", nameof(labels));
        Pixels = pixels;
        Labels = labels;
        Source = source;
    }

    /// <summary>Count × 784 floats in [0, 1]; image i starts at i × 784.</summary>
    public float[] Pixels { get; }

    /// <summary>The label of each image (0–9), or null for an unlabelled set such as Kaggle's test.csv.</summary>
    public int[]? Labels { get; }

    /// <summary>Where the images came from (a path, or a description), for messages and reports.</summary>
    public string Source { get; }

    /// <summary>Number of images.</summary>
    public int Count => Pixels.Length / DigitImage.PixelCount;

    /// <summary>True when every image has a label.</summary>
    public bool IsLabelled => Labels is not null;

    /// <summary>
    /// The labels, for work that cannot do without them (training, evaluation, scoring).
    /// </summary>
    /// <param name="purpose">What needs them, to start the message: "training", "evaluation", "scoring".</param>
    /// <exception cref="DataFormatException">The set has no labels: names <see cref="Source"/>, line 1, column 1 (where a 'label' column belongs).</exception>
    public int[] RequireLabels(string purpose) =>
        Labels ?? throw new DataFormatException(Source, 1, 1, $"{purpose} needs labels: expected a 'label' column before pixel0");

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index) =>
        Pixels.AsSpan(index * DigitImage.PixelCount, DigitImage.PixelCount);

    /// <summary>A new dataset holding the images at <paramref name="indices"/>, in that order.</summary>
    public DigitDataset Select(IReadOnlyList<int> indices, string? source = null)
    {
        var pixels = new float[indices.Count * DigitImage.PixelCount];
        var labels = Labels is null ? null : new int[indices.Count];
        for (var i = 0; i < indices.Count; i++)
        {
            Image(indices[i]).CopyTo(pixels.AsSpan(i * DigitImage.PixelCount));
            if (labels is not null) labels[i] = Labels![indices[i]];
        }
        return new DigitDataset(pixels, labels, source ?? Source);
    }

    /// <summary>The first <paramref name="count"/> images (or all of them, if there are fewer).</summary>
    public DigitDataset Take(int count) =>
        count >= Count ? this : Select(Enumerable.Range(0, count).ToArray(), $"{Source} (first {count})");
}
