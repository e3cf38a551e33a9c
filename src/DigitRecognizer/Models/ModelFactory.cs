namespace DigitRecognizer.Models;

/// <summary>
/// Maps a model name to its architecture. A new architecture is one file with its module and options
/// record, plus one line here.
/// </summary>
public static class ModelFactory
{
    private static readonly ModelArchitecture[] Known =
    [
        ModelArchitecture.Define<DenseModelOptions>("dense",
            "the notebook's baseline: Flatten → Dense 256 ReLU → Dense 128 ReLU → Dense 10",
            defaultEpochs: 20, augmentByDefault: false, options => new DenseModel(options)),
        ModelArchitecture.Define<CnnModelOptions>("cnn",
            "the notebook's CNN: Conv 32 3×3 → MaxPool 2×2 → Conv 64 3×3 → Dense 128 → Dense 10",
            defaultEpochs: 10, augmentByDefault: false, options => new CnnModel(options)),
        ModelArchitecture.Define<CnnBnModelOptions>("cnn-bn",
            "CNN with batch norm and dropout: [Conv 3×3 ×2 → Conv 3×3/2] ×2 (32, 64) → Conv 4×4 128 → Dense 10",
            defaultEpochs: 30, augmentByDefault: true, options => new CnnBnModel(options)),
        ModelArchitecture.Define<FastCnnModelOptions>("cnn-fast",
            "CNN for speed (the fast recipe): Conv 5×5/2 32 → Conv 3×3/2 48 → Conv 3×3/2 96, each with BN, → Dense 10",
            defaultEpochs: 3, augmentByDefault: false, options => new FastCnnModel(options)),
        ModelArchitecture.Define<ResNetModelOptions>("resnet",
            "small residual network: 3 stages × 2 basic blocks (16, 32, 64 channels) → global average pool → Dense 10",
            defaultEpochs: 30, augmentByDefault: true, options => new ResNetModel(options)),
        // Built by EnsembleTrainer (train --ensemble K) from trained members, not trained as one network.
        ModelArchitecture.Define<EnsembleModelOptions>(EnsembleName,
            "several trained networks whose class probabilities are averaged (train --ensemble K)",
            defaultEpochs: 1, augmentByDefault: false, options => new EnsembleModel(options)),
    ];

    /// <summary>Every architecture, in the order they are listed in help texts.</summary>
    public static IReadOnlyList<ModelArchitecture> Architectures => Known;

    /// <summary>The architectures <c>--model</c> accepts: every one that trains as a single network.</summary>
    public static IReadOnlyList<ModelArchitecture> Trainable => Known.Where(a => a.Name != EnsembleName).ToArray();

    /// <summary>The names accepted by <c>--model</c>.</summary>
    public static IReadOnlyList<string> Names => Trainable.Select(a => a.Name).ToArray();

    /// <summary>The architecture name of averaged ensembles.</summary>
    public const string EnsembleName = "ensemble";

    /// <summary>The architecture called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No architecture has that name; the message lists the ones that exist.</exception>
    public static ModelArchitecture Get(string name) =>
        Known.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown model '{name}'; expected one of: {string.Join(", ", Names)}.", nameof(name));
}
