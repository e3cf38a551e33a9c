using DigitRecognizer.Data;
using DigitRecognizer.Export;
using DigitRecognizer.Inference;
using DigitRecognizer.Onnx;
using DigitRecognizer.Training;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace DigitRecognizer.Tests.Export;

/// <summary>
/// The int8 export (<c>digits export-onnx --quantize int8</c>): the small models of <see cref="OnnxTestModels"/> quantised on
/// their own validation part, then compared with their float32 export on MNIST test images they never saw.
/// </summary>
public sealed class OnnxQuantizationTests
{
    public static TheoryData<string> Models => ["dense", "cnn", "cnn-bn", "cnn-fast", "resnet", "m5", OnnxTestModels.MixedEnsemble];

    internal static QuantizedExport Quantize(DigitClassifier classifier) =>
        OnnxExporter.ToQuantizedBytes(classifier, ValidationPart(classifier), "MNIST training slice, validation part");

    internal static DigitDataset ValidationPart(DigitClassifier classifier) =>
        TrainingSplit.ValidationPart(OnnxTestModels.TrainingImages, classifier.Metadata);

    [Theory]
    [MemberData(nameof(Models))]
    public void TheInt8Model_GivesProbabilities_AndMostlyTheFloatModelsLabels(string name)
    {
        var (torch, _, floatFile) = OnnxTestModels.Get(name);
        var export = Quantize(torch);
        using var int8 = OnnxDigitClassifier.FromBytes(export.Bytes, $"{name} int8");
        using var float32 = OnnxDigitClassifier.Load(floatFile);
        var images = OnnxTestModels.TestImages(300);

        var (expected, actual) = (float32.Predict(images), int8.Predict(images));

        for (var i = 0; i < images.Count; i++)
        {
            var row = actual.Row(i);
            Assert.Equal(1.0, row.ToArray().Sum(p => (double)p), 1e-4);
            Assert.All(row.ToArray(), p => Assert.InRange(p, 0f, 1f));
        }
        // Rounding moves a few borderline images of these one-epoch models, not the model: a broken scale or a weight
        // in the wrong channel would agree on a fraction of them.
        var same = expected.Labels.Where((label, i) => actual.Labels[i] == label).Count();
        Assert.True(same >= 0.97 * images.Count, $"{name}: int8 gives the float model's label on {same} of {images.Count} test images");
        Assert.Equal(export.Images, ValidationPart(torch).Count);
        Assert.InRange(export.SameLabels, (int)(0.97 * export.Images), export.Images);
    }

    [Theory]
    [InlineData("cnn-bn", 7, 0, 0.35)]  // six 3×3 convolutions and the 4×4 head; the last layer is its only Gemm
    [InlineData("cnn", 2, 1, 0.35)]     // two convolutions and the 7,744 → 128 hidden layer, most of the file
    public void OnnxRuntime_RunsTheConvolutionsAndHiddenLayers_InIntegers_AndTheLastLayerInFloat(string name, int convolutions,
        int hiddenLayers, double largestSizeShare)
    {
        var (torch, _, floatFile) = OnnxTestModels.Get(name);
        var export = Quantize(torch);
        using var folder = new TempFolder();
        var optimised = folder.File("optimised.onnx");

        // What ONNX Runtime makes of the graph once it has fused it (the file it writes when asked to).
        using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = optimised })
        using (new InferenceSession(export.Bytes, options)) { }
        var fused = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimised)).Graph.Node.Select(n => n.OpType).ToList();
        var written = ModelProto.Parser.ParseFrom(export.Bytes).Graph;

        Assert.Equal(convolutions, written.Node.Count(n => n.OpType == "Conv"));
        Assert.Equal(convolutions, fused.Count(op => op == "QLinearConv"));
        Assert.Equal(hiddenLayers, fused.Count(op => op == "QGemm"));
        Assert.DoesNotContain("Conv", fused);
        Assert.Equal(1, fused.Count(op => op == "Gemm")); // the logits, which the softmax and the refusal threshold read
        Assert.DoesNotContain("BatchNormalization", written.Node.Select(n => n.OpType)); // folded into the convolutions
        Assert.All(written.Initializer.Where(i => i.Dims.Count == 4), w => Assert.Equal((int)TensorProto.Types.DataType.Int8, w.DataType));
        var floatSize = new FileInfo(floatFile).Length;
        Assert.True(export.Bytes.Length < largestSizeShare * floatSize, $"int8 file {export.Bytes.Length:N0} bytes, float32 {floatSize:N0}");
    }

    [Fact]
    public void TheInt8File_DescribesItself_WithItsOwnFiguresAndRule_AndNoTestAccuracy()
    {
        var (trained, _, _) = OnnxTestModels.Get("cnn-bn");
        var rule = new Rejection
        {
            Method = RejectionMethod.Margin, Threshold = 0.5, ChosenOn = "the float weights", Images = 60, RefusedShare = 0.05,
            ErrorShareOfAccepted = 0.01, TargetRefusedShare = 0.05, UnseenNonDigitsRefusedShare = 0.99,
        };
        var calibrated = new DigitClassifier(trained.Module, trained.Normalization,
            trained.Metadata with { Rejection = rule, Metrics = trained.Metadata.Metrics with { TestAccuracy = 0.9 } });

        var export = Quantize(calibrated);
        using var int8 = OnnxDigitClassifier.FromBytes(export.Bytes, "int8");
        var metadata = OnnxExporter.ReadCheckpointMetadata(int8.Metadata)!;

        Assert.Contains("int8", int8.Metadata[OnnxContract.Metadata.Quantization]);
        Assert.Contains($"{export.Images} images", int8.Metadata[OnnxContract.Metadata.Quantization]);
        Assert.Null(int8.TestAccuracy); // measured on the float weights, not these
        Assert.Null(metadata.Metrics.TestAccuracy);
        Assert.Equal(export.QuantizedAccuracy, int8.ValidationAccuracy!.Value, 1e-12);
        // The threshold is chosen again on the int8 model's own probabilities, for the same method and refused share.
        Assert.NotNull(export.Rejection);
        Assert.Equal(export.Rejection, metadata.Rejection);
        // Never lowered again for the unseen non-digits (it stands for the checkpoint's rule); it says what it refuses of them.
        Assert.Equal(rule.TargetRefusedShare, export.Rejection!.TargetRefusedShare);
        Assert.InRange(export.Rejection.UnseenNonDigitsRefusedShare!.Value, 0, 1);
        Assert.Equal(rule.Method, export.Rejection.Method);
        Assert.NotEqual(rule.Threshold, export.Rejection.Threshold);
        Assert.Equal("MNIST training slice, validation part", export.Rejection.ChosenOn);
        var validation = ValidationPart(calibrated);
        var refused = int8.Predict(validation).Probabilities.Chunk(DigitImage.ClassCount)
            .Count(p => Rejection.Score(export.Rejection.Method, p) < export.Rejection.Threshold);
        Assert.Equal(export.Rejection.RefusedShare, (double)refused / validation.Count, 1e-12);
    }

    [Fact]
    public void TheSameCheckpointAndImages_GiveTheSameFile()
    {
        var (trained, _, _) = OnnxTestModels.Get("cnn");

        Assert.Equal(Quantize(trained).Bytes, Quantize(trained).Bytes);
    }

    [Fact]
    public void Weights_AreRoundedPerChannel_WithEachChannelsLargestMagnitudeAt63()
    {
        float[] weights = [0.5f, -0.26f, 0.1f, 0f, /* channel 2 */ -8f, 4.2f, 2f, 0.01f, /* channel 3, all zero */ 0f, 0f, 0f, 0f];

        var (quantized, scales) = OnnxQuantizer.QuantizeWeights(weights, channels: 3);

        // 63, not 127: pairs of uint8 × int8 products must fit 16 bits on CPUs without VNNI.
        Assert.Equal([0.5f / 63, 8f / 63, 1f], scales);
        Assert.Equal([63, -33, 13, 0, -63, 33, 16, 0, 0, 0, 0, 0], quantized.Select(q => (int)q));
        for (var i = 0; i < weights.Length; i++)
            Assert.InRange(Math.Abs(quantized[i] * scales[i / 4] - weights[i]), 0, scales[i / 4] / 2 + 1e-7);
    }
}
