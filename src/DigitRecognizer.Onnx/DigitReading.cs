using DigitRecognizer.Imaging;

namespace DigitRecognizer.Onnx;

/// <summary>What the model made of one image.</summary>
public sealed record DigitReading
{
    /// <summary>The most probable digit, 0-9.</summary>
    public required int Label { get; init; }

    /// <summary>The ten class probabilities (they sum to 1).</summary>
    public required float[] Probabilities { get; init; }

    /// <summary>The 28×28 input the model saw (784 values 0..1, 0 background, 1 ink, row-major) and how the image was read.</summary>
    public required PreparedDigit Input { get; init; }

    /// <summary>The probability of <see cref="Label"/>.</summary>
    public float Confidence => Probabilities[Label];
}
