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
    public void Train_WithOneImageLeftOverByTheBatches_FoldsItIntoTheBatchBefore_SoBatchNormStaysFinite()
    {
        // 300 images, 30 held out: 270 to train on at batch 269 would leave a batch of one, whose batch-norm
        // variance is 0/0 (cnn-bn's head sees 1×1 maps).
        var data = TestData.Synthetic(300);
        var reports = new List<TrainingProgress>();

        using var classifier = Trainer.Train(data, new TrainingOptions { Model = "cnn-bn", Epochs = 1, BatchSize = 269, Seed = 3, Threads = 1 },
            new ListProgress<TrainingProgress>(reports));

        Assert.Equal(270, classifier.Metadata.Metrics.TrainImages);
        Assert.Equal(1, reports.OfType<TrainingStarted>().Single().BatchesPerEpoch);
        Assert.True(double.IsFinite(classifier.Metadata.Metrics.History[0].ValidationLoss!.Value), "validation loss is not finite");
        Assert.All(classifier.Predict(TestData.Synthetic(10, seed: 8)).Probabilities, p => Assert.True(float.IsFinite(p)));
    }

    [Theory]
    [InlineData(270, 30, 9)]
    [InlineData(271, 30, 9)]    // the one left over joins the ninth batch
    [InlineData(272, 30, 10)]
    [InlineData(1, 30, 1)]
    [InlineData(31, 30, 1)]
    [InlineData(61, 30, 2)]
    [InlineData(5, 1, 5)]
    public void BatchesPerEpoch_LeavesNoBatchOfOneImage_UnlessThatIsAll(int images, int batchSize, int expected) =>
        Assert.Equal(expected, BatchSource.BatchesPerEpoch(images, batchSize));

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
