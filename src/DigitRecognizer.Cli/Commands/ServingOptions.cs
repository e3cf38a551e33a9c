using System.CommandLine;
using DigitRecognizer.Engine;
using DigitRecognizer.Web;

namespace DigitRecognizer.Cli.Commands;

/// <summary>The options <c>serve</c> and <c>bench-serve</c> share: which model, and how the server runs it.</summary>
internal sealed class ServingOptions
{
    private static readonly ServeOptions Defaults = new();

    public Option<string?> Model { get; } = new("--model", "-m")
    {
        Description = $"The checkpoint file, or the folder holding model.ckpt. Default: {DefaultModel.Folder}, where `digits train` writes.",
        HelpName = "PATH",
    };

    public Option<int> Threads { get; } = new("--threads")
    {
        Description = "libtorch threads for the model; 0 = one per core (1 serves fastest: see README).",
        DefaultValueFactory = _ => Defaults.Threads,
        HelpName = "N",
    };

    public Option<int> MaxBatch { get; } = new("--max-batch")
    {
        Description = "Most waiting images run through the model together (1 = one at a time, like a lock).",
        DefaultValueFactory = _ => Defaults.MaxBatch,
        HelpName = "N",
    };

    /// <summary>Checks the options, sets libtorch's threads and loads the model (--model, or the default one).</summary>
    public (ServedModel Model, ServeOptions Server, int Threads) Apply(ParseResult parse, ServeOptions server)
    {
        var maxBatch = parse.GetValue(MaxBatch);
        if (maxBatch < 1) throw new ArgumentException($"--max-batch must be at least 1 (got {maxBatch}).");
        var modelPath = DefaultModel.Resolve(parse.GetValue(Model));
        var threads = TorchRuntime.UseThreads(parse.GetValue(Threads));
        return (ServedModel.Load(modelPath), server with { MaxBatch = maxBatch }, threads);
    }
}
