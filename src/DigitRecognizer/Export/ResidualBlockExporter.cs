using DigitRecognizer.Models;

namespace DigitRecognizer.Export;

/// <summary>
/// ResNetModel's basic residual block: conv 3×3 → BN → ReLU (<c>First</c>, a ConvBnRelu) → conv2 → norm2, plus
/// the shortcut (the input, or its <c>Projection</c>: strided 1×1 conv → BN), then ReLU — as its forward reads.
/// </summary>
internal static class ResidualBlockExporter
{
    /// <summary>Emits the block applied to <paramref name="x"/>.</summary>
    public static string Emit(OnnxGraphBuilder graph, ResNetModel.ResidualBlock block, string x, string scope)
    {
        var input = x;
        x = LayerExporters.ConvBnRelu(graph, block.First, x, $"{scope}/first");
        x = LayerExporters.Conv(graph, block.Conv2, x, $"{scope}/conv2");
        x = LayerExporters.BatchNorm(graph, block.Norm2, x, $"{scope}/norm2");
        var shortcut = block.Projection is { } projection
            ? LayerExporters.Emit(graph, projection, input, $"{scope}/projection")
            : input;
        x = graph.Node("Add", scope, [x, shortcut]);
        return LayerExporters.Relu(graph, x, $"{scope}/relu2");
    }
}
