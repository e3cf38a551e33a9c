using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DigitRecognizer.Models;

/// <summary>One network of an ensemble: its architecture name and arguments, as checkpoints store them.</summary>
public sealed record EnsembleMember
{
    /// <summary>Architecture name (see <see cref="ModelFactory"/>).</summary>
    public string Architecture { get; init; } = "";

    /// <summary>The member architecture's arguments.</summary>
    public JsonObject? Arguments { get; init; }
}

/// <summary>The members of an <see cref="EnsembleModel"/>.</summary>
public sealed record EnsembleModelOptions
{
    /// <summary>The networks whose probabilities are averaged, in order.</summary>
    public List<EnsembleMember> Members { get; init; } = [];

    /// <summary>Reads an ensemble's arguments as a checkpoint stores them.</summary>
    /// <exception cref="ArgumentException">They are not an ensemble's arguments.</exception>
    public static EnsembleModelOptions Parse(JsonObject? arguments) =>
        ModelArchitecture.ParseArguments<EnsembleModelOptions>(EnsembleModel.Name, arguments);
}

/// <summary>
/// Several networks that vote by averaging their class probabilities. It returns the log of the mean
/// probabilities, so the softmax that prediction applies gives back exactly that mean, and the whole
/// ensemble saves, loads and predicts like any single model.
/// </summary>
public sealed class EnsembleModel : nn.Module<Tensor, Tensor>
{
    /// <summary>The architecture name checkpoints of ensembles carry.</summary>
    public const string Name = "ensemble";

    private readonly ModuleList<nn.Module<Tensor, Tensor>> members;

    public EnsembleModel(EnsembleModelOptions options) : this(options.Members.Select(
        member => ModelFactory.Get(member.Architecture).Create(member.Arguments)))
    {
    }

    /// <summary>An ensemble of networks already built (and usually trained).</summary>
    public EnsembleModel(IEnumerable<nn.Module<Tensor, Tensor>> networks) : base(Name)
    {
        members = nn.ModuleList(networks.ToArray());
        if (members.Count == 0) throw new ArgumentException("An ensemble needs at least one member.", nameof(networks));
        RegisterComponents();
    }

    /// <summary>Number of member networks.</summary>
    public int Count => members.Count;

    /// <summary>The member networks, in order.</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Members => [.. members];

    /// <param name="input">Images, N×1×28×28, normalised.</param>
    /// <returns>log of the members' mean class probabilities, N×10.</returns>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var sum = zeros(input.shape[0], DigitImage.ClassCount);
        foreach (var member in members)
            sum.add_(nn.functional.softmax(member.forward(input), 1));
        return sum.div_(members.Count).log_().MoveToOuterDisposeScope();
    }
}
