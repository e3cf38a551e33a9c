using DigitRecognizer.Models;
using static TorchSharp.torch;

namespace DigitRecognizer.Export;

/// <summary>
/// Each architecture's forward, step by step, as the exporter replays it: a submodule's name, or
/// <see cref="Relu"/> where the forward calls <c>nn.functional.relu</c>. A list here must read like the
/// model's own <c>forward</c>; the ONNX-vs-TorchSharp tests fail when one drifts from the other.
/// </summary>
internal static class ArchitectureGraphs
{
    /// <summary>The step standing for a functional ReLU (no submodule has this name).</summary>
    public const string Relu = "relu()";

    // Format-1 checkpoints are mapped onto today's submodules when they load (Checkpoints/CheckpointLayout), so
    // one list per architecture is enough.
    private static readonly Dictionary<Type, string[]> Forwards = new()
    {
        [typeof(DenseModel)] = ["flatten", "hidden1", Relu, "hidden2", Relu, "output"],
        // conv1 is the fused Conv 3×3 + MaxPool 2×2; the ReLU after the pooling equals the notebook's before it.
        [typeof(CnnModel)] = ["conv1", Relu, "conv2", Relu, "flatten", "hidden", Relu, "output"],
        [typeof(CnnBnModel)] =
        [
            "block1a", "block1b", "block1c", "drop1", "block2a", "block2b", "block2c", "drop2",
            "head", "flatten", "dropHead", "output",
        ],
        [typeof(FastCnnModel)] = ["block1", "block2", "block3", "flatten", "output"],
        [typeof(ResNetModel)] =
            ["stem", "stage1a", "stage1b", "stage2a", "stage2b", "stage3a", "stage3b", "pool", "flatten", "dropout", "output"],
        [typeof(M5Model)] = ["conv1", "conv2", "conv3", "conv4", "conv5", "flatten", "output"],
    };

    /// <summary>Emits one (non-ensemble) network's logits for input <paramref name="x"/>.</summary>
    /// <exception cref="NotSupportedException">An architecture the exporter has no forward for.</exception>
    public static string Logits(OnnxGraphBuilder graph, nn.Module<Tensor, Tensor> network, string x, string scope)
    {
        if (!Forwards.TryGetValue(network.GetType(), out var steps))
            throw new NotSupportedException($"ONNX export does not know the architecture '{network.GetName()}' ({network.GetType().Name}).");
        var children = network.named_children().ToDictionary(c => c.name, c => c.module);
        // Every submodule must be used by the replayed forward, and every step must name one: a layout that
        // drifted from the model's forward fails here, not as a silently different graph.
        if (!steps.Where(step => step != Relu).Order().SequenceEqual(children.Keys.Order()))
            throw new InvalidOperationException(
                $"The ONNX forward of '{network.GetName()}' does not match its submodules ({string.Join(", ", children.Keys)}); update Export/ArchitectureGraphs.cs.");
        var relu = 0;
        foreach (var step in steps)
            x = step == Relu
                ? LayerExporters.Relu(graph, x, $"{scope}/relu{++relu}")
                : LayerExporters.Emit(graph, children[step], x, $"{scope}/{step}");
        return x;
    }
}
