using DigitRecognizer.Export;
using DigitRecognizer.Inference;
using DigitRecognizer.Models;
using DigitRecognizer.Onnx;
using Xunit.Abstractions;

namespace DigitRecognizer.Tests.Export;

public sealed class OnnxExportTests(ITestOutputHelper output)
{
    // The Done-when tolerance: ONNX Runtime and TorchSharp compute the same float32 operations in other orders.
    private const float Tolerance = 1e-5f;

    public static TheoryData<string> Architectures => [.. OnnxTestModels.Names];

    [Theory]
    [MemberData(nameof(Architectures))]
    public void OnnxRuntime_GivesTorchSharpsProbabilities_OnMnistTestImages(string name)
    {
        var (torch, _, onnxPath) = OnnxTestModels.Get(name);
        var images = OnnxTestModels.TestImages(300);
        using var onnx = OnnxDigitClassifier.Load(onnxPath);

        var expected = torch.Predict(images);
        var actual = onnx.Predict(images, batchSize: 128);

        var maxDifference = AssertSameAnswers(expected, actual, name);
        // One epoch on 540 images leaves some models weak, but their answers must still vary with the image
        // (not one constant row), or agreeing on them would prove little.
        var spread = Enumerable.Range(0, DigitImage.ClassCount).Max(digit =>
            Enumerable.Range(0, images.Count).Max(i => expected.Row(i)[digit]) - Enumerable.Range(0, images.Count).Min(i => expected.Row(i)[digit]));
        Assert.True(spread > 0.05, $"{name}: the probabilities hardly depend on the image (spread {spread:F4})");
        output.WriteLine($"{name}: max |ONNX Runtime - TorchSharp| = {maxDifference:E2} over {images.Count} images, accuracy {expected.Accuracy(images.Labels!):P1}");
    }

    [Fact]
    public void Export_PutsTheInputNormalisationInsideTheGraph()
    {
        var (trained, _, _) = OnnxTestModels.Get("dense");
        // The same weights behind another normalisation: the graph must subtract and divide before the first layer.
        var normalized = new DigitClassifier(trained.Module, new InputNormalization { Mean = 0.1307, Std = 0.3081 }, trained.Metadata);
        var images = OnnxTestModels.TestImages(50);
        using var folder = new TempFolder();
        OnnxExporter.Export(normalized, folder.File("normalized.onnx"));
        using var onnx = OnnxDigitClassifier.Load(folder.File("normalized.onnx"));

        var expected = normalized.Predict(images).Probabilities;
        var actual = onnx.Predict(images).Probabilities;

        Assert.All(expected.Zip(actual), pair => Assert.InRange(pair.Second, pair.First - Tolerance, pair.First + Tolerance));
        Assert.NotEqual(trained.Predict(images).Labels, onnx.Predict(images).Labels);
    }

    [Fact]
    public void ExportedFile_DescribesItself_AndTakesAnyBatchSize()
    {
        var (torch, _, onnxPath) = OnnxTestModels.Get("cnn");
        using var onnx = OnnxDigitClassifier.Load(onnxPath);

        Assert.Equal("cnn", onnx.Architecture);
        Assert.Equal("DigitRecognizer", onnx.Producer);
        Assert.Equal(torch.Metadata.Metrics.ValidationAccuracy, onnx.ValidationAccuracy);
        Assert.Equal(OnnxContract.InputConvention, onnx.Metadata[OnnxContract.Metadata.Input]);
        Assert.Equal(torch.Metadata.Metrics.TrainImages.ToString(), onnx.Metadata[OnnxContract.Metadata.TrainImages]);
        var images = OnnxTestModels.TestImages(7);
        var whole = onnx.Predict(images, batchSize: 7).Probabilities;
        var single = onnx.Predict(images, batchSize: 1).Probabilities;
        Assert.Equal(whole.Length, single.Length);
        Assert.All(whole.Zip(single), pair => Assert.Equal(pair.First, pair.Second, 1e-6f));
    }

    [Fact]
    public void ACalibratedModelsRefusalRule_IsInTheFilesMetadata_ForAnyProgramToRead()
    {
        var (trained, _, _) = OnnxTestModels.Get("dense");
        var rule = new Rejection
        {
            Method = RejectionMethod.Margin, Threshold = 0.4321, ChosenOn = "test", Images = 100, RefusedShare = 0.0125,
            ErrorShareOfAccepted = 0.01, TargetRefusedShare = 0.01,
        };
        var calibrated = new DigitClassifier(trained.Module, trained.Normalization, trained.Metadata with { Rejection = rule });
        using var folder = new TempFolder();
        OnnxExporter.Export(calibrated, folder.File("calibrated.onnx"));
        OnnxExporter.Export(trained, folder.File("plain.onnx"));
        using var onnx = OnnxDigitClassifier.Load(folder.File("calibrated.onnx"));
        using var plain = OnnxDigitClassifier.Load(folder.File("plain.onnx"));

        Assert.Equal("margin", onnx.Metadata[OnnxContract.Metadata.RejectionMethod]);
        Assert.Equal(0.4321, double.Parse(onnx.Metadata[OnnxContract.Metadata.RejectionThreshold], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0.0125, double.Parse(onnx.Metadata[OnnxContract.Metadata.RejectionRefusedShare], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(rule, OnnxExporter.ReadCheckpointMetadata(onnx.Metadata)!.Rejection);
        Assert.False(plain.Metadata.ContainsKey(OnnxContract.Metadata.RejectionThreshold));
    }

    [Fact]
    public void Ensemble_AveragesItsMembersInsideTheGraph()
    {
        var (ensemble, _, onnxPath) = OnnxTestModels.Get(OnnxTestModels.MixedEnsemble);
        using var onnx = OnnxDigitClassifier.Load(onnxPath);

        Assert.Equal(ensemble.Architecture, onnx.Architecture);
        var members = ensemble.PredictEachNetwork(OnnxTestModels.TestImages(20));
        var mean = Enumerable.Range(0, members[0].Predictions.Probabilities.Length)
            .Select(i => members.Average(m => m.Predictions.Probabilities[i])).ToArray();
        var actual = onnx.Predict(OnnxTestModels.TestImages(20)).Probabilities;
        Assert.All(mean.Zip(actual), pair => Assert.Equal(pair.First, pair.Second, Tolerance));
    }

    [Fact]
    public void ReadPixels_ReturnsTheLabelTheProbabilitiesAndTheInputItSaw()
    {
        var (torch, _, onnxPath) = OnnxTestModels.Get("cnn-fast");
        using var onnx = OnnxDigitClassifier.Load(onnxPath);
        var images = OnnxTestModels.TestImages(5);

        for (var i = 0; i < images.Count; i++)
        {
            var reading = onnx.ReadPixels(images.Image(i).ToArray());
            Assert.Equal(torch.Predict(images).Labels[i], reading.Label);
            Assert.Equal(1f, reading.Probabilities.Sum(), 1e-5f);
            Assert.Equal(images.Image(i).ToArray(), reading.Input.Pixels);
        }
        Assert.Throws<ArgumentException>(() => onnx.ReadPixels(new float[100]));
    }

    [Fact]
    public void Load_RefusesMissingCorruptAndForeignFiles_NamingTheFile()
    {
        using var folder = new TempFolder();
        var missing = Assert.Throws<OnnxModelException>(() => OnnxDigitClassifier.Load(folder.File("none.onnx")));
        Assert.Contains("no such file", missing.Message);

        File.WriteAllText(folder.File("garbage.onnx"), "this is not a model");
        var garbage = Assert.Throws<OnnxModelException>(() => OnnxDigitClassifier.Load(folder.File("garbage.onnx")));
        Assert.StartsWith(folder.File("garbage.onnx"), garbage.Message);

        // A valid ONNX file with another interface: a model whose input is not called 'pixels'.
        var (_, _, onnxPath) = OnnxTestModels.Get("dense");
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnxPath));
        model.Graph.Input[0].Name = "image";
        foreach (var node in model.Graph.Node)
            for (var i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == OnnxContract.InputName) node.Input[i] = "image";
        File.WriteAllBytes(folder.File("foreign.onnx"), OnnxGraphBuilder.Serialize(model));
        var foreign = Assert.Throws<OnnxModelException>(() => OnnxDigitClassifier.Load(folder.File("foreign.onnx")));
        Assert.Contains("expected one input 'pixels'", foreign.Message);

        // From memory: the same checks, naming what the caller called the bytes.
        var fromBytes = Assert.Throws<OnnxModelException>(() => OnnxDigitClassifier.FromBytes("not a model"u8.ToArray(), "embedded.onnx"));
        Assert.StartsWith("embedded.onnx", fromBytes.Message);
        var foreignBytes = Assert.Throws<OnnxModelException>(() => OnnxDigitClassifier.FromBytes(File.ReadAllBytes(folder.File("foreign.onnx")), "embedded.onnx"));
        Assert.Contains("expected one input 'pixels'", foreignBytes.Message);
        using var loaded = OnnxDigitClassifier.FromBytes(File.ReadAllBytes(onnxPath), "embedded.onnx");
        using var fromFile = OnnxDigitClassifier.Load(onnxPath);
        Assert.Equal("embedded.onnx", loaded.Path);
        Assert.Equal(fromFile.Predict(OnnxTestModels.TestImages(20)).Probabilities,
            loaded.Predict(OnnxTestModels.TestImages(20)).Probabilities);
    }

    /// <summary>
    /// Issue 14's bar: every probability within <see cref="Tolerance"/> of TorchSharp's, and the same label wherever
    /// the top two probabilities are further apart than that. Returns the largest difference.
    /// </summary>
    internal static float AssertSameAnswers(PredictionSet expected, PredictionSet actual, string name)
    {
        var maxDifference = expected.Probabilities.Zip(actual.Probabilities, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDifference <= Tolerance, $"{name}: largest difference {maxDifference:E2} > {Tolerance:E0}");
        for (var i = 0; i < expected.Count; i++)
            if (TopTwoGap(expected.Row(i)) > Tolerance)
                Assert.True(expected.Labels[i] == actual.Labels[i], $"{name}: image {i} is {expected.Labels[i]} in TorchSharp, {actual.Labels[i]} in ONNX Runtime");
        return maxDifference;
    }

    private static float TopTwoGap(ReadOnlySpan<float> row)
    {
        var sorted = row.ToArray().OrderDescending().ToArray();
        return sorted[0] - sorted[1];
    }
}
