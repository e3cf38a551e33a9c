using System.Security.Cryptography;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Export;
using DigitRecognizer.Inference;
using DigitRecognizer.Onnx;

namespace DigitRecognizer.Tests.Export;

/// <summary>
/// The trained models shipped under models/ (scripts/ship-models.sh): each checkpoint loads with this build,
/// matches its checksum, is as good on MNIST test images as its record says, and its ONNX export answers as
/// the checkpoint does. A change of checkpoint format or of the exporter makes these fail until the models
/// are rewritten.
/// </summary>
[Trait("Category", "Model")]
public sealed class ShippedModelTests
{
    private static string ModelsFolder => TestData.ModelsFolder;

    public static TheoryData<string> Shipped()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(ModelsFolder, "*.ckpt").Order())
            data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [Fact]
    public void TheBoxHoldsTheNotebookCnn_AndEveryFileMatchesItsChecksum()
    {
        Assert.True(File.Exists(Path.Combine(ModelsFolder, "cnn.ckpt")), "models/cnn.ckpt is missing");
        var lines = File.ReadAllLines(Path.Combine(ModelsFolder, "SHA256SUMS")).Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            var (hash, name) = (line[..64], line[66..]);
            var actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(ModelsFolder, name))));
            Assert.True(hash == actual, $"models/{name}: SHA-256 {actual}, SHA256SUMS says {hash}");
        }
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void AShippedModel_ScoresAsRecorded_AndItsOnnxExportAgreesOnEveryTestImage(string name)
    {
        using var checkpoint = Checkpoint.Load(Path.Combine(ModelsFolder, name + ".ckpt"));
        using var onnx = OnnxDigitClassifier.Load(Path.Combine(ModelsFolder, name + ".onnx"));
        var images = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test);

        var expected = checkpoint.Predict(images);
        var actual = onnx.Predict(images);

        // Issue 14's bar, on all 10,000 test images.
        OnnxExportTests.AssertSameAnswers(expected, actual, name);
        Assert.Equal(checkpoint.Architecture, onnx.Architecture);
        // What the model's record says it scored on the test set is what it scores here, to the image.
        var recorded = checkpoint.Metadata.Metrics.TestAccuracy;
        Assert.NotNull(recorded);
        Assert.Equal(recorded!.Value, expected.Accuracy(images.Labels!), 1e-9);
        Assert.Equal(onnx.TestAccuracy!.Value, recorded.Value, 1e-9);
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void AShippedModel_IsCalibrated_AndItsOnnxFileCarriesTheRule(string name)
    {
        using var checkpoint = Checkpoint.Load(Path.Combine(ModelsFolder, name + ".ckpt"));
        using var onnx = OnnxDigitClassifier.Load(Path.Combine(ModelsFolder, name + ".onnx"));

        var rule = checkpoint.Metadata.Rejection;
        Assert.NotNull(rule);
        Assert.InRange(rule!.RefusedShare, 0, 0.01); // issue 15: at most 1% of digits refused
        Assert.Equal(rule.Threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            onnx.Metadata[OnnxContract.Metadata.RejectionThreshold]);
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void AShippedInt8Model_ReadsTheTestSetAsItsCheckpointDoes_FromAQuarterOfTheFile(string name)
    {
        // models/NAME-int8.onnx: `digits export-onnx --model models/NAME.ckpt --output models/NAME-int8.onnx --quantize int8`.
        using var checkpoint = Checkpoint.Load(Path.Combine(ModelsFolder, name + ".ckpt"));
        using var int8 = OnnxDigitClassifier.Load(Path.Combine(ModelsFolder, name + "-int8.onnx"));
        var images = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test);

        var (expected, actual) = (checkpoint.Predict(images), int8.Predict(images));

        var same = expected.Labels.Where((label, i) => actual.Labels[i] == label).Count();
        Assert.True(same >= 9_990, $"the int8 model gives the checkpoint's label on {same:N0} of 10,000 test images");
        Assert.Equal(checkpoint.Architecture, int8.Architecture);
        Assert.Contains("int8", int8.Metadata[OnnxContract.Metadata.Quantization]);
        Assert.Null(int8.TestAccuracy);
        var rule = OnnxExporter.ReadCheckpointMetadata(int8.Metadata)!.Rejection;
        Assert.NotNull(rule);
        Assert.InRange(rule!.RefusedShare, 0, 0.01);
        Assert.Equal(checkpoint.Metadata.Rejection!.TargetRefusedShare, rule.TargetRefusedShare);   // the same share as the checkpoint's rule
        Assert.True(new FileInfo(int8.Path).Length < 0.35 * new FileInfo(Path.Combine(ModelsFolder, name + ".onnx")).Length);
    }
}
