using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DigitRecognizer.Models;

/// <summary>
/// One selectable architecture: its name on the command line, what it is, the training length that
/// reaches its documented accuracy, and how to build it from its (JSON) arguments, which checkpoints store.
/// </summary>
public sealed class ModelArchitecture
{
    private static readonly JsonSerializerOptions ArgumentJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // A checkpoint whose arguments this version does not understand must fail loudly, not silently
        // build a different network.
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    private readonly Func<JsonObject?, nn.Module<Tensor, Tensor>> create;
    private readonly Func<JsonObject> defaultArguments;

    private ModelArchitecture(string name, string description, int defaultEpochs, bool augmentByDefault,
        Func<JsonObject?, nn.Module<Tensor, Tensor>> create, Func<JsonObject> defaultArguments)
    {
        Name = name;
        Description = description;
        DefaultEpochs = defaultEpochs;
        AugmentByDefault = augmentByDefault;
        this.create = create;
        this.defaultArguments = defaultArguments;
    }

    /// <summary>The name used by <c>--model</c> and stored in checkpoints.</summary>
    public string Name { get; }

    /// <summary>One line on what the network is.</summary>
    public string Description { get; }

    /// <summary>Epochs used when the user gives none: enough to reach the accuracy quoted in the README.</summary>
    public int DefaultEpochs { get; }

    /// <summary>
    /// Whether training distorts the images unless told otherwise: off for the notebook's baselines
    /// (they are reproduced as they were), on for the newer architectures, which need it to reach their accuracy.
    /// </summary>
    public bool AugmentByDefault { get; }

    /// <summary>The architecture's arguments with every default filled in, as stored in checkpoints.</summary>
    public JsonObject DefaultArguments() => defaultArguments();

    /// <summary>Builds a freshly initialised network (initialisation draws from libtorch's global generator).</summary>
    /// <param name="arguments">Arguments as stored in a checkpoint; null or missing members take their defaults.</param>
    public nn.Module<Tensor, Tensor> Create(JsonObject? arguments = null) => create(arguments);

    /// <summary>Defines an architecture whose arguments are the options record <typeparamref name="TOptions"/>.</summary>
    /// <param name="defaults">
    /// The arguments a network of this name has when a checkpoint leaves them out; null for the record's own defaults.
    /// Two names may build the same module with different defaults (<c>m5</c> and its narrower <c>m5-half</c>).
    /// </param>
    public static ModelArchitecture Define<TOptions>(string name, string description, int defaultEpochs, bool augmentByDefault,
        Func<TOptions, nn.Module<Tensor, Tensor>> build, TOptions? defaults = null) where TOptions : class, new()
    {
        defaults ??= new TOptions();
        return new ModelArchitecture(name, description, defaultEpochs, augmentByDefault,
            arguments => build(ParseArguments(name, arguments, defaults)),
            () => JsonSerializer.SerializeToNode(defaults, ArgumentJson)!.AsObject());
    }

    /// <summary>Reads the arguments of model <paramref name="name"/>; null or missing members take their defaults.</summary>
    /// <exception cref="ArgumentException">A member this version does not know, or a value of the wrong type.</exception>
    internal static TOptions ParseArguments<TOptions>(string name, JsonObject? arguments, TOptions? defaults = null) where TOptions : class, new()
    {
        defaults ??= new TOptions();
        if (arguments is null) return defaults;
        // The given members over the defaults' own, so a member left out takes this architecture's default, not the record's.
        var merged = JsonSerializer.SerializeToNode(defaults, ArgumentJson)!.AsObject();
        foreach (var (member, value) in arguments) merged[member] = value?.DeepClone();
        try
        {
            return merged.Deserialize<TOptions>(ArgumentJson) ?? defaults;
        }
        catch (JsonException error)
        {
            throw new ArgumentException($"Invalid arguments for model '{name}': {error.Message}", nameof(arguments), error);
        }
    }
}
