using Microsoft.ML.OnnxRuntime;

namespace DigitRecognizer.Onnx;

/// <summary>How ONNX Runtime runs a model: threads and graph optimisation (see docs/onnx.md for the measurements behind the defaults).</summary>
public sealed record OnnxSessionSettings
{
    /// <summary>
    /// Threads one forward pass may use (ONNX Runtime's intra-op pool); 0 lets ONNX Runtime choose (one per
    /// physical core). Default 0: on the 2-core test VM, 1 thread is ~1.6× slower at batch 256 and no faster
    /// for one image, and more threads than cores only add contention.
    /// </summary>
    public int Threads { get; init; }

    /// <summary>
    /// Graph rewriting before the first run. Default: all (constant folding, Conv+BatchNormalization and
    /// Conv+Relu fusion, layout changes); measured faster than "basic" at batch 256 and no slower for one image,
    /// and it costs a few milliseconds once, at load.
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
