using System.Text.Json.Nodes;
using DigitRecognizer.Models;

namespace DigitRecognizer.Checkpoints;

/// <summary>
/// What checkpoint format 1 called the parameters that format 2 moved into <see cref="ConvBnRelu"/> blocks:
/// each Conv → BatchNorm pair of <c>cnn-bn</c>, <c>cnn-fast</c> and <c>resnet</c> became one block whose
/// parts are <c>conv</c> and <c>norm</c>. Nothing else changed: the tensors are the same, in the same order.
/// </summary>
internal static class Format1ParameterNames
{
    // Per architecture: the format-1 prefix → the current one. Names that match none are unchanged.
    private static readonly Dictionary<string, (string Old, string New)[]> Renamed = new(StringComparer.OrdinalIgnoreCase)
    {
        [CnnBnModel.Name] =
        [
            .. new[] { "1a", "1b", "1c", "2a", "2b", "2c" }.SelectMany(block => new[]
            {
                ($"conv{block}.", $"block{block}.conv."),
                ($"norm{block}.", $"block{block}.norm."),
            }),
            ("head.", "head.conv."),
            ("headNorm.", "head.norm."),
        ],
        [FastCnnModel.Name] =
        [
            .. Enumerable.Range(1, 3).SelectMany(block => new[]
            {
                ($"conv{block}.", $"block{block}.conv."),
                ($"norm{block}.", $"block{block}.norm."),
            }),
        ],
        [ResNetModel.Name] =
        [
            ("stem.", "stem.conv."),
            ("stemNorm.", "stem.norm."),
            .. new[] { "stage1a", "stage1b", "stage2a", "stage2b", "stage3a", "stage3b" }.SelectMany(stage => new[]
            {
                ($"{stage}.conv1.", $"{stage}.first.conv."),
                ($"{stage}.norm1.", $"{stage}.first.norm."),
            }),
        ],
    };

    /// <summary>
    /// The current name of the parameter or buffer a format-1 checkpoint of <paramref name="architecture"/>
    /// (with <paramref name="arguments"/>, which name an ensemble's members) stores as <paramref name="name"/>.
    /// </summary>
    public static string ToCurrent(string name, string architecture, JsonObject? arguments)
    {
        if (string.Equals(architecture, EnsembleModel.Name, StringComparison.OrdinalIgnoreCase))
            return MemberToCurrent(name, arguments);
        if (!Renamed.TryGetValue(architecture, out var renames)) return name;
        foreach (var (old, current) in renames)
            if (name.StartsWith(old, StringComparison.Ordinal))
                return current + name[old.Length..];
        return name;
    }

    // An ensemble stores its members as "members.{i}.{the member's own name}".
    private static string MemberToCurrent(string name, JsonObject? arguments)
    {
        const string Prefix = "members.";
        if (!name.StartsWith(Prefix, StringComparison.Ordinal)) return name;
        var dot = name.IndexOf('.', Prefix.Length);
        if (dot < 0 || !int.TryParse(name.AsSpan(Prefix.Length, dot - Prefix.Length), out var index)) return name;
        var members = EnsembleModelOptions.Parse(arguments).Members;
        if (index >= members.Count) return name;
        var member = members[index];
        return name[..(dot + 1)] + ToCurrent(name[(dot + 1)..], member.Architecture, member.Arguments);
    }
}
