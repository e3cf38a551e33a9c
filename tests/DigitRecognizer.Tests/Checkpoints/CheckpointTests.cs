using DigitRecognizer.Checkpoints;
using DigitRecognizer.Inference;
using DigitRecognizer.Training;

namespace DigitRecognizer.Tests.Checkpoints;

[Trait("Category", "Fast")]
public sealed class CheckpointTests : IDisposable
{
    private readonly TempFolder folder = new();
    private static readonly Lazy<DigitClassifier> Trained = new(() =>
        Trainer.Train(TestData.Synthetic(200), new TrainingOptions { Model = "cnn", Epochs = 1, BatchSize = 32, Seed = 3 }));

    public void Dispose() => folder.Dispose();

    [Fact]
    public void SaveThenLoad_GivesIdenticalPredictionsAndMetadata()
    {
        var path = folder.File("model.ckpt");
        var probe = TestData.Synthetic(25, seed: 8);

        Checkpoint.Save(Trained.Value, path);
        using var loaded = Checkpoint.Load(path);

        Assert.Equal(Trained.Value.Predict(probe).Probabilities, loaded.Predict(probe).Probabilities);
        Assert.Equal("cnn", loaded.Architecture);
        Assert.Equal(Trained.Value.Metadata.Training, loaded.Metadata.Training);
        Assert.Equal(Trained.Value.Metadata.Normalization, loaded.Metadata.Normalization);
        Assert.Equal(Trained.Value.Metadata.Metrics.History, loaded.Metadata.Metrics.History);
        Assert.Equal(Checkpoint.FormatVersion, BitConverter.ToInt32(File.ReadAllBytes(path), 8));   // the header, after "DIGITCKP"
        Assert.Equal(32, loaded.Metadata.ArchitectureArguments["conv1Channels"]!.GetValue<int>());
    }

    [Fact]
    public void Load_AcceptsTheFolderHoldingModelCkpt()
    {
        Checkpoint.Save(Trained.Value, folder.File(Checkpoint.FileName));

        using var loaded = Checkpoint.Load(folder.Path);

        Assert.Equal("cnn", loaded.Architecture);
    }

    [Fact]
    public void Load_ReportsAMissingFile()
    {
        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(folder.File("nothing.ckpt")));

        Assert.Contains("nothing.ckpt", error.Message);
        Assert.Contains("no such file", error.Message);
    }

    [Fact]
    public void Load_RejectsAForeignFile()
    {
        var path = folder.File("notes.ckpt");
        File.WriteAllText(path, "label,pixel0\n1,2\n");

        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path));

        Assert.Contains("not a DigitRecognizer checkpoint", error.Message);
    }

    [Fact]
    public void Load_RejectsATruncatedFile()
    {
        var path = folder.File("model.ckpt");
        Checkpoint.Save(Trained.Value, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path));

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Load_RejectsAFileWithAFlippedWeightByte()
    {
        var path = folder.File("model.ckpt");
        Checkpoint.Save(Trained.Value, path);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length - 100] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path));

        Assert.Contains("corrupt", error.Message);
        Assert.Contains("checksum", error.Message);
    }

    [Fact]
    public void Load_RejectsANewerFormatVersion()
    {
        var path = folder.File("model.ckpt");
        Checkpoint.Save(Trained.Value, path);
        var bytes = File.ReadAllBytes(path);
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 4), Checkpoint.FormatVersion + 1);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path));

        Assert.Contains($"format version {Checkpoint.FormatVersion + 1}", error.Message);
    }

    [Fact]
    public void Save_OverwritesAtomicallyAndLeavesNoTemporaryFiles()
    {
        var path = folder.File("model.ckpt");
        File.WriteAllText(path, "old");

        Checkpoint.Save(Trained.Value, path);

        Assert.Equal(["model.ckpt"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
        using var loaded = Checkpoint.Load(path);
        Assert.Equal("cnn", loaded.Architecture);
    }
}
