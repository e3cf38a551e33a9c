using DigitRecognizer.Inference;

namespace DigitRecognizer.Export;

/// <summary>
/// An int8 ONNX model (<see cref="OnnxExporter.ToQuantizedBytes"/>) and how it compares with the float32 export of the
/// same checkpoint on the images it was calibrated on (the model's validation part).
/// </summary>
public sealed record QuantizedExport
{
    /// <summary>The serialised ONNX model.</summary>
    public required byte[] Bytes { get; init; }

    /// <summary>Images the activation ranges, the accuracies and the refusal rule were measured on.</summary>
    public required int Images { get; init; }

    /// <summary>What those images are ("MNIST training set, validation part").</summary>
    public required string ImagesDescription { get; init; }

    /// <summary>Accuracy, 0–1, of the float32 export on those images.</summary>
    public required double FloatAccuracy { get; init; }

    /// <summary>Accuracy, 0–1, of the int8 model on those images.</summary>
    public required double QuantizedAccuracy { get; init; }

    /// <summary>How many of those images both give the same label.</summary>
    public required int SameLabels { get; init; }

    /// <summary>The largest difference of any probability between the two, over those images.</summary>
    public required double LargestProbabilityDifference { get; init; }

    /// <summary>The int8 model's own refusal rule, chosen again on those images (null when the checkpoint had none).</summary>
    public Rejection? Rejection { get; init; }
}
