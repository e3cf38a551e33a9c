using DigitRecognizer.Data;
using DigitRecognizer.Training;
using Xunit.Abstractions;

namespace DigitRecognizer.Tests.Training;

/// <summary>Synthetic non-digits, and training that is shown them (outlier exposure).</summary>
public sealed class NonDigitExposureTests(ITestOutputHelper output)
{
    [Fact]
    public void Generate_IsTheSameForTheSameSeed_AndEveryImageIsInkedLikeAPreparedDigit()
    {
        var digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train).Take(200);

        var first = SyntheticNonDigits.Generate(300, seed: 5, pairsFrom: digits);
        var again = SyntheticNonDigits.Generate(300, seed: 5, pairsFrom: digits);
        var other = SyntheticNonDigits.Generate(300, seed: 6, pairsFrom: digits);

        Assert.Equal(300, first.Count);
        Assert.False(first.IsLabelled);
        Assert.Equal(first.Pixels, again.Pixels);
        Assert.NotEqual(first.Pixels, other.Pixels);
        for (var i = 0; i < first.Count; i++)
        {
            var image = first.Image(i);
            // The MNIST step scales the strongest ink to 1 and the longer side of the ink to the 20-px box.
            Assert.Equal(1f, image.ToArray().Max());
            Assert.All(image.ToArray(), p => Assert.InRange(p, 0f, 1f));
            int minX = 28, maxX = -1, minY = 28, maxY = -1;
            for (var p = 0; p < DigitImage.PixelCount; p++)
            {
                if (image[p] == 0) continue;
                (minX, maxX) = (Math.Min(minX, p % DigitImage.Side), Math.Max(maxX, p % DigitImage.Side));
                (minY, maxY) = (Math.Min(minY, p / DigitImage.Side), Math.Max(maxY, p / DigitImage.Side));
            }
            Assert.Equal(20, Math.Max(maxX - minX + 1, maxY - minY + 1));
        }
    }

    [Fact]
    public void Generate_WithoutDigitsToPair_DrawsGlyphsAndScribblesOnly()
    {
        var images = SyntheticNonDigits.Generate(50, seed: 2);

        Assert.Equal(50, images.Count);
        Assert.Equal(50, Enumerable.Range(0, 50).Count(i => images.Image(i).ToArray().Max() == 1f));
    }

    [Fact]
    public void TrainingShownNonDigits_IsLessSureOfUnseenOnes_AndStillReadsDigits()
    {
        var data = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train).Take(6_000);
        // Augmented: the non-digits must be distorted as the digits are, or the network learns "crisp = not a digit"
        // and refuses the (undistorted) validation digits.
        var plain = new TrainingOptions { Model = "dense", Epochs = 3, Seed = 7, Threads = 1, Augment = true };
        // Other seed than any training pool: these non-digits were never shown.
        var unseen = SyntheticNonDigits.Generate(600, seed: 424_242);

        using var withoutExposure = Trainer.Train(data, plain);
        using var withExposure = Trainer.Train(data, plain with { NonDigitWeight = 0.5 });

        double MeanTop(DigitRecognizer.Inference.DigitClassifier model)
        {
            var predictions = model.Predict(unseen);
            return Enumerable.Range(0, unseen.Count).Average(i => predictions.Row(i).ToArray().Max());
        }
        var (before, after) = (MeanTop(withoutExposure), MeanTop(withExposure));
        var (accuracyBefore, accuracyAfter) = (withoutExposure.Metadata.Metrics.ValidationAccuracy!.Value, withExposure.Metadata.Metrics.ValidationAccuracy!.Value);
        output.WriteLine($"mean top probability on unseen non-digits: {before:F3} without, {after:F3} with; validation {accuracyBefore:P2} → {accuracyAfter:P2}");
        Assert.True(after < before - 0.2, $"mean top probability on non-digits {before:F3} without exposure, {after:F3} with");
        Assert.True(accuracyAfter > accuracyBefore - 0.02, $"validation accuracy {accuracyBefore:P2} without exposure, {accuracyAfter:P2} with");
        Assert.Equal(0.5, withExposure.Metadata.Training.NonDigitWeight);
    }

    [Fact]
    public void ANegativeWeight_IsRefusedNamingTheOption()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainingOptions { NonDigitWeight = -1 }.Validate());
        Assert.Contains("Non-digit weight", error.Message);
    }
}
