using System.Globalization;
using System.Text.Json;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Inference;
using DigitRecognizer.IO;
using DigitRecognizer.Models;
using Onnx;
using static DigitRecognizer.Export.OnnxGraphBuilder;
using static TorchSharp.torch;

namespace DigitRecognizer.Export;

/// <summary>
/// Writes a trained network as an ONNX model with the fixed interface of <see cref="OnnxContract"/>:
/// the model's input normalisation, its layers in inference form, softmax (an ensemble: each member's
/// softmax, then their mean), and metadata properties that describe where it came from.
/// </summary>
public static class OnnxExporter
{
    /// <summary>
    /// The ONNX operator set the files declare. 17 (ONNX 1.12, 2022) has every operator these graphs use in
    /// its current form (Softmax over one axis since 13, BatchNormalization-15), and is run by ONNX Runtime
    /// since 1.12 (1.31 runs up to opset 23), by Triton's ONNX Runtime backend, by onnxruntime-web and by
    /// older Python onnxruntime wheels people still have installed; nothing newer would buy anything here.
    /// </summary>
    public const int Opset = 17;

    /// <summary>ONNX IR version 8, the one that goes with opset 17.</summary>
    public const long IrVersion = 8;

    /// <summary>The program and version written as the model's producer.</summary>
    public static string ProducerVersion { get; } = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>Exports <paramref name="classifier"/> to <paramref name="path"/>, atomically (an existing file stays as it was on failure).</summary>
    /// <exception cref="NotSupportedException">The network holds a layer or architecture the exporter does not know.</exception>
    public static void Export(DigitClassifier classifier, string path) => AtomicFile.WriteBytes(path, ToBytes(classifier));

    /// <summary>The ONNX model of <paramref name="classifier"/>, serialised.</summary>
    public static byte[] ToBytes(DigitClassifier classifier) => Serialize(Build(classifier));

    /// <summary>
    /// The int8 model of <paramref name="classifier"/> (<see cref="OnnxQuantizer"/>: integer convolutions, about a
    /// quarter of the file and ~1.6–2× faster in ONNX Runtime on a CPU with 8-bit dot products), its activation ranges
    /// measured on <paramref name="validation"/> — the model's validation part, training images it did not fit, never
    /// the test set — and compared there with the float32 export. Its refusal rule is chosen again on the same
    /// images — its threshold, for the checkpoint's method and refused share, since rounding moves the probabilities
    /// the threshold was set on (the method stays: the int8 model stands for the checkpoint, and letting it change
    /// once turned max-probability into margin, which refused 87.5% of the tests' scribbles instead of 91%); its metadata gives its own validation accuracy and no test accuracy (the checkpoint's was measured
    /// on other weights).
    /// </summary>
    /// <exception cref="NotSupportedException">The network holds a layer or architecture the exporter does not know.</exception>
    public static QuantizedExport ToQuantizedBytes(DigitClassifier classifier, DigitDataset validation, string description,
        CancellationToken cancellation = default)
    {
        var labels = validation.RequireLabels("Checking the int8 model against the float32 one");
        var floatModel = Build(classifier);
        var model = OnnxQuantizer.Quantize(floatModel, validation, cancellation);
        var (floatPredictions, quantizedPredictions) = (Predict(floatModel, validation, cancellation), Predict(model, validation, cancellation));

        double Accuracy(PredictionSet predictions) => (double)labels.Where((label, i) => predictions.Labels[i] == label).Count() / labels.Length;
        var sameLabels = floatPredictions.Labels.Where((label, i) => quantizedPredictions.Labels[i] == label).Count();
        var largestDifference = floatPredictions.Probabilities.Zip(quantizedPredictions.Probabilities, (a, b) => Math.Abs((double)a - b)).Max();
        // The same share as the checkpoint's rule, never lowered again; the unseen non-digits only say what it refuses of them.
        var rejection = classifier.Metadata.Rejection is { } rule
            ? RejectionCalibrator.Choose(quantizedPredictions, labels, description,
                new RejectionOptions { TargetRefusedShare = rule.TargetRefusedShare, Methods = [rule.Method], MinUnseenRefusedShare = null },
                unseenNonDigits: rule.UnseenNonDigitsRefusedShare is null ? null
                    : Predict(model, UnseenNonDigits.Generate(new RejectionOptions().UnseenNonDigitCount(validation.Count), new RejectionOptions().UnseenNonDigitSeed), cancellation)).Chosen
            : null;
        var quantizedAccuracy = Accuracy(quantizedPredictions);
        var metadata = classifier.Metadata with
        {
            Rejection = rejection,
            Metrics = classifier.Metadata.Metrics with { ValidationAccuracy = quantizedAccuracy, ValidationLoss = null, TestAccuracy = null },
        };
        model.DocString = $"{floatModel.DocString} Weights and activations in 8-bit integers (QDQ).";
        model.MetadataProps.Clear();
        model.MetadataProps.AddRange(Metadata(metadata).Select(p => Property(p.Key, p.Value)));
        model.MetadataProps.Add(Property(OnnxContract.Metadata.Quantization,
            $"int8 QDQ: convolution and hidden linear layer weights int8 per output channel (symmetric, 7 bits: ±63), activations uint8 per tensor, last layer float, ranges from {validation.Count} images ({description})"));
        return new QuantizedExport
        {
            Bytes = Serialize(model),
            Images = validation.Count,
            ImagesDescription = description,
            FloatAccuracy = Accuracy(floatPredictions),
            QuantizedAccuracy = quantizedAccuracy,
            SameLabels = sameLabels,
            LargestProbabilityDifference = largestDifference,
            Rejection = rejection,
        };
    }

    // Predictions of a graph held in memory, on one thread as everywhere (the same figures on every run).
    private static PredictionSet Predict(ModelProto model, DigitDataset data, CancellationToken cancellation)
    {
        using var classifier = DigitRecognizer.Onnx.OnnxDigitClassifier.FromBytes(Serialize(model), "the model being exported");
        return classifier.Predict(data, cancellation: cancellation);
    }

    internal static ModelProto Build(DigitClassifier classifier)
    {
        var graph = new OnnxGraphBuilder();
        graph.UniqueName(OnnxContract.InputName);
        graph.Graph.Name = classifier.Architecture;
        graph.Graph.Input.Add(TensorValue(OnnxContract.InputName, 1, DigitImage.Side, DigitImage.Side));

        var x = Normalize(graph, classifier.Normalization, OnnxContract.InputName);
        if (classifier.Module is EnsembleModel ensemble)
        {
            // The ensemble's own forward returns log(mean) so that TorchSharp's softmax gives the mean back;
            // in the graph the mean is the output itself.
            var memberProbabilities = ensemble.Members
                .Select((member, i) => graph.Node("Softmax", $"member{i}", [ArchitectureGraphs.Logits(graph, member, x, $"member{i}")], [Int("axis", 1)]))
                .ToList();
            graph.Node("Mean", "ensemble", memberProbabilities, output: OnnxContract.OutputName);
        }
        else
        {
            var logits = ArchitectureGraphs.Logits(graph, classifier.Module, x, "model");
            graph.Node("Softmax", "model", [logits], [Int("axis", 1)], output: OnnxContract.OutputName);
        }
        graph.Graph.Output.Add(TensorValue(OnnxContract.OutputName, DigitImage.ClassCount));

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "DigitRecognizer",
            ProducerVersion = ProducerVersion,
            ModelVersion = 1,
            DocString = $"Handwritten-digit classifier '{classifier.Architecture}' exported from a DigitRecognizer checkpoint. " +
                        $"{OnnxContract.InputConvention}. {OnnxContract.OutputConvention}.",
            Graph = graph.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        model.MetadataProps.AddRange(Metadata(classifier.Metadata).Select(p => Property(p.Key, p.Value)));
        return model;
    }

    /// <summary>The metadata properties written for a checkpoint's metadata (numbers invariant-culture, round-trip).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Metadata(CheckpointMetadata metadata)
    {
        static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        var normalization = metadata.Normalization;
        var properties = new List<KeyValuePair<string, string>>
        {
            new(OnnxContract.Metadata.Architecture, metadata.Architecture),
            new(OnnxContract.Metadata.ArchitectureArguments, metadata.ArchitectureArguments.ToJsonString()),
            new(OnnxContract.Metadata.Input, OnnxContract.InputConvention),
            new(OnnxContract.Metadata.Output, OnnxContract.OutputConvention),
            new(OnnxContract.Metadata.Normalization, $"(x - {Number(normalization.Mean)}) / {Number(normalization.Std)}"),
            new(OnnxContract.Metadata.TrainImages, metadata.Metrics.TrainImages.ToString(CultureInfo.InvariantCulture)),
            new(OnnxContract.Metadata.ValidationImages, metadata.Metrics.ValidationImages.ToString(CultureInfo.InvariantCulture)),
            new(OnnxContract.Metadata.DataSource, metadata.Metrics.DataSource),
            new(OnnxContract.Metadata.CheckpointCreatedBy, metadata.CreatedBy),
            new(OnnxContract.Metadata.CheckpointCreatedUtc, metadata.CreatedUtc.ToString("O", CultureInfo.InvariantCulture)),
            new(OnnxContract.Metadata.Producer, $"DigitRecognizer {ProducerVersion} (ONNX opset {Opset})"),
            new(OnnxContract.Metadata.CheckpointMetadata, JsonSerializer.Serialize(metadata, JsonFormat.Options)),
        };
        if (metadata.Metrics.ValidationAccuracy is { } accuracy)
            properties.Add(new(OnnxContract.Metadata.ValidationAccuracy, Number(accuracy)));
        if (metadata.Metrics.ValidationLoss is { } loss)
            properties.Add(new(OnnxContract.Metadata.ValidationLoss, Number(loss)));
        if (metadata.Metrics.TestAccuracy is { } test)
            properties.Add(new(OnnxContract.Metadata.TestAccuracy, Number(test)));
        if (metadata.Rejection is { } rule)
        {
            // Plain properties as well as inside checkpoint_metadata, so a program in any language finds the rule.
            properties.Add(new(OnnxContract.Metadata.RejectionMethod, rule.Method switch
            {
                RejectionMethod.MaxProbability => "max_probability",
                RejectionMethod.Margin => "margin",
                _ => throw new NotSupportedException($"No ONNX name for the rejection method {rule.Method}."),
            }));
            properties.Add(new(OnnxContract.Metadata.RejectionThreshold, Number(rule.Threshold)));
            properties.Add(new(OnnxContract.Metadata.RejectionRefusedShare, Number(rule.RefusedShare)));
        }
        return properties;
    }

    /// <summary>The checkpoint metadata an exported file carries (<see cref="OnnxContract.Metadata.CheckpointMetadata"/>), or null if it has none.</summary>
    /// <exception cref="JsonException">The property is there but is not valid checkpoint metadata.</exception>
    public static CheckpointMetadata? ReadCheckpointMetadata(IReadOnlyDictionary<string, string> properties) =>
        properties.TryGetValue(OnnxContract.Metadata.CheckpointMetadata, out var json)
            ? JsonSerializer.Deserialize<CheckpointMetadata>(json, JsonFormat.Options)
            : null;

    // (x − Mean) / Std, the checkpoint's InputNormalization, as the graph's first nodes (none for plain 0..1).
    private static string Normalize(OnnxGraphBuilder graph, InputNormalization normalization, string x)
    {
        if (normalization.Side != DigitImage.Side)
            throw new NotSupportedException($"The model takes {normalization.Side}×{normalization.Side} images; the ONNX interface is {DigitImage.Side}×{DigitImage.Side}.");
        if (normalization.Mean == 0 && normalization.Std == 1) return x;
        x = graph.Node("Sub", "normalization", [x, graph.Constant("normalization.mean", [(float)normalization.Mean])]);
        return graph.Node("Div", "normalization", [x, graph.Constant("normalization.std", [(float)normalization.Std])]);
    }

    // float32 [N, ...dims] with N the dynamic batch dimension.
    private static ValueInfoProto TensorValue(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = OnnxContract.BatchDimension });
        foreach (var dim in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
