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
            defaultEpochs: 20, options => new DenseModel(options)),
        ModelArchitecture.Define<CnnModelOptions>("cnn",
            "the notebook's CNN: Conv 32 3×3 → MaxPool 2×2 → Conv 64 3×3 → Dense 128 → Dense 10",
            defaultEpochs: 10, options => new CnnModel(options)),
    ];

    /// <summary>Every architecture, in the order they are listed in help texts.</summary>
    public static IReadOnlyList<ModelArchitecture> Architectures => Known;

    /// <summary>The names accepted by <c>--model</c>.</summary>
    public static IReadOnlyList<string> Names => Known.Select(a => a.Name).ToArray();

    /// <summary>The architecture called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No architecture has that name; the message lists the ones that exist.</exception>
    public static ModelArchitecture Get(string name) =>
        Known.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown model '{name}'; expected one of: {string.Join(", ", Names)}.", nameof(name));
}
