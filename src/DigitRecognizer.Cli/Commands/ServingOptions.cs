using System.CommandLine;
using DigitRecognizer.Engine;
using DigitRecognizer.Onnx;
using DigitRecognizer.Web;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary>The options <c>serve</c> and <c>bench-serve</c> share: which model, and how the server runs it.</summary>
internal sealed class ServingOptions
{
    private static readonly ServeOptions Defaults = new();

    public Option<string?> Model { get; } = new("--model", "-m")
    {
        Description = $"The checkpoint file, the folder holding model.ckpt, or an exported .onnx file (served by ONNX Runtime, without libtorch). Default: {DefaultModel.Described}.",
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

    public Option<int> MaxConcurrent { get; } = new("--max-concurrent")
    {
        Description = "Prediction requests inside the server at once; more wait for a place (see --max-queued).",
        DefaultValueFactory = _ => Defaults.MaxConcurrentRequests,
        HelpName = "N",
    };

    public Option<int> MaxQueued { get; } = new("--max-queued")
    {
        Description = "Prediction requests that may wait for a place; one more is answered 503 with Retry-After at once.",
        DefaultValueFactory = _ => Defaults.MaxQueuedRequests,
        HelpName = "N",
    };

    public Option<int> MaxReads { get; } = new("--max-reads")
    {
        Description = "Numbers read at once (POST /api/read); more wait their turn. 0 = one per core for an .onnx model, no extra limit for a checkpoint (its reads share the model's batching queue).",
        DefaultValueFactory = _ => Defaults.MaxConcurrentReads,
        HelpName = "N",
    };

    public Option<double> RequestTimeout { get; } = new("--request-timeout")
    {
        Description = "Seconds a prediction request may take, waiting included; past it the answer is 503 with Retry-After and its images are not computed.",
        DefaultValueFactory = _ => Defaults.RequestTimeout.TotalSeconds,
        HelpName = "S",
    };

    /// <summary>The load limits, to list among a command's options.</summary>
    public IEnumerable<Option> Limits => [MaxConcurrent, MaxQueued, MaxReads, RequestTimeout];

    /// <summary>Checks the options, sets the engine's threads and loads the model (--model, or the default one).</summary>
    /// <param name="console">Told which model was chosen when --model was not given.</param>
    public (ServedModel Model, ServeOptions Server, int Threads) Apply(ParseResult parse, ServeOptions server, IAnsiConsole console)
    {
        var maxBatch = parse.GetValue(MaxBatch);
        if (maxBatch < 1) throw new ArgumentException($"--max-batch must be at least 1 (got {maxBatch}).");
        var (maxConcurrent, maxQueued, timeout) = (parse.GetValue(MaxConcurrent), parse.GetValue(MaxQueued), parse.GetValue(RequestTimeout));
        var maxReads = parse.GetValue(MaxReads);
        if (maxConcurrent < 1 || maxQueued < 0 || maxReads < 0 || !(timeout > 0))
            throw new ArgumentException("--max-concurrent must be at least 1, --max-queued and --max-reads at least 0 and --request-timeout positive.");
        var modelPath = DefaultModel.Resolve(parse.GetValue(Model), console);
        var requested = parse.GetValue(Threads);
        if (requested < 0) throw new ArgumentException($"--threads must be 0 (one per core) or more (got {requested}).");
        var limits = server with
        {
            MaxBatch = maxBatch,
            MaxConcurrentRequests = maxConcurrent,
            MaxQueuedRequests = maxQueued,
            MaxConcurrentReads = maxReads,
            RequestTimeout = TimeSpan.FromSeconds(timeout),
        };
        if (ModelFile.IsOnnx(modelPath))
        {
            // ONNX Runtime's own pool: libtorch is never loaded.
            var served = ServedModel.Load(modelPath, new OnnxSessionSettings { Threads = requested });
            return (served, limits, requested > 0 ? requested : Environment.ProcessorCount);
        }
        var threads = TorchRuntime.UseThreads(requested);
        return (ServedModel.Load(modelPath), limits, threads);
    }
}
