using Microsoft.ML.OnnxRuntime;

namespace DigitRecognizer.Onnx;

/// <summary>How ONNX Runtime runs a model: threads and graph optimisation (see docs/onnx.md for the measurements behind the defaults).</summary>
public sealed record OnnxSessionSettings
{
    /// <summary>
    /// Threads one forward pass may use (ONNX Runtime's intra-op pool); 0 lets ONNX Runtime choose (one per
    /// physical core). Default 1, by measurement (`digits bench`, cnn on the 2-core VM): 1 thread predicted
    /// 3,111 images/s at batch 256 against 2,526 with the pool of 2, and one image in 0.20 ms (p99 7.4 ms)
    /// against 0.22 ms (p99 16.6 ms): a second thread mostly waits for a core that something else is using,
    /// as <c>serve</c>'s libtorch threads do (README, `digits serve`). Give more on an idle many-core machine.
    /// </summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// Graph rewriting before the first run. Default: all (constant folding, Conv+BatchNormalization and
    /// Conv+Relu fusion, layout changes); measured (cnn, 2 threads) 2,526 images/s against 2,005 with "basic",
    /// and one image in 0.22 ms against 0.31 ms. It costs a few milliseconds once, at load.
    /// </summary>
    public GraphOptimizationLevel Optimization { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>The defaults.</summary>
    public static OnnxSessionSettings Default { get; } = new();

    internal SessionOptions ToSessionOptions() => new()
    {
        IntraOpNumThreads = Threads,
        // The graphs are one chain of operators: nothing for a second (inter-op) pool to run in parallel.
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = Optimization,
        // The library never writes to the console: only errors, which also surface as exceptions.
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
    };
}
