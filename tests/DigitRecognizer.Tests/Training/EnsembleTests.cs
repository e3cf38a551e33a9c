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
    public void EnsembleTrainer_TrainsEachMemberWithItsOwnSeed_AndRoundTripsThroughACheckpoint()
    {
        var data = TestData.Synthetic(300);
        var options = new TrainingOptions { Model = "dense", Epochs = 2, BatchSize = 32, Seed = 10 };
        var reports = new List<TrainingProgress>();

        using var ensemble = EnsembleTrainer.Train(data, options, members: 3, new ListProgress<TrainingProgress>(reports));

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
    public void ABaggedEnsemble_GivesEachMemberItsOwnSplit_AndIsMeasuredOnACommonHoldoutNoMemberSaw()
    {
        var data = TestData.Synthetic(400);
        var options = new TrainingOptions { Model = "dense", Epochs = 1, BatchSize = 32, Seed = 20, HoldoutFraction = 0.1 };

        using var ensemble = EnsembleTrainer.Train(data, options, members: 3);

        var metrics = ensemble.Metadata.Metrics;
        var holdout = TrainingSplit.ValidationPart(data, ensemble.Metadata);
        var own = TrainingSplit.MemberValidationParts(data, ensemble.Metadata);
        Assert.Equal(40, holdout.Count);
        Assert.Equal((360, 0, 40), (metrics.TrainImages, metrics.ValidationImages, metrics.HoldoutImages));
        Assert.Equal([20, 21, 22], metrics.Members!.Select(m => m.SplitSeed));
        var held = Images(holdout);
        for (var i = 0; i < 3; i++)
        {
            // Member i trained and validated on the images outside the holdout, split its own way.
            var split = TrainingSplit.Make(data, options with { SplitSeed = 20 + i });
            Assert.Empty(Images(split.Train).Intersect(held));
            Assert.Empty(Images(own[i]).Intersect(held));
            Assert.Equal(Images(split.Validation!), Images(own[i]));
            Assert.Equal(metrics.Members![i].ValidationImages, own[i].Count);
        }
        Assert.NotEqual(Images(own[0]), Images(own[1]));
        // The ensemble's figure is its accuracy on the holdout; each member's, its best epoch's on its own part.
        Assert.Equal(metrics.ValidationAccuracy!.Value, ensemble.Predict(holdout).Accuracy(holdout.Labels!), 6);
        for (var i = 0; i < 3; i++)
            Assert.Equal(metrics.Members![i].ValidationAccuracy!.Value, ensemble.PredictEachNetwork(own[i])[i].Predictions.Accuracy(own[i].Labels!), 6);
    }

    // Each image of a set by its pixels (the synthetic images are all different).
    private static HashSet<string> Images(DigitRecognizer.Data.DigitDataset data) =>
        Enumerable.Range(0, data.Count).Select(i => string.Join(",", data.Image(i).ToArray())).ToHashSet();

    [Fact]
    public void EnsembleTrainer_WithSeveralArchitectures_GivesThemToMembersInTurn_AndTheCheckpointRebuildsEach()
    {
        var data = TestData.Synthetic(200);
        var options = new TrainingOptions { Model = "dense", Epochs = 1, BatchSize = 32, Seed = 3 };
        var reports = new List<TrainingProgress>();

        using var ensemble = EnsembleTrainer.Train(data, options, members: 3, ["dense", "cnn"], new ListProgress<TrainingProgress>(reports));

        Assert.Equal(["dense", "cnn", "dense"], reports.OfType<EnsembleMemberStarted>().Select(r => r.Model));
        Assert.Equal(["dense", "cnn", "dense"], reports.OfType<TrainingStarted>().Select(r => r.Model));
        Assert.Equal("dense+cnn", ensemble.Metadata.Training.Model);
        Assert.Equal(1, ensemble.Metadata.Training.Epochs);
        var path = folder.File("mixed.ckpt");
        Checkpoint.Save(ensemble, path);
        using var loaded = Checkpoint.Load(path);
        Assert.Equal(["dense", "cnn", "dense"],
            loaded.Metadata.ArchitectureArguments["members"]!.AsArray().Select(m => (string)m!["architecture"]!));
        var probe = TestData.Synthetic(12, seed: 8);
        Assert.Equal(ensemble.Predict(probe).Probabilities, loaded.Predict(probe).Probabilities);
    }

    [Fact]
    public void EnsembleTrainer_WithNoArchitecture_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            EnsembleTrainer.Train(TestData.Synthetic(20), new TrainingOptions { Epochs = 1 }, members: 2, []));

        Assert.Contains("at least one architecture", error.Message);
    }

    [Fact]
    public void PredictEachNetwork_GivesEachMembersOwnPredictions_WhoseAverageIsTheEnsembles()
    {
        TorchRuntime.Seed(2);
        var probe = TestData.Synthetic(9, seed: 6);
        using var ensemble = EnsembleTrainer.Train(TestData.Synthetic(100), new TrainingOptions { Epochs = 1, BatchSize = 50 },
            members: 2, ["dense", "cnn"]);

        var networks = ensemble.PredictEachNetwork(probe);

        Assert.Equal(["dense", "cnn"], networks.Select(n => n.Architecture));
        Assert.NotEqual(networks[0].Predictions.Probabilities, networks[1].Predictions.Probabilities);
        var averaged = networks[0].Predictions.Probabilities.Zip(networks[1].Predictions.Probabilities, (a, b) => (a + b) / 2).ToArray();
        var combined = ensemble.Predict(probe).Probabilities;
        Assert.All(averaged.Zip(combined), pair => Assert.Equal(pair.First, pair.Second, 1e-5f));
    }

    [Fact]
    public void ValidationPart_IsTheSplitTrainingHeldOut_SoItReproducesTheRecordedFigures()
    {
        var data = TestData.Synthetic(240);
        // A split seed other than the seed, and a limit: both decide which images are held out.
        var options = new TrainingOptions { Model = "dense", Epochs = 2, Seed = 4, SplitSeed = 9, Limit = 200, ValidationFraction = 0.2 };
        using var classifier = Trainer.Train(data, options);

        var validation = TrainingSplit.ValidationPart(data, classifier.Metadata);
        var predictions = classifier.Predict(validation);

        Assert.Equal(classifier.Metadata.Metrics.ValidationImages, validation.Count);
        Assert.Equal(classifier.Metadata.Metrics.ValidationAccuracy, predictions.Accuracy(validation.Labels!));
        Assert.Equal(classifier.Metadata.Metrics.ValidationLoss, predictions.MeanLoss(validation.Labels!));
        Assert.Null(TrainingSplit.ValidationPart(data, options with { ValidationFraction = 0 }));
    }

    [Fact]
    public void ValidationPart_OfAnEnsemble_IsWhatEachMemberHeldOut()
    {
        var data = TestData.Synthetic(200);
        using var ensemble = EnsembleTrainer.Train(data, new TrainingOptions { Epochs = 2, BatchSize = 32, Seed = 5 }, members: 2, ["dense", "cnn"]);

        var validation = TrainingSplit.ValidationPart(data, ensemble.Metadata);
        var networks = ensemble.PredictEachNetwork(validation);

        var recorded = ensemble.Metadata.Metrics.Members!;
        for (var i = 0; i < networks.Count; i++)
        {
            Assert.Equal(recorded[i].ValidationAccuracy, networks[i].Predictions.Accuracy(validation.Labels!));
            Assert.Equal(recorded[i].ValidationLoss, networks[i].Predictions.MeanLoss(validation.Labels!));
        }
    }

    [Fact]
    public void ValidationPart_WithOtherData_OrAModelThatHeldNothingOut_IsRefused()
    {
        var data = TestData.Synthetic(100);
        using var classifier = Trainer.Train(data, new TrainingOptions { Model = "dense", Epochs = 1 });
        using var whole = Trainer.Train(data, new TrainingOptions { Model = "dense", Epochs = 1, ValidationFraction = 0 });

        var otherData = Assert.Throws<ArgumentException>(() => TrainingSplit.ValidationPart(TestData.Synthetic(120), classifier.Metadata));
        var nothingHeldOut = Assert.Throws<ArgumentException>(() => TrainingSplit.ValidationPart(data, whole.Metadata));

        Assert.Contains("gives 120 images, but this model was trained on 100", otherData.Message);
        Assert.Contains("held out no validation images", nothingHeldOut.Message);
    }

    [Fact]
    public void EnsembleTrainer_OfArchitecturesWithDifferentDefaultEpochs_RecordsNoSingleEpochCount()
    {
        using var ensemble = EnsembleTrainer.Train(TestData.Synthetic(60), new TrainingOptions { BatchSize = 30 }, members: 2, ["dense", "cnn"]);

        var memberEpochs = ensemble.Metadata.Metrics.Members!.Select(m => m.History.Count).ToArray();
        Assert.Equal([ModelFactory.Get("dense").DefaultEpochs, ModelFactory.Get("cnn").DefaultEpochs], memberEpochs);
        Assert.Null(ensemble.Metadata.Training.Epochs);   // as asked: each architecture's default
    }

    [Fact]
    public void EnsembleTrainer_WithFewerMembersThanArchitectures_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            EnsembleTrainer.Train(TestData.Synthetic(20), new TrainingOptions { Epochs = 1 }, members: 1, ["dense", "cnn"]));

        Assert.Contains("2 architectures (dense, cnn) need an ensemble of at least 2 members (got 1)", error.Message);
    }

    [Fact]
    public void Train_RefusesTheEnsembleArchitectureAsASingleNetwork()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Trainer.Train(TestData.Synthetic(20), new TrainingOptions { Model = ModelFactory.EnsembleName, Epochs = 1 }));

        Assert.Contains("--ensemble", error.Message);
    }
}
