using DigitRecognizer.Checkpoints;
using DigitRecognizer.Engine;
using DigitRecognizer.Models;
using DigitRecognizer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitRecognizer.Tests.Training;

public sealed class EnsembleTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void EnsembleModel_AveragesItsMembersProbabilities()
    {
        TorchRuntime.Seed(1);
        var first = ModelFactory.Get("dense").Create();
        var second = ModelFactory.Get("cnn").Create();
        using var images = rand(4, 1, 28, 28);
        using var expected = (nn.functional.softmax(first.forward(images), 1) + nn.functional.softmax(second.forward(images), 1)) / 2;
        using var ensemble = new EnsembleModel([first, second]);

        using var probabilities = nn.functional.softmax(ensemble.forward(images), 1);

        Assert.True(probabilities.allclose(expected, rtol: 1e-4, atol: 1e-6));
    }

    [Fact]
    public void TrainEnsemble_TrainsEachMemberWithItsOwnSeed_AndRoundTripsThroughACheckpoint()
    {
        var data = TestData.Synthetic(300);
        var options = new TrainingOptions { Model = "dense", Epochs = 2, BatchSize = 32, Seed = 10 };
        var reports = new List<TrainingProgress>();

        using var ensemble = Trainer.TrainEnsemble(data, options, members: 3, new ListProgress<TrainingProgress>(reports));

        Assert.Equal(ModelFactory.EnsembleName, ensemble.Architecture);
        Assert.Equal([10, 11, 12], reports.OfType<EnsembleMemberStarted>().Select(r => r.Seed));
        var members = ensemble.Metadata.Metrics.Members!;
        Assert.Equal(3, members.Count);
        Assert.All(members, m => Assert.Equal(members[0].ValidationImages, m.ValidationImages)); // one shared split
        Assert.NotNull(ensemble.Metadata.Metrics.ValidationAccuracy);

        var path = folder.File("model.ckpt");
        Checkpoint.Save(ensemble, path);
        using var loaded = Checkpoint.Load(path);
        var probe = TestData.Synthetic(15, seed: 5);
        Assert.Equal(ensemble.Predict(probe).Probabilities, loaded.Predict(probe).Probabilities);
        Assert.Equal(3, loaded.Metadata.ArchitectureArguments["members"]!.AsArray().Count);
    }

    [Fact]
    public void Train_RefusesTheEnsembleArchitectureAsASingleNetwork()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Trainer.Train(TestData.Synthetic(20), new TrainingOptions { Model = ModelFactory.EnsembleName, Epochs = 1 }));

        Assert.Contains("TrainEnsemble", error.Message);
    }
}
