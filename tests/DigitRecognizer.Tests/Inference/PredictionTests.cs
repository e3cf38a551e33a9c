using DigitRecognizer.Evaluation;
using DigitRecognizer.Training;

namespace DigitRecognizer.Tests.Inference;

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
    public void Evaluate_AgreesWithItsOwnPredictions()
    {
        using var classifier = Trainer.Train(TestData.Synthetic(200), new TrainingOptions { Model = "dense", Epochs = 2 });
        var data = TestData.Synthetic(50, seed: 9);

        var result = Evaluator.Evaluate(classifier, data);

        Assert.Equal(result.Predictions.Accuracy(data.Labels!), result.Accuracy, 12);
        Assert.Equal(50, result.ConfusionMatrix.Total);
        Assert.Equal(result.Predictions.MeanLoss(data.Labels!), result.Loss, 12);
    }
}
