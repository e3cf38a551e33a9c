using DigitRecognizer.Data;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using static DigitRecognizer.Export.OnnxGraphBuilder;

namespace DigitRecognizer.Export;

/// <summary>
/// Turns an exported float32 graph into an 8-bit one in ONNX's "QDQ" form (static quantisation, as ONNX Runtime's own
/// quantisation tool writes it): every convolution's weights are stored as int8 (7 bits used, see
/// <see cref="WeightLimit"/>), one scale per output channel (symmetric), its bias as int32, and every tensor flowing into or out of a convolution passes through a
/// QuantizeLinear/DequantizeLinear pair with one uint8 scale and zero point per tensor, measured on calibration
/// images. ONNX Runtime fuses each DequantizeLinear → Conv → (Relu →) QuantizeLinear into one integer convolution
/// (QLinearConv), and a hidden linear layer into QGemm; any other runtime can still run the graph as written, in float,
/// with the rounding it describes. The input stays float32 [N,1,28,28] and the output float32 probabilities; the last
/// linear layer (the logits) and the softmax stay float.
/// </summary>
internal static class OnnxQuantizer
{
    /// <summary>Images per calibration pass (memory of the intermediate tensors: ~50 MB for cnn-bn).</summary>
    private const int CalibrationBatch = 250;

    /// <summary>
    /// The quantised copy of <paramref name="model"/> (metadata as it was; the caller rewrites it), with activation
    /// ranges measured on <paramref name="calibration"/> (training images: never the test set).
    /// </summary>
    public static ModelProto Quantize(ModelProto model, DigitDataset calibration, CancellationToken cancellation = default)
    {
        if (calibration.Count == 0) throw new ArgumentException("Quantisation needs calibration images to measure activation ranges on.", nameof(calibration));
        var folded = FoldBatchNorms(model);
        var graph = folded.Graph;
        var quantized = TensorsToQuantize(graph);
        if (quantized.Count == 0)
            throw new NotSupportedException("the network has no convolution or hidden linear layer to compute in 8-bit integers.");
        var ranges = MeasureRanges(folded, quantized, calibration, cancellation);
        return Rewrite(folded, quantized, ranges);
    }

    /// <summary>
    /// Conv → BatchNormalization (inference form) as one Conv with the normalisation folded into its weights and bias:
    /// w' = w·γ/√(σ²+ε), b' = (b − μ)·γ/√(σ²+ε) + β, so that the integer convolution includes it.
    /// </summary>
    internal static ModelProto FoldBatchNorms(ModelProto model)
    {
        var result = model.Clone();
        var graph = result.Graph;
        var initializers = graph.Initializer.ToDictionary(i => i.Name);
        var consumers = Consumers(graph);
        var nodes = graph.Node.ToList();
        var kept = new List<NodeProto>();
        var unused = new HashSet<string>();
        for (var i = 0; i < nodes.Count; i++)
        {
            var conv = nodes[i];
            var norm = i + 1 < nodes.Count ? nodes[i + 1] : null;
            if (conv.OpType != "Conv" || norm is not { OpType: "BatchNormalization" } || norm.Input[0] != conv.Output[0]
                || consumers[conv.Output[0]].Count != 1 || !norm.Input.Skip(1).All(initializers.ContainsKey)
                || !initializers.ContainsKey(conv.Input[1]) || conv.Input.Count > 2 && !initializers.ContainsKey(conv.Input[2]))
            {
                kept.Add(conv);
                continue;
            }
            var weightProto = initializers[conv.Input[1]];
            var weights = Floats(weightProto);
            var channels = (int)weightProto.Dims[0];
            var perChannel = weights.Length / channels;
            var bias = conv.Input.Count > 2 ? Floats(initializers[conv.Input[2]]) : new float[channels];
            var (gamma, beta, mean, variance) = (Floats(initializers[norm.Input[1]]), Floats(initializers[norm.Input[2]]),
                Floats(initializers[norm.Input[3]]), Floats(initializers[norm.Input[4]]));
            var epsilon = norm.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
            for (var c = 0; c < channels; c++)
            {
                var factor = gamma[c] / MathF.Sqrt(variance[c] + epsilon);
                for (var k = 0; k < perChannel; k++) weights[c * perChannel + k] *= factor;
                bias[c] = (bias[c] - mean[c]) * factor + beta[c];
            }
            var foldedWeights = FloatTensor($"{conv.Name}/folded_weight", weights, weightProto.Dims);
            var foldedBias = FloatTensor($"{conv.Name}/folded_bias", bias, channels);
            graph.Initializer.Add(foldedWeights);
            graph.Initializer.Add(foldedBias);
            unused.UnionWith(conv.Input.Skip(1));
            unused.UnionWith(norm.Input.Skip(1));
            var merged = conv.Clone();
            merged.Input.Clear();
            merged.Input.Add([conv.Input[0], foldedWeights.Name, foldedBias.Name]);
            merged.Output[0] = norm.Output[0];
            kept.Add(merged);
            i++;
        }
        graph.Node.Clear();
        graph.Node.Add(kept);
        RemoveUnused(graph, unused);
        return result;
    }

    /// <summary>
    /// The tensors that get a QuantizeLinear/DequantizeLinear pair: each convolution's input, and its output — after
    /// the Relu that follows it if one does, where the uint8 zero point at 0 does the Relu's work.
    /// </summary>
    private static List<string> TensorsToQuantize(GraphProto graph)
    {
        var consumers = Consumers(graph);
        var outputs = graph.Output.Select(o => o.Name).ToHashSet();
        var tensors = new List<string>();
        void Add(string tensor)
        {
            if (!outputs.Contains(tensor) && !tensors.Contains(tensor)) tensors.Add(tensor);
        }
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet();
        foreach (var conv in graph.Node.Where(n => IsQuantized(n, consumers, initializers)))
        {
            Add(conv.Input[0]);
            var output = conv.Output[0];
            if (consumers[output] is [{ OpType: "Relu" } relu]) output = relu.Output[0];
            Add(output);
        }
        return tensors;
    }

    /// <summary>
    /// Whether a node computes in integers: every convolution, and the hidden linear layers (a Gemm with stored
    /// weights whose output goes on to another layer: the notebook CNN's 7,744 → 128 layer holds most of its weights).
    /// The last layer, which gives the logits the softmax turns into the probabilities a threshold is set on, stays float.
    /// </summary>
    private static bool IsQuantized(NodeProto node, Dictionary<string, List<NodeProto>> consumers, HashSet<string> initializers)
    {
        if (node.OpType == "Conv") return true;
        if (node.OpType != "Gemm" || !initializers.Contains(node.Input[1])) return false;
        if (node.Attribute.Any(a => a.Name == "transA" && a.I != 0) || !node.Attribute.Any(a => a.Name == "transB" && a.I == 1)) return false;
        var next = consumers[node.Output[0]] is [{ OpType: "Relu" } relu] ? consumers[relu.Output[0]] : consumers[node.Output[0]];
        return next.Count > 0 && next.All(n => n.OpType is "Gemm" or "Conv");
    }

    /// <summary>Each tensor's smallest and largest value over the calibration images (0 always inside the range).</summary>
    private static Dictionary<string, (float Min, float Max)> MeasureRanges(ModelProto model, List<string> tensors,
        DigitDataset calibration, CancellationToken cancellation)
    {
        var probe = model.Clone();
        var inputName = probe.Graph.Input[0].Name;
        var probed = tensors.Where(t => t != inputName).ToList();
        foreach (var tensor in probed)
            probe.Graph.Output.Add(new ValueInfoProto
            {
                Name = tensor,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        var ranges = tensors.ToDictionary(t => t, _ => (Min: 0f, Max: 0f));
        // One thread, as every run here: the same ranges, so the same file, for the same checkpoint and images.
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        using var session = new InferenceSession(probe.ToByteArray(), options);
        var names = probed.ToArray();
        for (var start = 0; start < calibration.Count; start += CalibrationBatch)
        {
            cancellation.ThrowIfCancellationRequested();
            var count = Math.Min(CalibrationBatch, calibration.Count - start);
            var pixels = calibration.Pixels.AsMemory(start * DigitImage.PixelCount, count * DigitImage.PixelCount);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pixels, [count, 1, DigitImage.Side, DigitImage.Side]);
            if (ranges.ContainsKey(inputName)) Widen(ranges, inputName, pixels.Span);
            if (names.Length == 0) continue;
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, [inputName], [input], names);
            for (var k = 0; k < names.Length; k++) Widen(ranges, names[k], results[k].GetTensorDataAsSpan<float>());
        }
        return ranges;
    }

    private static void Widen(Dictionary<string, (float Min, float Max)> ranges, string tensor, ReadOnlySpan<float> values)
    {
        var (min, max) = ranges[tensor];
        foreach (var value in values)
        {
            if (value < min) min = value;
            if (value > max) max = value;
        }
        ranges[tensor] = (min, max);
    }

    /// <summary>The graph with the Q/DQ pairs inserted after each measured tensor's producer and each convolution's integer weights.</summary>
    private static ModelProto Rewrite(ModelProto model, List<string> tensors, Dictionary<string, (float Min, float Max)> ranges)
    {
        var result = model.Clone();
        var graph = result.Graph;
        var initializers = graph.Initializer.ToDictionary(i => i.Name);
        var activationScales = new Dictionary<string, float>();
        var dequantized = new Dictionary<string, string>();
        var pairs = new Dictionary<string, List<NodeProto>>();
        foreach (var tensor in tensors)
        {
            var (min, max) = ranges[tensor];
            // uint8, asymmetric: [min, max] onto 0..255 with 0 exact (zero padding, and the Relu's floor).
            var scale = max > min ? (max - min) / 255f : 1f;
            var zeroPoint = (byte)Math.Clamp(Math.Round(-min / scale), 0, 255);
            activationScales[tensor] = scale;
            var scaleName = Add(graph, FloatTensor($"{tensor}/scale", [scale]));
            var zeroName = Add(graph, new TensorProto { Name = $"{tensor}/zero_point", DataType = (int)TensorProto.Types.DataType.Uint8, Int32Data = { zeroPoint } });
            var quantize = NewNode("QuantizeLinear", $"{tensor}/QuantizeLinear", [tensor, scaleName, zeroName], $"{tensor}/quantized");
            var dequantize = NewNode("DequantizeLinear", $"{tensor}/DequantizeLinear", [quantize.Output[0], scaleName, zeroName], $"{tensor}/dequantized");
            pairs[tensor] = [quantize, dequantize];
            dequantized[tensor] = dequantize.Output[0];
        }

        var consumers = Consumers(graph);
        var initializerNames = initializers.Keys.ToHashSet();
        // By reference: a message's hash follows its contents, which the loop below changes.
        var quantizedNodes = new HashSet<NodeProto>(graph.Node.Where(n => IsQuantized(n, consumers, initializerNames)), ReferenceEqualityComparer.Instance);
        var weightNodes = new List<NodeProto>();
        var unused = new HashSet<string>();
        foreach (var node in graph.Node)
        {
            // Consumers read the dequantised copy; the pair itself reads the original.
            for (var k = 0; k < node.Input.Count; k++)
                if (dequantized.TryGetValue(node.Input[k], out var copy)) node.Input[k] = copy;
            if (!quantizedNodes.Contains(node) || !initializers.TryGetValue(node.Input[1], out var weightProto)) continue;
            // A convolution whose input is not measured (it is the graph's output as well) stays float.
            if (tensors.FirstOrDefault(t => dequantized[t] == node.Input[0]) is not { } input) continue;
            var (weights, weightScales) = QuantizeWeights(Floats(weightProto), (int)weightProto.Dims[0]);
            var weightName = Add(graph, new TensorProto
            {
                Name = $"{node.Name}/weight_int8",
                DataType = (int)TensorProto.Types.DataType.Int8,
                Dims = { weightProto.Dims },
                // One byte per weight: raw_data has no byte order to get wrong.
                RawData = ByteString.CopyFrom(weights.Select(w => unchecked((byte)w)).ToArray()),
            });
            var weightScaleName = Add(graph, FloatTensor($"{node.Name}/weight_scale", weightScales, weightScales.Length));
            var weightZeroName = Add(graph, new TensorProto
            {
                Name = $"{node.Name}/weight_zero_point",
                DataType = (int)TensorProto.Types.DataType.Int8,
                Dims = { weightScales.Length },
                RawData = ByteString.CopyFrom(new byte[weightScales.Length]),
            });
            weightNodes.Add(NewNode("DequantizeLinear", $"{node.Name}/weight/DequantizeLinear", [weightName, weightScaleName, weightZeroName],
                $"{node.Name}/weight_dequantized", Int("axis", 0)));
            unused.Add(node.Input[1]);
            node.Input[1] = weightNodes[^1].Output[0];
            if (node.Input.Count > 2 && initializers.TryGetValue(node.Input[2], out var biasProto))
            {
                // int32 at the scale of the products it is added to (input scale × weight scale), as QLinearConv wants.
                var biasScales = weightScales.Select(s => s * activationScales[input]).ToArray();
                var bias = Floats(biasProto).Select((b, c) => (int)Math.Clamp(Math.Round(b / biasScales[c]), int.MinValue, int.MaxValue)).ToArray();
                var biasName = Add(graph, new TensorProto { Name = $"{node.Name}/bias_int32", DataType = (int)TensorProto.Types.DataType.Int32, Dims = { bias.Length }, Int32Data = { bias } });
                var biasScaleName = Add(graph, FloatTensor($"{node.Name}/bias_scale", biasScales, biasScales.Length));
                var biasZeroName = Add(graph, new TensorProto { Name = $"{node.Name}/bias_zero_point", DataType = (int)TensorProto.Types.DataType.Int32, Dims = { bias.Length }, Int32Data = { new int[bias.Length] } });
                weightNodes.Add(NewNode("DequantizeLinear", $"{node.Name}/bias/DequantizeLinear", [biasName, biasScaleName, biasZeroName],
                    $"{node.Name}/bias_dequantized", Int("axis", 0)));
                unused.Add(node.Input[2]);
                node.Input[2] = weightNodes[^1].Output[0];
            }
        }

        // Order: the weights' DequantizeLinear first, the graph input's pair, then each node followed by its output's pair.
        var ordered = new List<NodeProto>(weightNodes);
        foreach (var input in graph.Input)
            if (pairs.TryGetValue(input.Name, out var pair)) ordered.AddRange(pair);
        foreach (var node in graph.Node)
        {
            ordered.Add(node);
            foreach (var output in node.Output)
                if (pairs.TryGetValue(output, out var pair)) ordered.AddRange(pair);
        }
        graph.Node.Clear();
        graph.Node.Add(ordered);
        RemoveUnused(graph, unused);
        return result;
    }

    /// <summary>
    /// Largest weight stored, ±63: 7 bits of the int8. x86 CPUs without 8-bit dot products (AVX2, AVX-512 without VNNI)
    /// multiply uint8 activations by int8 weights in pairs summed into 16 bits (VPMADDUBSW), which saturates past
    /// 32,767: 2 × 255 × 127 overflows it, 2 × 255 × 63 does not (ONNX Runtime's own tool calls this
    /// <c>reduce_range</c>). With full-range weights the shipped best-int8.onnx refused 5.05% of MNIST test digits
    /// on an AVX2-only AMD EPYC, against 0.78% on a VNNI Intel Xeon.
    /// </summary>
    internal const int WeightLimit = 63;

    /// <summary>Symmetric per output channel: each channel's largest magnitude onto ±<see cref="WeightLimit"/>.</summary>
    internal static (sbyte[] Weights, float[] Scales) QuantizeWeights(float[] weights, int channels)
    {
        var perChannel = weights.Length / channels;
        var (quantized, scales) = (new sbyte[weights.Length], new float[channels]);
        for (var c = 0; c < channels; c++)
        {
            var largest = 0f;
            for (var k = 0; k < perChannel; k++) largest = Math.Max(largest, Math.Abs(weights[c * perChannel + k]));
            scales[c] = largest > 0 ? largest / WeightLimit : 1f;
            for (var k = 0; k < perChannel; k++)
                quantized[c * perChannel + k] = (sbyte)Math.Clamp(Math.Round(weights[c * perChannel + k] / scales[c]), -WeightLimit, WeightLimit);
        }
        return (quantized, scales);
    }

    private static Dictionary<string, List<NodeProto>> Consumers(GraphProto graph)
    {
        var consumers = new Dictionary<string, List<NodeProto>>();
        foreach (var node in graph.Node)
            foreach (var output in node.Output)
                consumers[output] = [];
        foreach (var input in graph.Input) consumers[input.Name] = [];
        foreach (var node in graph.Node)
            foreach (var input in node.Input)
                if (consumers.TryGetValue(input, out var list)) list.Add(node);
        return consumers;
    }

    private static void RemoveUnused(GraphProto graph, HashSet<string> candidates)
    {
        var read = graph.Node.SelectMany(n => n.Input).ToHashSet();
        var dropped = graph.Initializer.Where(i => candidates.Contains(i.Name) && !read.Contains(i.Name)).ToList();
        foreach (var initializer in dropped) graph.Initializer.Remove(initializer);
    }

    private static string Add(GraphProto graph, TensorProto tensor)
    {
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    private static NodeProto NewNode(string opType, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        return node;
    }

    private static TensorProto FloatTensor(string name, float[] values, params IEnumerable<long> dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.Add(dims);
        tensor.FloatData.Add(values);
        return tensor;
    }

    // The exporter writes float_data; raw_data (little-endian) is read too, for graphs written by other tools.
    private static float[] Floats(TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            throw new NotSupportedException($"{tensor.Name}: expected a float32 tensor, found data type {tensor.DataType}.");
        if (tensor.FloatData.Count > 0) return tensor.FloatData.ToArray();
        var bytes = tensor.RawData.Span;
        var values = new float[bytes.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++) values[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
        return values;
    }
}
