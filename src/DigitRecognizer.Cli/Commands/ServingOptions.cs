using System.CommandLine;
using DigitRecognizer.Engine;
using DigitRecognizer.Onnx;
using DigitRecognizer.Web;

namespace DigitRecognizer.Cli.Commands;

/// <summary>The options <c>serve</c> and <c>bench-serve</c> share: which model, and how the server runs it.</summary>
internal sealed class ServingOptions
{
    private static readonly ServeOptions Defaults = new();

    public Option<string?> Model { get; } = new("--model", "-m")
    {
        Description = $"The checkpoint file, the folder holding model.ckpt, or an exported .onnx file (served by ONNX Runtime, without libtorch). Default: {DefaultModel.Folder}, where `digits train` writes.",
        HelpName = "PATH",
    };

    public Option<int> Threads { get; } = new("--threads")
    {
        Description = "Threads for the model (libtorch's, or ONNX Runtime's for an .onnx file); 0 = one per core (1 serves fastest: see README).",
        DefaultValueFactory = _ => Defaults.Threads,
        HelpName = "N",
    };

    public Option<int> MaxBatch { get; } = new("--max-batch")
    {
        Description = "Most waiting images run through the model together (1 = one at a time, like a lock).",
        DefaultValueFactory = _ => Defaults.MaxBatch,
        HelpName = "N",
    };

    /// <summary>Checks the options, sets the engine's threads and loads the model (--model, or the default one).</summary>
    public (ServedModel Model, ServeOptions Server, int Threads) Apply(ParseResult parse, ServeOptions server)
    {
        var maxBatch = parse.GetValue(MaxBatch);
        if (maxBatch < 1) throw new ArgumentException($"--max-batch must be at least 1 (got {maxBatch}).");
        var modelPath = DefaultModel.Resolve(parse.GetValue(Model));
        var requested = parse.GetValue(Threads);
        if (requested < 0) throw new ArgumentException($"--threads must be 0 (one per core) or more (got {requested}).");
        if (ModelFile.IsOnnx(modelPath))
        {
            // ONNX Runtime's own pool: libtorch is never loaded.
            var served = ServedModel.Load(modelPath, new OnnxSessionSettings { Threads = requested });
            return (served, server with { MaxBatch = maxBatch }, requested > 0 ? requested : Environment.ProcessorCount);
        }
        var threads = TorchRuntime.UseThreads(requested);
        return (ServedModel.Load(modelPath), server with { MaxBatch = maxBatch }, threads);
    }
}
