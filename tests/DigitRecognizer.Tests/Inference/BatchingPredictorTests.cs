using DigitRecognizer.Data;
using DigitRecognizer.Inference;
using DigitRecognizer.Training;

namespace DigitRecognizer.Tests.Inference;

[Trait("Category", "Fast")]
public sealed class BatchingPredictorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    public async Task CallersOnManyThreads_EachGetTheirOwnRows(int maxBatch)
    {
        using var classifier = Trainer.Train(TestData.Synthetic(200), new TrainingOptions { Model = "cnn", Epochs = 1, ValidationFraction = 0 });
        var data = TestData.Synthetic(120, seed: 8);
        var expected = classifier.Predict(data);
        using var predictor = new BatchingPredictor(classifier, maxBatch);

        // Requests of one to three images, all at once from the thread pool.
        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            var count = 1 + i % 3;
            var pixels = data.Pixels.AsSpan(i * DigitImage.PixelCount, count * DigitImage.PixelCount).ToArray();
            return (First: i, Predictions: await predictor.PredictAsync(pixels));
        })));

        foreach (var (first, predictions) in answers)
            for (var row = 0; row < predictions.Count; row++)
            {
                Assert.Equal(expected.Labels[first + row], predictions.Labels[row]);
                var want = expected.Row(first + row).ToArray();
                var got = predictions.Row(row).ToArray();
                for (var d = 0; d < DigitImage.ClassCount; d++) Assert.Equal(want[d], got[d], 1e-5f); // batches of other sizes may round the last digit differently
            }
    }

    [Fact]
    public async Task PartialImages_AreRefused_AndAfterDisposeNothingIsAccepted()
    {
        using var classifier = Trainer.Train(TestData.Synthetic(20), new TrainingOptions { Model = "dense", Epochs = 1, ValidationFraction = 0 });
        var predictor = new BatchingPredictor(classifier);

        Assert.Throws<ArgumentException>(() => { _ = predictor.PredictAsync(new float[100]); });
        Assert.Equal(1, (await predictor.PredictAsync(new float[DigitImage.PixelCount])).Count);
        predictor.Dispose();
        Assert.Throws<ObjectDisposedException>(() => { _ = predictor.PredictAsync(new float[DigitImage.PixelCount]); });
    }

    [Fact]
    public async Task ARequestCancelledWhileItWaits_IsDroppedFromTheQueue_NeverComputed()
    {
        using var classifier = Trainer.Train(TestData.Synthetic(20), new TrainingOptions { Model = "cnn", Epochs = 1, ValidationFraction = 0 });
        using var predictor = new BatchingPredictor(classifier, maxBatch: 64);
        var large = TestData.Synthetic(2000, seed: 3).Pixels;
        using var leaving = new CancellationTokenSource();

        // The large request fills a pass of its own (it is over maxBatch), so the small one can only be in a later
        // pass, and its client leaves before that pass can begin.
        var first = predictor.PredictAsync(large);
        var second = predictor.PredictAsync(new float[DigitImage.PixelCount], leaving.Token);
        leaving.Cancel();
        var after = predictor.PredictAsync(new float[DigitImage.PixelCount]);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        Assert.Equal(2000, (await first).Count);
        Assert.Equal(1, (await after).Count);
        Assert.Equal(2001, predictor.ComputedImages);
        Assert.Equal(1, predictor.DroppedRequests);
    }
}
