using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Engine;
using DigitRecognizer.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitRecognizer.Inference;

/// <summary>
/// A trained network with what it needs to be used: its preprocessing and the metadata that a
/// checkpoint stores. Load one with <see cref="Checkpoint.Load"/>, get one from
/// <see cref="Training.Trainer.Train"/>. Not safe for concurrent use from several threads.
/// </summary>
public sealed class DigitClassifier : IDigitClassifier, IDisposable
{
    /// <summary>Images per forward pass when predicting (see <see cref="PredictionSet.DefaultBatchSize"/>).</summary>
    public const int DefaultBatchSize = PredictionSet.DefaultBatchSize;

    private readonly nn.Module<Tensor, Tensor> model;
    private Precision precision = Precision.Float32;
    private ReducedPrecisionCopy? lowPrecision;

    internal DigitClassifier(nn.Module<Tensor, Tensor> model, InputNormalization normalization, CheckpointMetadata metadata)
    {
        this.model = model;
        Normalization = normalization;
        Metadata = metadata;
        model.eval();
    }

    /// <summary>How training described itself; saved with the weights.</summary>
    public CheckpointMetadata Metadata { get; internal set; }

    /// <summary>The preprocessing the network expects.</summary>
    public InputNormalization Normalization { get; }

    /// <summary>
    /// Test-time augmentation: when true, each image is also predicted shifted one pixel left, right, up
    /// and down, and the five probability vectors are averaged. Five times the work for a little robustness.
    /// </summary>
    public bool TestTimeAugmentation { get; set; }

    /// <summary>
    /// The type prediction computes in. Float32 by default. BFloat16 predicts the notebook's CNN ~1.7× faster
    /// on CPUs with AVX512_BF16 (README → Speed); its probabilities differ from float32's in the second or
    /// third decimal, so a rare image near a decision boundary can change label. The weights stay float32.
    /// </summary>
    public Precision Precision
    {
        get => precision;
        set
        {
            if (value == precision) return;
            lowPrecision?.Dispose();
            lowPrecision = null;
            precision = value;
        }
    }

    /// <summary>The architecture name.</summary>
    public string Architecture => Metadata.Architecture;

    internal nn.Module<Tensor, Tensor> Module => model;

    /// <summary>Predicts every image of <paramref name="data"/>, in order, in batches.</summary>
    /// <param name="progress">Receives the number of images done after each batch.</param>
    public PredictionSet Predict(DigitDataset data, int batchSize = DefaultBatchSize, IProgress<int>? progress = null,
        CancellationToken cancellation = default) =>
        Predict(model, Normalization, data, batchSize, progress, cancellation, TestTimeAugmentation, LowPrecisionCopy());

    /// <summary>
    /// Predicts every image with each network on its own: an ensemble's members in order (see
    /// <see cref="Evaluation.NetworkAgreement"/>), or just the one network. Float32, with test-time
    /// augmentation if it is on.
    /// </summary>
    /// <returns>Each network's architecture name (as the metadata records it) and predictions.</returns>
    public IReadOnlyList<(string Architecture, PredictionSet Predictions)> PredictEachNetwork(DigitDataset data,
        int batchSize = DefaultBatchSize, CancellationToken cancellation = default) =>
        Enumerable.Range(0, Networks().Count).Select(i => PredictNetwork(i, data, batchSize, cancellation)).ToList();

    /// <summary>As <see cref="PredictEachNetwork"/>, with network <paramref name="index"/> (0-based) alone.</summary>
    public (string Architecture, PredictionSet Predictions) PredictNetwork(int index, DigitDataset data,
        int batchSize = DefaultBatchSize, CancellationToken cancellation = default)
    {
        var (architecture, network) = Networks()[index];
        return (architecture, Predict(network, Normalization, data, batchSize, null, cancellation, TestTimeAugmentation));
    }

    // An ensemble's members in order, with the architecture names its metadata records; or just the one network.
    private IReadOnlyList<(string Architecture, nn.Module<Tensor, Tensor> Network)> Networks() => model is EnsembleModel ensemble
        ? EnsembleModelOptions.Parse(Metadata.ArchitectureArguments).Members.Select(m => m.Architecture).Zip(ensemble.Members).ToList()
        : [(Architecture, model)];

    // Built on first use: a bfloat16 copy of the network (the float32 one is what checkpoints save).
    private ReducedPrecisionCopy? LowPrecisionCopy() => precision == Precision.Float32
        ? null
        : lowPrecision ??= new ReducedPrecisionCopy(model,
            () => ModelFactory.Create(Metadata.Architecture, Metadata.ArchitectureArguments), precision.ToScalarType());

    /// <summary>Records a figure measured after training (such as test accuracy) in the metadata that will be saved.</summary>
    public void RecordTestAccuracy(double accuracy) =>
        Metadata = Metadata with { Metrics = Metadata.Metrics with { TestAccuracy = accuracy } };

    /// <summary>Sets the refusal rule chosen for these weights (see <see cref="RejectionCalibrator"/>), saved with them.</summary>
    public void RecordRejection(Rejection rejection) => Metadata = Metadata with { Rejection = rejection };

    // (dx, dy) pixel shifts whose predictions test-time augmentation averages; the first is the image itself.
    private static readonly (int X, int Y)[] TestTimeShifts = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)];

    internal static PredictionSet Predict(nn.Module<Tensor, Tensor> model, InputNormalization normalization, DigitDataset data,
        int batchSize, IProgress<int>? progress = null, CancellationToken cancellation = default, bool testTimeAugmentation = false,
        ReducedPrecisionCopy? lowPrecision = null)
    {
        Tensor Forward(Tensor x) => lowPrecision is null ? model.forward(x) : lowPrecision.Forward(x);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be at least 1.");
        TorchRuntime.EnsureLoaded();
        var probabilities = new float[data.Count * DigitImage.ClassCount];
        var wasTraining = model.training;
        model.eval();
        lowPrecision?.Module.eval();
        try
        {
            using var noGrad = no_grad();
            for (var start = 0; start < data.Count; start += batchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var size = Math.Min(batchSize, data.Count - start);
                var x = normalization.ToInput(data.Pixels, start, size);
                var batchProbabilities = testTimeAugmentation
                    ? stack(TestTimeShifts.Select(shift => nn.functional.softmax(Forward(Shift(x, shift.X, shift.Y, normalization.Background)), 1))).mean([0])
                    : nn.functional.softmax(Forward(x), 1);
                batchProbabilities = batchProbabilities.contiguous();
                batchProbabilities.data<float>().CopyTo(probabilities, start * DigitImage.ClassCount);
                progress?.Report(start + size);
            }
        }
        finally
        {
            if (wasTraining) model.train();
        }
        return new PredictionSet(probabilities);
    }

    /// <summary>
    /// Moves every image of a batch <paramref name="dx"/> pixels right and <paramref name="dy"/> down (one pixel at most);
    /// what enters at the edge is <paramref name="background"/>.
    /// </summary>
    internal static Tensor Shift(Tensor images, int dx, int dy, double background)
    {
        if (dx == 0 && dy == 0) return images;
        var side = images.shape[3];
        var padded = nn.functional.pad(images, [1, 1, 1, 1], PaddingModes.Constant, background);
        return padded[.., .., TensorIndex.Slice(1 - dy, 1 - dy + side), TensorIndex.Slice(1 - dx, 1 - dx + side)];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lowPrecision?.Dispose();
        model.Dispose();
    }
}
