using DigitRecognizer.Models;
using static TorchSharp.torch;

namespace DigitRecognizer.Export;

/// <summary>
/// ResNetModel's basic residual block: conv 3×3 → BN → ReLU (<c>first</c>, a ConvBnRelu, or
/// <c>conv1</c>/<c>norm1</c> before that block existed) → conv2 → norm2, plus the shortcut (the input, or its
/// <c>projection</c>: strided 1×1 conv → BN), then ReLU — as its forward reads.
/// </summary>
/// <remarks>The block is private to ResNetModel, so it is recognised by its declaring type and name.</remarks>
internal static class ResidualBlockExporter
{
    /// <summary>Whether <paramref name="module"/> is one of ResNetModel's residual blocks.</summary>
    public static bool Handles(nn.Module module) =>
        module.GetType() is { Name: "ResidualBlock" } type && type.DeclaringType == typeof(ResNetModel);

    /// <summary>Emits the block applied to <paramref name="x"/>.</summary>
    public static string Emit(OnnxGraphBuilder graph, nn.Module block, string x, string scope)
    {
        var children = block.named_children().ToDictionary(c => c.name, c => c.module);
        var input = x;
        if (children.TryGetValue("first", out var first))
        {
            x = LayerExporters.Emit(graph, first, x, $"{scope}/first");
        }
        else
        {
            x = LayerExporters.Emit(graph, children["conv1"], x, $"{scope}/conv1");
            x = LayerExporters.Emit(graph, children["norm1"], x, $"{scope}/norm1");
            x = LayerExporters.Relu(graph, x, $"{scope}/relu1");
        }
        x = LayerExporters.Emit(graph, children["conv2"], x, $"{scope}/conv2");
        x = LayerExporters.Emit(graph, children["norm2"], x, $"{scope}/norm2");
        var shortcut = children.TryGetValue("projection", out var projection)
            ? LayerExporters.Emit(graph, projection, input, $"{scope}/projection")
            : input;
        x = graph.Node("Add", scope, [x, shortcut]);
        return LayerExporters.Relu(graph, x, $"{scope}/relu2");
    }
}
