using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace DigitRecognizer.Export;

/// <summary>
/// Collects the nodes and weights of one ONNX graph as the layer exporters emit them. Every value gets a
/// unique name derived from the module path that produced it ("member0/conv1/Conv"), so a graph viewer
/// shows where each node came from.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> names = [];

    /// <summary>The graph under construction (nodes and initializers; inputs and outputs are the exporter's).</summary>
    public GraphProto Graph { get; } = new();

    /// <summary>A name no value of this graph has yet, built from <paramref name="hint"/>.</summary>
    public string UniqueName(string hint)
    {
        var name = hint;
        for (var n = 1; !names.Add(name); n++) name = $"{hint}_{n}";
        return name;
    }

    /// <summary>Adds a float32 weight (a parameter or buffer of a module) and returns its value name.</summary>
    public string Weight(string name, Tensor tensor)
    {
        // The scope holds the intermediate wrappers until the copy is made (see TensorCopies).
        using var scope = NewDisposeScope();
        var values = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
        var proto = new TensorProto { Name = UniqueName(name), DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(values.shape);
        // float_data rather than raw_data: protobuf writes it little-endian on every machine.
        proto.FloatData.AddRange(values.data<float>().ToArray());
        Graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>Adds a float32 constant of the given shape and returns its value name.</summary>
    public string Constant(string name, float[] values, params long[] dims)
    {
        var proto = new TensorProto { Name = UniqueName(name), DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(dims);
        proto.FloatData.AddRange(values);
        Graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>
    /// Adds one node and returns the name of its (single) output; <paramref name="output"/> names it
    /// explicitly (the graph's own output), otherwise it is named after the node.
    /// </summary>
    public string Node(string opType, string scope, IEnumerable<string> inputs, IEnumerable<AttributeProto>? attributes = null,
        string? output = null)
    {
        var name = UniqueName($"{scope}/{opType}");
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output is null ? UniqueName($"{name}:0") : UniqueNameExactly(output));
        if (attributes is not null) node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return node.Output[0];
    }

    private string UniqueNameExactly(string name) =>
        names.Add(name) ? name : throw new InvalidOperationException($"The graph already has a value named '{name}'.");

    /// <summary>An integer-list attribute (kernel_shape, strides, pads, ...).</summary>
    public static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>An integer attribute (axis, group, transB, ...).</summary>
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float attribute (epsilon, ...).</summary>
    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A string, for metadata.</summary>
    public static StringStringEntryProto Property(string key, string value) => new() { Key = key, Value = value };

    /// <summary>Bytes of a finished model.</summary>
    public static byte[] Serialize(ModelProto model) => model.ToByteArray();
}
