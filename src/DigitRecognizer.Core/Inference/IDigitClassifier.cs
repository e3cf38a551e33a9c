using DigitRecognizer.Data;

namespace DigitRecognizer.Inference;

/// <summary>
/// Anything that gives ten digit probabilities for 28×28 images, whatever engine runs it: a TorchSharp
/// checkpoint (<c>DigitClassifier</c>) or an exported ONNX model. Code that only needs answers (evaluation,
/// serving, reading numbers) takes this, so it works with either.
/// </summary>
public interface IDigitClassifier
{
    /// <summary>The architecture name ("cnn", "cnn-bn", "cnn-bn+resnet" for an ensemble, ...).</summary>
    string Architecture { get; }

    /// <summary>Predicts every image of <paramref name="data"/>, in order.</summary>
    /// <param name="progress">Receives the number of images done after each batch.</param>
    PredictionSet Predict(DigitDataset data, int batchSize = PredictionSet.DefaultBatchSize, IProgress<int>? progress = null,
        CancellationToken cancellation = default);
}

/// <summary>
/// A classifier whose <see cref="IDigitClassifier.Predict"/> may be called from several threads at once
/// (an ONNX Runtime session). One that is not (a TorchSharp module) must be used from one thread at a time,
/// which is what <c>BatchingPredictor</c> arranges.
/// </summary>
public interface IConcurrentDigitClassifier : IDigitClassifier
{
}
