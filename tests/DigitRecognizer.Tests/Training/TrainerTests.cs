using DigitRecognizer.Training;

namespace DigitRecognizer.Tests.Training;

public class TrainerTests
{
    [Fact]
    public void Train_RecordsEveryEpochAndLearnsTheSyntheticClasses()
    {
        var data = TestData.Synthetic(600);
        var reports = new List<TrainingProgress>();

        using var classifier = Trainer.Train(data, new TrainingOptions { Model = "dense", Epochs = 3, BatchSize = 32, Seed = 7 },
            new ListProgress<TrainingProgress>(reports));

        var metrics = classifier.Metadata.Metrics;
        Assert.Equal([1, 2, 3], metrics.History.Select(m => m.Epoch));
        Assert.Equal(540, metrics.TrainImages);
        Assert.Equal(60, metrics.ValidationImages);
        Assert.True(metrics.History[^1].TrainLoss < metrics.History[0].TrainLoss);
        Assert.True(metrics.ValidationAccuracy > 0.9, $"validation accuracy {metrics.ValidationAccuracy}");
        Assert.Equal(3, classifier.Metadata.Training.Epochs);
        Assert.IsType<TrainingStarted>(reports[0]);
        Assert.Equal(3, reports.OfType<EpochCompleted>().Count());
        Assert.Contains(reports, r => r is BatchCompleted);
    }

    [Fact]
    public void Train_KeepsTheWeightsOfTheBestValidationEpoch()
    {
        var data = TestData.Synthetic(400);

        using var classifier = Trainer.Train(data, new TrainingOptions { Model = "dense", Epochs = 4, BatchSize = 16, Seed = 5 });

        var metrics = classifier.Metadata.Metrics;
        var best = metrics.History.Single(m => m.Epoch == metrics.BestEpoch);
        Assert.Equal(metrics.History.Max(m => m.ValidationAccuracy), best.ValidationAccuracy);
        // The kept weights are that epoch's: re-measuring the validation part gives its figures.
        var validation = DigitRecognizer.Data.StratifiedSplit.Split(data, 0.1, 5).Validation;
        var predictions = classifier.Predict(validation);
        Assert.Equal(best.ValidationAccuracy!.Value, predictions.Accuracy(validation.Labels!), 6);
        Assert.Equal(best.ValidationLoss!.Value, predictions.MeanLoss(validation.Labels!), 4);
    }

    [Fact]
    public void Train_WithAWeightAverage_TakesTheSameSteps_AndValidatesAndKeepsTheAverage()
    {
        var data = TestData.Synthetic(300);
        var plain = new TrainingOptions { Model = "cnn-bn", Epochs = 2, BatchSize = 25, Seed = 4, Threads = 1, ValidationFraction = 0.2 };

        using var last = Trainer.Train(data, plain);
        using var averaged = Trainer.Train(data, plain with { WeightAverageDecay = 0.9 });

        // The same network was trained (same losses: dropout drew the same), but another one is kept.
        Assert.Equal(last.Metadata.Metrics.History.Select(m => m.TrainLoss), averaged.Metadata.Metrics.History.Select(m => m.TrainLoss));
        var probe = TestData.Synthetic(20, seed: 99);
        Assert.NotEqual(last.Predict(probe).Probabilities, averaged.Predict(probe).Probabilities);
        // What was validated is what is kept: re-measuring the kept model gives its best epoch's figures.
        var metrics = averaged.Metadata.Metrics;
        var best = metrics.History.Single(m => m.Epoch == metrics.BestEpoch);
        var validation = DigitRecognizer.Data.StratifiedSplit.Split(data, 0.2, 4).Validation;
        Assert.Equal(best.ValidationLoss!.Value, averaged.Predict(validation).MeanLoss(validation.Labels!), 4);
        Assert.Equal(0.9, averaged.Metadata.Training.WeightAverageDecay);
        Assert.StartsWith("Weight-average decay", Assert.Throws<ArgumentException>((plain with { WeightAverageDecay = 1 }).Validate).Message);
    }

    [Fact]
    public void Train_WithTheSameSeedRepeatsExactly_AndAnotherSeedDiffers()
    {
        var data = TestData.Synthetic(300);
        var options = new TrainingOptions { Model = "cnn", Epochs = 1, BatchSize = 32, Seed = 11, Threads = 1 };

        using var first = Trainer.Train(data, options);
        using var second = Trainer.Train(data, options);
        using var other = Trainer.Train(data, options with { Seed = 12 });

        var probe = TestData.Synthetic(20, seed: 99);
        Assert.Equal(first.Predict(probe).Probabilities, second.Predict(probe).Probabilities);
        Assert.NotEqual(first.Predict(probe).Probabilities, other.Predict(probe).Probabilities);
        Assert.Equal(first.Metadata.Metrics.History[0].TrainLoss, second.Metadata.Metrics.History[0].TrainLoss);
    }

    [Fact]
    public void Train_WithoutValidationKeepsTheLastEpoch()
    {
        using var classifier = Trainer.Train(TestData.Synthetic(100),
            new TrainingOptions { Model = "dense", Epochs = 2, ValidationFraction = 0 });

        Assert.Equal(2, classifier.Metadata.Metrics.BestEpoch);
        Assert.Null(classifier.Metadata.Metrics.ValidationAccuracy);
        Assert.Equal(0, classifier.Metadata.Metrics.ValidationImages);
    }

    [Fact]
    public void Train_RejectsUnlabelledData()
    {
        var error = Assert.Throws<DigitRecognizer.Data.DataFormatException>(() =>
            Trainer.Train(TestData.Synthetic(20, labelled: false), new TrainingOptions { Epochs = 1 }));

        Assert.Equal("synthetic(20, seed 1), line 1, column 1: training needs labels: expected a 'label' column before pixel0", error.Message);
    }

    [Theory]
    [InlineData(0, 64, 0.001, 0.1, "Epochs")]
    [InlineData(1, 0, 0.001, 0.1, "Batch size")]
    [InlineData(1, 64, -1, 0.1, "Learning rate")]
    [InlineData(1, 64, 0.001, 1.0, "Validation fraction")]
    public void Options_OutOfRangeAreRejectedByName(int epochs, int batchSize, double learningRate, double validation, string named)
    {
        var options = new TrainingOptions { Epochs = epochs, BatchSize = batchSize, LearningRate = learningRate, ValidationFraction = validation };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.StartsWith(named, error.Message);
    }

    [Fact]
    public void Train_StopsWhenCancelled()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            Trainer.Train(TestData.Synthetic(100), new TrainingOptions { Model = "dense", Epochs = 1 }, cancellation: cancellation.Token));
    }
}

internal sealed class ListProgress<T>(List<T> reports) : IProgress<T>
{
    public void Report(T value) => reports.Add(value);
}
