using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DigitRecognizer.Models;

/// <summary>
/// Maps a model name to its architecture. A new architecture is one file with its module (whose
/// <c>Name</c> constant is the one spelling of its name) and options record, plus one line here.
/// Ensembles are not in the table: they are not trained as one network but built from trained members
/// (<see cref="EnsembleModel"/>); <see cref="Create"/> rebuilds either kind from a checkpoint's record.
/// </summary>
public static class ModelFactory
{
    private static readonly ModelArchitecture[] Known =
    [
        ModelArchitecture.Define<DenseModelOptions>(DenseModel.Name,
            "the notebook's baseline: Flatten → Dense 256 ReLU → Dense 128 ReLU → Dense 10",
            defaultEpochs: 20, augmentByDefault: false, options => new DenseModel(options)),
        ModelArchitecture.Define<CnnModelOptions>(CnnModel.Name,
            "the notebook's CNN: Conv 32 3×3 → MaxPool 2×2 → Conv 64 3×3 → Dense 128 → Dense 10",
            defaultEpochs: 10, augmentByDefault: false, options => new CnnModel(options)),
        ModelArchitecture.Define<CnnBnModelOptions>(CnnBnModel.Name,
            "CNN with batch norm and dropout: [Conv 3×3 ×2 → Conv 3×3/2] ×2 (32, 64) → Conv 4×4 128 → Dense 10",
            defaultEpochs: 30, augmentByDefault: true, options => new CnnBnModel(options)),
        ModelArchitecture.Define<FastCnnModelOptions>(FastCnnModel.Name,
            "CNN for speed (the fast recipe): Conv 5×5/2 32 → Conv 3×3/2 48 → Conv 3×3/2 96, each with BN, → Dense 10",
            defaultEpochs: 3, augmentByDefault: false, options => new FastCnnModel(options)),
        ModelArchitecture.Define<ResNetModelOptions>(ResNetModel.Name,
            "small residual network: 3 stages × 2 basic blocks (16, 32, 64 channels) → global average pool → Dense 10",
            defaultEpochs: 30, augmentByDefault: true, options => new ResNetModel(options)),
        ModelArchitecture.Define<M5ModelOptions>(M5Model.Name,
            "An et al.'s M5: five 5×5 convolutions without padding or pooling (32, 64, 96, 128, 160), each with BN, → Dense 10; ~11× cnn-bn's compute",
            defaultEpochs: 30, augmentByDefault: true, options => new M5Model(options)),
        ModelArchitecture.Define(M5Model.HalfName,
            "M5 at half the widths (16, 32, 48, 64, 80): ~3× cnn-bn's compute",
            defaultEpochs: 30, augmentByDefault: true, options => new M5Model(options, M5Model.HalfName), M5ModelOptions.Half),
    ];

    /// <summary>Every architecture that trains as one network (what <c>--model</c> accepts), in help order.</summary>
    public static IReadOnlyList<ModelArchitecture> Architectures => Known;

    /// <summary>The names accepted by <c>--model</c>.</summary>
    public static IReadOnlyList<string> Names => Known.Select(a => a.Name).ToArray();

    /// <summary>The architecture name checkpoints of averaged ensembles carry (<see cref="EnsembleModel.Name"/>).</summary>
    public const string EnsembleName = EnsembleModel.Name;

    /// <summary>Whether <paramref name="architecture"/> names an averaged ensemble (case-insensitive).</summary>
    public static bool IsEnsemble(string architecture) =>
        string.Equals(architecture, EnsembleModel.Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a checkpoint of <paramref name="architecture"/> can be rebuilt by <see cref="Create"/>.</summary>
    public static bool IsKnown(string architecture) => IsEnsemble(architecture) || Find(architecture) is not null;

    /// <summary>The architecture called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No architecture has that name (the message lists the ones that exist), or it names the ensemble.</exception>
    public static ModelArchitecture Get(string name) =>
        Find(name) ?? throw new ArgumentException(IsEnsemble(name)
            ? $"'{name}' is not one network: an ensemble is trained member by member (train --ensemble K, or several --model names)."
            : $"Unknown model '{name}'; expected one of: {string.Join(", ", Names)}.", nameof(name));

    /// <summary>
    /// Builds the freshly initialised network a checkpoint's record describes: one of <see cref="Architectures"/>,
    /// or an <see cref="EnsembleModel"/> of them.
    /// </summary>
    /// <param name="architecture">The architecture name, as a checkpoint stores it.</param>
    /// <param name="arguments">Its arguments, as a checkpoint stores them; null or missing members take their defaults.</param>
    /// <exception cref="ArgumentException">An unknown architecture, or arguments it does not accept.</exception>
    public static nn.Module<Tensor, Tensor> Create(string architecture, JsonObject? arguments) =>
        IsEnsemble(architecture)
            ? new EnsembleModel(EnsembleModelOptions.Parse(arguments))
            : Get(architecture).Create(arguments);

    private static ModelArchitecture? Find(string name) =>
        Known.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));
}
