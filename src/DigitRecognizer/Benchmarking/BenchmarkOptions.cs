namespace DigitRecognizer.Benchmarking;

/// <summary>What <see cref="Benchmark"/> measures and how often.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>Repetitions of each measurement; the median is reported (this machine is noisy).</summary>
    public int Runs { get; init; } = 5;

    /// <summary>
    /// Architectures whose training and inference speed is measured: the notebook's two, the fast
    /// recipe's and the best recipe's.
    /// </summary>
    public IReadOnlyList<string> Models { get; init; } = ["dense", "cnn", "cnn-fast", "cnn-bn"];

    /// <summary>Images in each timed training epoch (taken from the MNIST training set).</summary>
    public int TrainImages { get; init; } = 12_800;

    /// <summary>Images per training step, as <c>train</c> uses by default.</summary>
    public int BatchSize { get; init; } = new Training.TrainingOptions().BatchSize;

    /// <summary>Images predicted per inference measurement (from the MNIST test set).</summary>
    public int InferenceImages { get; init; } = 10_000;

    /// <summary>
    /// Arithmetic each model is timed in: float32 (the default everywhere) and bfloat16 (the <c>--precision</c>
    /// option), measured in the same run so their ratio is comparable on a noisy machine.
    /// </summary>
    public IReadOnlyList<Engine.Precision> Precisions { get; init; } = [Engine.Precision.Float32, Engine.Precision.BFloat16];

    /// <summary>
    /// Architectures whose inference is also timed on ONNX Runtime against TorchSharp (images/s, one-image
    /// latency, session settings, agreement over <see cref="InferenceImages"/> test images). Empty: none.
    /// </summary>
    public IReadOnlyList<string> OnnxModels { get; init; } = ["cnn", "cnn-bn"];

    /// <summary>Single-image predictions timed for each latency figure (median and p99).</summary>
    public int LatencyImages { get; init; } = 1000;

    /// <summary>libtorch threads; 0 = one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Folder for the generated 60,000-row train.csv (created once, reused).</summary>
    public string WorkFolder { get; init; } = Path.Combine(Path.GetTempPath(), "digits-bench");
}

/// <summary>One measured figure: the median of its runs, with the runs themselves.</summary>
/// <param name="Name">What was measured.</param>
/// <param name="Median">Median over the runs, in <paramref name="Unit"/>.</param>
/// <param name="Unit">Unit of the figure.</param>
/// <param name="Runs">Every run's value.</param>
/// <param name="Note">Context for the figure (size of the input, derived rates).</param>
public sealed record BenchmarkFigure(string Name, double Median, string Unit, IReadOnlyList<double> Runs, string Note);
