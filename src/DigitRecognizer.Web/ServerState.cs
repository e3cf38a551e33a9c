using System.Diagnostics;
using DigitRecognizer.Imaging;
using DigitRecognizer.Inference;

namespace DigitRecognizer.Web;

/// <summary>What every request shares: the model behind its batching queue, the preprocessor and the limits.</summary>
internal sealed class ServerState(ServedModel model, ServeOptions options) : IDisposable
{
    private readonly Stopwatch uptime = Stopwatch.StartNew();

    public ServedModel Model { get; } = model;

    public ServeOptions Options { get; } = options;

    public BatchingPredictor Predictor { get; } = new(model.Classifier, options.MaxBatch);

    public MnistPreprocessor Preprocessor { get; } = new();

    /// <summary>Places for numbers being read (<see cref="ServeOptions.MaxConcurrentReads"/>).</summary>
    public SemaphoreSlim ReadSlots { get; } = new(options.MaxConcurrentReads > 0 ? options.MaxConcurrentReads
        : model.Classifier is IConcurrentDigitClassifier ? Environment.ProcessorCount
        : options.MaxConcurrentRequests);

    public TimeSpan Uptime => uptime.Elapsed;

    public void Dispose()
    {
        Predictor.Dispose();
        ReadSlots.Dispose();
    }
}
