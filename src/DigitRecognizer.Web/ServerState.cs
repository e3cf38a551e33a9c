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

    public TimeSpan Uptime => uptime.Elapsed;

    public void Dispose() => Predictor.Dispose();
}
