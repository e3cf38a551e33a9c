using DigitRecognizer.Models;
using TorchSharp.Modules;
using static DigitRecognizer.Export.OnnxGraphBuilder;
using static TorchSharp.torch;

namespace DigitRecognizer.Export;

/// <summary>
/// One small function per layer kind, each emitting the ONNX nodes of that layer in inference form (as
/// PyTorch's torch.onnx maps each operator to one "symbolic" function): batch norm as BatchNormalization
/// with the running statistics, dropout gone. <see cref="Emit"/> picks the function for a module.
/// </summary>
internal static class LayerExporters
{
    /// <summary>Emits <paramref name="module"/> applied to value <paramref name="x"/>; returns the output value.</summary>
    /// <exception cref="NotSupportedException">A layer kind the exporter does not know.</exception>
    public static string Emit(OnnxGraphBuilder graph, nn.Module module, string x, string scope) => module switch
    {
        Conv2d conv => Conv(graph, conv, x, scope),
        BatchNorm2d norm => BatchNorm(graph, norm, x, scope),
        Linear linear => Gemm(graph, linear, x, scope),
        Flatten flatten => FlattenLayer(graph, flatten, x, scope),
        ReLU => Relu(graph, x, scope),
        Dropout or Dropout2d => x,
        AdaptiveAvgPool2d pool => GlobalAveragePool(graph, pool, x, scope),
        Sequential sequential => SequentialLayers(graph, sequential, x, scope),
        PooledConv3x3 pooled => PooledConv(graph, pooled, x, scope),
        ConvBnRelu block => ConvBnRelu(graph, block, x, scope),
        ResNetModel.ResidualBlock block => ResidualBlockExporter.Emit(graph, block, x, scope),
        _ => throw new NotSupportedException($"ONNX export does not know the layer '{module.GetName()}' ({module.GetType().Name})."),
    };

    /// <summary>Conv2d → Conv (zero padding only, which is what every model here uses).</summary>
    public static string Conv(OnnxGraphBuilder graph, Conv2d conv, string x, string scope)
    {
        if (conv.padding_mode != TorchSharp.PaddingModes.Zeros || conv.padding is null)
            throw new NotSupportedException($"{scope}: only explicit zero padding is exported (found {conv.padding_mode}, {conv.padding_type}).");
        return ConvNode(graph, scope, x, conv.weight, conv.bias, conv.stride, conv.padding, conv.dilation, conv.groups);
    }

    private static string ConvNode(OnnxGraphBuilder graph, string scope, string x, Tensor weight, Tensor? bias,
        long[] stride, long[] padding, long[] dilation, long groups)
    {
        var inputs = new List<string> { x, graph.Weight($"{scope}.weight", weight) };
        if (bias is not null) inputs.Add(graph.Weight($"{scope}.bias", bias));
        var kernel = weight.shape[2..];
        return graph.Node("Conv", scope, inputs,
        [
            Ints("kernel_shape", kernel),
            Ints("strides", stride),
            // ONNX pads: all beginnings, then all ends.
            Ints("pads", padding.Concat(padding)),
            Ints("dilations", dilation),
            Int("group", groups),
        ]);
    }

    /// <summary>BatchNorm2d → BatchNormalization in inference mode (running mean and variance).</summary>
    public static string BatchNorm(OnnxGraphBuilder graph, BatchNorm2d norm, string x, string scope)
    {
        var channels = norm.num_features;
        if (norm.running_mean is null || norm.running_var is null)
            throw new NotSupportedException($"{scope}: batch norm without running statistics cannot run in inference mode.");
        var scale = norm.weight is null ? graph.Constant($"{scope}.weight", Filled(channels, 1f), channels) : graph.Weight($"{scope}.weight", norm.weight);
        var shift = norm.bias is null ? graph.Constant($"{scope}.bias", Filled(channels, 0f), channels) : graph.Weight($"{scope}.bias", norm.bias);
        return graph.Node("BatchNormalization", scope,
            [x, scale, shift, graph.Weight($"{scope}.running_mean", norm.running_mean), graph.Weight($"{scope}.running_var", norm.running_var)],
            [Float("epsilon", (float)norm.eps)]);
    }

    /// <summary>Linear → Gemm (y = x·Wᵀ + b).</summary>
    public static string Gemm(OnnxGraphBuilder graph, Linear linear, string x, string scope)
    {
        var inputs = new List<string> { x, graph.Weight($"{scope}.weight", linear.weight) };
        if (linear.bias is not null) inputs.Add(graph.Weight($"{scope}.bias", linear.bias));
        return graph.Node("Gemm", scope, inputs, [Int("transB", 1)]);
    }

    /// <summary>Flatten (from dimension 1 to the end) → Flatten axis 1.</summary>
    public static string FlattenLayer(OnnxGraphBuilder graph, Flatten flatten, string x, string scope)
    {
        if (flatten.start_dim != 1 || flatten.end_dim != -1)
            throw new NotSupportedException($"{scope}: only Flatten(1, -1) is exported (found {flatten.start_dim}, {flatten.end_dim}).");
        return graph.Node("Flatten", scope, [x], [Int("axis", 1)]);
    }

    /// <summary>ReLU, as a module or as <c>nn.functional.relu</c> in a forward.</summary>
    public static string Relu(OnnxGraphBuilder graph, string x, string scope) => graph.Node("Relu", scope, [x]);

    /// <summary>2×2 max-pooling, stride 2, no padding (an odd last row or column dropped, as floor mode does).</summary>
    public static string MaxPool2x2(OnnxGraphBuilder graph, string x, string scope) =>
        graph.Node("MaxPool", scope, [x], [Ints("kernel_shape", [2, 2]), Ints("strides", [2, 2])]);

    /// <summary>AdaptiveAvgPool2d(1) → GlobalAveragePool.</summary>
    public static string GlobalAveragePool(OnnxGraphBuilder graph, AdaptiveAvgPool2d pool, string x, string scope)
    {
        // Every model here pools to 1×1; other output sizes have no single ONNX operator.
        return graph.Node("GlobalAveragePool", scope, [x]);
    }

    /// <summary>Sequential → its layers in order.</summary>
    public static string SequentialLayers(OnnxGraphBuilder graph, Sequential sequential, string x, string scope)
    {
        foreach (var (name, child) in sequential.named_children())
            x = Emit(graph, child, x, $"{scope}/{name}");
        return x;
    }

    /// <summary>
    /// PooledConv3x3 (convolution and 2×2 max-pool fused for training speed) → the ordinary Conv 3×3 + MaxPool
    /// it is equal to. Its bias is added after the maximum in TorchSharp, before it here: the same numbers,
    /// as adding a constant never changes which of four values is largest.
    /// </summary>
    public static string PooledConv(OnnxGraphBuilder graph, PooledConv3x3 pooled, string x, string scope)
    {
        var parameters = pooled.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        var convolution = ConvNode(graph, $"{scope}/conv", x, parameters["weight"], parameters["bias"], [1, 1], [0, 0], [1, 1], 1);
        return MaxPool2x2(graph, convolution, $"{scope}/pool");
    }

    /// <summary>Models/ConvBnRelu → Conv → BatchNormalization → Relu.</summary>
    public static string ConvBnRelu(OnnxGraphBuilder graph, ConvBnRelu block, string x, string scope)
    {
        x = Conv(graph, block.Conv, x, $"{scope}/conv");
        x = BatchNorm(graph, block.Norm, x, $"{scope}/norm");
        return Relu(graph, x, scope);
    }

    private static float[] Filled(long count, float value) => Enumerable.Repeat(value, (int)count).ToArray();
}
