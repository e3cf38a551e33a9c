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
    public void TrainEnsemble_WithSeveralArchitectures_GivesThemToMembersInTurn_AndTheCheckpointRebuildsEach()
    {
        var data = TestData.Synthetic(200);
        var options = new TrainingOptions { Model = "dense", Epochs = 1, BatchSize = 32, Seed = 3 };
        var reports = new List<TrainingProgress>();

        using var ensemble = Trainer.TrainEnsemble(data, options, members: 3, ["dense", "cnn"], new ListProgress<TrainingProgress>(reports));

        Assert.Equal(["dense", "cnn", "dense"], reports.OfType<EnsembleMemberStarted>().Select(r => r.Model));
        Assert.Equal(["dense", "cnn", "dense"], reports.OfType<TrainingStarted>().Select(r => r.Model));
        Assert.Equal("dense,cnn", ensemble.Metadata.Training.Model);
        var path = folder.File("mixed.ckpt");
        Checkpoint.Save(ensemble, path);
        using var loaded = Checkpoint.Load(path);
        Assert.Equal(["dense", "cnn", "dense"],
            loaded.Metadata.ArchitectureArguments["members"]!.AsArray().Select(m => (string)m!["architecture"]!));
        var probe = TestData.Synthetic(12, seed: 8);
        Assert.Equal(ensemble.Predict(probe).Probabilities, loaded.Predict(probe).Probabilities);
    }

    [Fact]
    public void TrainEnsemble_WithNoArchitecture_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Trainer.TrainEnsemble(TestData.Synthetic(20), new TrainingOptions { Epochs = 1 }, members: 2, []));

        Assert.Contains("at least one architecture", error.Message);
    }

    [Fact]
    public void PredictEachNetwork_GivesEachMembersOwnPredictions_WhoseAverageIsTheEnsembles()
    {
        TorchRuntime.Seed(2);
        var probe = TestData.Synthetic(9, seed: 6);
        using var ensemble = Trainer.TrainEnsemble(TestData.Synthetic(100), new TrainingOptions { Epochs = 1, BatchSize = 50 },
            members: 2, ["dense", "cnn"]);

        var networks = ensemble.PredictEachNetwork(probe);

        Assert.Equal(["dense", "cnn"], networks.Select(n => n.Architecture));
        Assert.NotEqual(networks[0].Predictions.Probabilities, networks[1].Predictions.Probabilities);
        var averaged = networks[0].Predictions.Probabilities.Zip(networks[1].Predictions.Probabilities, (a, b) => (a + b) / 2).ToArray();
        var combined = ensemble.Predict(probe).Probabilities;
        Assert.All(averaged.Zip(combined), pair => Assert.Equal(pair.First, pair.Second, 1e-5f));
    }

    [Fact]
    public void ValidationPart_IsTheSplitTrainingHeldOut_SoItReproducesTheRecordedValidationAccuracy()
    {
        var data = TestData.Synthetic(200);
        using var classifier = Trainer.Train(data, new TrainingOptions { Model = "dense", Epochs = 2, Seed = 4, ValidationFraction = 0.2 });

        var validation = Trainer.ValidationPart(data, classifier.Metadata.Training)!;

        Assert.Equal(classifier.Metadata.Metrics.ValidationImages, validation.Count);
        Assert.Equal(classifier.Metadata.Metrics.ValidationAccuracy, classifier.Predict(validation).Accuracy(validation.Labels!));
        Assert.Null(Trainer.ValidationPart(data, classifier.Metadata.Training with { ValidationFraction = 0 }));
    }

    [Fact]
    public void Train_RefusesTheEnsembleArchitectureAsASingleNetwork()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Trainer.Train(TestData.Synthetic(20), new TrainingOptions { Model = ModelFactory.EnsembleName, Epochs = 1 }));

        Assert.Contains("TrainEnsemble", error.Message);
    }
}
