using DigitRecognizer.Inference;
using DigitRecognizer.Models;
using DigitRecognizer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitRecognizer.Tests.Training;

/// <summary>Early stopping, time budgets, recipes, the newer architectures and test-time augmentation.</summary>
public class TrainingControlTests
{
    [Fact]
    public void EarlyStopping_EndsTheRunWhenValidationStopsImproving()
    {
        // A rate this high wrecks the network at once, so validation accuracy cannot improve after epoch 1.
        var options = new TrainingOptions { Model = "dense", Epochs = 8, LearningRate = 50, Schedule = LearningRateSchedule.Constant, EarlyStoppingPatience = 2 };

        using var classifier = Trainer.Train(TestData.Synthetic(200), options);

        var metrics = classifier.Metadata.Metrics;
        Assert.True(metrics.History.Count < 8, $"ran {metrics.History.Count} epochs");
        Assert.Contains("early stopping", metrics.StoppedEarly);
    }

    [Fact]
    public void TimeBudget_StopsCleanlyAfterTheEpochsThatFit()
    {
        var options = new TrainingOptions { Model = "dense", Epochs = 50, TimeBudgetMinutes = 0.0001 };

        using var classifier = Trainer.Train(TestData.Synthetic(200), options);

        var metrics = classifier.Metadata.Metrics;
        Assert.Single(metrics.History);
        Assert.Contains("time budget", metrics.StoppedEarly);
    }

    [Theory]
    [InlineData("cnn-bn")]
    [InlineData("resnet")]
    [InlineData("m5")]
    public void NewArchitectures_MapImagesToTenLogits_AndTrainOnNonMnistData(string name)
    {
        using (var model = ModelFactory.Get(name).Create())
        {
            model.eval();
            using var images = rand(3, 1, 28, 28);
            using var logits = model.forward(images);
            Assert.Equal([3L, 10L], logits.shape);
        }

        using var classifier = Trainer.Train(TestData.Synthetic(200), new TrainingOptions { Model = name, Epochs = 1, BatchSize = 32 });

        Assert.True(classifier.Metadata.Metrics.Augmented, "the new architectures augment by default");
        Assert.True(classifier.Metadata.Metrics.History[0].TrainLoss is > 0 and < 10);
    }

    [Fact]
    public void NotebookModels_DoNotAugmentByDefault()
    {
        using var classifier = Trainer.Train(TestData.Synthetic(100), new TrainingOptions { Model = "cnn", Epochs = 1 });

        Assert.False(classifier.Metadata.Metrics.Augmented);
        Assert.False(classifier.Metadata.Training.Augment);
    }

    [Fact]
    public void Recipes_AreFoundByNameAndUnknownOnesListTheKnown()
    {
        var best = TrainingRecipes.Get("BEST");
        Assert.Equal("cnn-bn", best.Options.Model);
        Assert.Equal(1, best.EnsembleSize);
        Assert.True(best.Options.TimeBudgetMinutes is > 0 and <= 15);
        Assert.True(TrainingRecipes.Get("ensemble").Options.TimeBudgetMinutes <= 60);
        var longest = TrainingRecipes.Get("long");
        Assert.True(longest.Options.TimeBudgetMinutes is > 60 and <= 150);
        Assert.True(longest.EnsembleSize > 1 && longest.Options.HoldoutFraction > 0, "the long recipe bags its members around a common holdout");
        Assert.All(TrainingRecipes.All, recipe => Assert.Contains(recipe.Options.Model, ModelFactory.Names));

        var fast = TrainingRecipes.Get("fast");
        Assert.Equal("cnn-fast", fast.Options.Model);
        Assert.False(fast.Options.Augment, "three epochs are too few for distorted digits to pay off");

        var error = Assert.Throws<ArgumentException>(() => TrainingRecipes.Get("fastest"));
        Assert.Contains("best", error.Message);
    }

    [Fact]
    public void Shift_MovesImagesByOnePixelFillingWithBackground()
    {
        // Holds the temporaries until the end, so none is finalized while libtorch reads it (see Engine/TensorCopies.cs).
        using var scope = torch.NewDisposeScope();
        using var images = arange(16, dtype: float32).reshape(1, 1, 4, 4).add(1);

        using var right = DigitClassifier.Shift(images, 1, 0, background: 0);
        using var up = DigitClassifier.Shift(images, 0, -1, background: 0);

        Assert.Equal(new float[] { 0, 1, 2, 3 }, right[0, 0, 0].data<float>().ToArray());
        Assert.Equal(new float[] { 5, 6, 7, 8 }, up[0, 0, 0].data<float>().ToArray());
        Assert.Equal(new float[] { 0, 0, 0, 0 }, up[0, 0, 3].data<float>().ToArray());
    }

    [Fact]
    public void TestTimeAugmentation_GivesProbabilitiesThatSumToOne_AndDiffersFromPlainPrediction()
    {
        using var classifier = Trainer.Train(TestData.Synthetic(200), new TrainingOptions { Model = "dense", Epochs = 2 });
        var data = TestData.Synthetic(12, seed: 3);

        var plain = classifier.Predict(data);
        classifier.TestTimeAugmentation = true;
        var averaged = classifier.Predict(data);

        for (var i = 0; i < averaged.Count; i++)
            Assert.Equal(1.0, averaged.Row(i).ToArray().Sum(p => (double)p), 5);
        Assert.NotEqual(plain.Probabilities, averaged.Probabilities);
    }
}
