using DigitRecognizer.Data;
using DigitRecognizer.Evaluation;
using DigitRecognizer.Training;

namespace DigitRecognizer.Tests.Inference;

[Trait("Category", "Fast")]
public class PredictionTests
{
    [Theory]
    [InlineData("dense")]
    [InlineData("cnn")]
    public void Predict_GivesTenProbabilitiesPerImageThatSumToOne(string model)
    {
        using var classifier = Trainer.Train(TestData.Synthetic(100), new TrainingOptions { Model = model, Epochs = 1 });
        var data = TestData.Synthetic(37, seed: 4);

        var predictions = classifier.Predict(data, batchSize: 10);

        Assert.Equal(37, predictions.Count);
        Assert.Equal(370, predictions.Probabilities.Length);
        for (var i = 0; i < predictions.Count; i++)
        {
            var row = predictions.Row(i).ToArray();
            Assert.Equal(1.0, row.Sum(p => (double)p), 5);
            Assert.All(row, p => Assert.InRange(p, 0f, 1f));
            Assert.Equal(Array.IndexOf(row, row.Max()), predictions.Labels[i]);
        }
    }

    [Fact]
    public void Predict_DoesNotDependOnTheBatchSize()
    {
        using var classifier = Trainer.Train(TestData.Synthetic(100), new TrainingOptions { Model = "dense", Epochs = 1 });
        var data = TestData.Synthetic(23, seed: 6);

        var inOne = classifier.Predict(data, batchSize: 1000);
        var inSevens = classifier.Predict(data, batchSize: 7);

        Assert.Equal(inOne.Labels, inSevens.Labels);
        for (var i = 0; i < inOne.Probabilities.Length; i++)
            Assert.Equal(inOne.Probabilities[i], inSevens.Probabilities[i], 5);
    }

    [Fact]
    public void Evaluate_ScoresThePredictionsAgainstTheLabels_AsCountedByHand()
    {
        using var classifier = Trainer.Train(TestData.Synthetic(200), new TrainingOptions { Model = "dense", Epochs = 2 });
        var clean = TestData.Synthetic(50, seed: 9);
        // Every third label moved to the next digit, so the model is wrong on some images and right on others:
        // an accuracy of 0 or 1, or a loss taken from the predicted rather than the true digit, would show.
        var labels = clean.Labels!.Select((label, i) => i % 3 == 0 ? (label + 1) % 10 : label).ToArray();
        var data = new DigitDataset(clean.Pixels, labels, "synthetic, relabelled");
        var rows = classifier.Predict(data, batchSize: 7);
        var predicted = Enumerable.Range(0, data.Count).Select(i => Array.IndexOf(rows.Row(i).ToArray(), rows.Row(i).ToArray().Max())).ToArray();
        var correct = Enumerable.Range(0, data.Count).Count(i => predicted[i] == labels[i]);
        var loss = Enumerable.Range(0, data.Count).Average(i => -Math.Log(rows.Row(i)[labels[i]]));

        var result = Evaluator.Evaluate(classifier, data);

        Assert.InRange(correct, 1, data.Count - 1);
        Assert.Equal(correct / (double)data.Count, result.Accuracy, 12);
        Assert.Equal(loss, result.Loss, 5);
        Assert.Equal(predicted, result.Predictions.Labels);
        for (var truth = 0; truth < 10; truth++)
            for (var guess = 0; guess < 10; guess++)
                Assert.Equal(Enumerable.Range(0, data.Count).Count(i => labels[i] == truth && predicted[i] == guess), result.ConfusionMatrix[truth, guess]);
    }
}
