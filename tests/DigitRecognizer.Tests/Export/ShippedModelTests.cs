using System.Security.Cryptography;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
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
    private static string ModelsFolder => TestData.ShippedModelsFolder;

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
    public void AShippedModel_LoadsPredictsAsRecorded_AndItsOnnxExportAgrees(string name)
    {
        using var checkpoint = Checkpoint.Load(Path.Combine(ModelsFolder, name + ".ckpt"));
        using var onnx = OnnxDigitClassifier.Load(Path.Combine(ModelsFolder, name + ".onnx"));
        var images = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test).Take(500);

        var expected = checkpoint.Predict(images);
        var actual = onnx.Predict(images);

        var maxDifference = expected.Probabilities.Zip(actual.Probabilities, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDifference <= 1e-5f, $"{name}: ONNX Runtime differs from TorchSharp by {maxDifference:E2}");
        Assert.Equal(checkpoint.Architecture, onnx.Architecture);
        // The record says how good it is on the whole test set; 500 of those images cannot be far below.
        var recorded = checkpoint.Metadata.Metrics.TestAccuracy;
        Assert.NotNull(recorded);
        Assert.True(expected.Accuracy(images.Labels!) >= recorded - 0.02,
            $"{name}: {expected.Accuracy(images.Labels!):P2} on 500 test images, recorded {recorded:P2} on 10,000");
    }
}
