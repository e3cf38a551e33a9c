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

    [Theory]
    [InlineData(0.0, 0, 5)]
    [InlineData(2.0 / 3, 50, 85)]
    [InlineData(1.0, 95, 100)]
    public void Pairs_OfNarrowDigits_TouchInTheShareAsked(double touchingShare, int minPercent, int maxPercent)
    {
        // Ones are the narrowest digits: in their 28-px frames side by side they stand some 18–26 px apart, so only pairs
        // placed by their ink boxes show the network what a reader hands it when a 1 touches its neighbour.
        var all = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train).Take(2_000);
        var ones = all.Select(Enumerable.Range(0, all.Count).Where(i => all.Labels![i] == 1).ToArray());
        var random = new Random(3);

        var touching = 0;
        const int pairs = 300;
        for (var n = 0; n < pairs; n++)
        {
            var (ink, width, height) = SyntheticNonDigits.Pair(ones, random, touchingShare);
            Assert.Equal(width * height, ink.Length);
            Assert.InRange(height, DigitImage.Side, DigitImage.Side + 2);
            // Columns holding stroke ink (as the pairs are measured): touching pairs leave no empty column between.
            var inked = Enumerable.Range(0, width).Where(x => Enumerable.Range(0, height).Any(y => ink[y * width + x] >= 0.35f)).ToArray();
            if (inked[^1] - inked[0] + 1 == inked.Length) touching++;
        }
        output.WriteLine($"{touching} of {pairs} pairs of ones touch at a share of {touchingShare:F2}");
        Assert.InRange(touching * 100 / pairs, minPercent, maxPercent);
    }

    [Fact]
    public void Pairs_AtShareZero_AreTheFramesSideBySide_DrawnAsBefore()
    {
        // The shipped models were trained before touching pairs existed: at share 0 a pair must take the same draws
        // (first, second, the frames' gap) and give the same ink map, or scripts/ship-models.sh stops reproducing them.
        var digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train).Take(300);
        var (drawn, again) = (new Random(11), new Random(11));
        var side = DigitImage.Side;
        for (var n = 0; n < 100; n++)
        {
            var (ink, width, height) = SyntheticNonDigits.Pair(digits, drawn, touchingShare: 0);

            var first = again.Next(digits.Count);
            var second = again.Next(digits.Count - 1);
            if (second >= first) second++;
            var gap = again.Next(-4, 5);
            Assert.Equal((2 * side + gap, side), (width, height));
            for (var y = 0; y < side; y++)
                for (var x = 0; x < width; x++)
                {
                    var left = x < side ? digits.Image(first)[y * side + x] : 0f;
                    var right = x >= side + gap ? digits.Image(second)[y * side + x - side - gap] : 0f;
                    Assert.Equal(Math.Max(left, right), ink[y * width + x]);
                }
        }
        Assert.Equal(again.Next(), drawn.Next());   // and no draw more
    }

    [Fact]
    public void TouchingPairs_AreRefused_OutsideTheirRange_OrWithoutNonDigits()
    {
        var digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train).Take(50);
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticNonDigits.Generate(10, 1, digits, touchingPairShare: 1.5));
        var error = Assert.Throws<ArgumentException>(() => new TrainingOptions { TouchingPairShare = 0.5 }.Validate());
        Assert.Contains("non-digit weight", error.Message);
        new TrainingOptions { TouchingPairShare = 0.5, NonDigitWeight = 0.5 }.Validate();
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

    [Theory]
    [InlineData(0.5, 30, 15)]
    [InlineData(0.5, 25, 12)]   // as batchSize / 2 was
    [InlineData(1.0, 30, 30)]
    [InlineData(2.0, 16, 32)]
    [InlineData(0.01, 30, 1)]   // at least one
    public void EachBatch_CarriesTheNonDigitsPerDigitAsked(double perDigit, int batchSize, int expected)
    {
        var digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train).Take(40);
        using var exposure = new NonDigitExposure(digits, batchSize, perDigit, seed: 1, weight: 0.5, touchingPairShare: 0,
            augmenter: null, DigitRecognizer.Models.InputNormalization.UnitRange);
        exposure.StartEpoch(0);

        using var batch = exposure.Batch(0);

        Assert.Equal([expected, 1, 28, 28], batch.shape);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(4.5)]
    [InlineData(double.NaN)]
    public void NonDigitsPerDigit_OutOfRange_IsRefusedNamingTheOption(double perDigit)
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainingOptions { NonDigitWeight = 0.5, NonDigitsPerDigit = perDigit }.Validate());
        Assert.Contains("Non-digits per digit", error.Message);
    }

    [Fact]
    public void ThePool_HoldsTheNumberAsked_AndALargerPoolStartsWithTheSmallerOne()
    {
        var digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train).Take(200);
        using var small = new NonDigitExposure(digits, 30, 0.5, seed: 3, weight: 0.5, touchingPairShare: 0.5,
            augmenter: null, DigitRecognizer.Models.InputNormalization.UnitRange, poolSize: 250);
        using var large = new NonDigitExposure(digits, 30, 0.5, seed: 3, weight: 0.5, touchingPairShare: 0.5,
            augmenter: null, DigitRecognizer.Models.InputNormalization.UnitRange, poolSize: 700);

        Assert.Equal(250, small.PoolCount);
        Assert.Equal(700, large.PoolCount);
        // A run with a larger pool still shows the default pool's non-digits (and others besides), so the two compare.
        var (first, more) = (SyntheticNonDigits.Generate(250, 3, digits, 0.5), SyntheticNonDigits.Generate(700, 3, digits, 0.5));
        Assert.Equal(first.Pixels, more.Pixels.AsSpan(0, first.Pixels.Length).ToArray());
        Assert.NotEqual(more.Pixels.AsSpan(first.Pixels.Length, first.Pixels.Length).ToArray(), first.Pixels);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(TrainingOptions.MaxNonDigitPoolSize + 1)]
    public void APoolSize_OutOfRange_IsRefusedNamingTheOption(int poolSize)
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainingOptions { NonDigitWeight = 0.5, NonDigitPoolSize = poolSize }.Validate());
        Assert.Contains("Non-digit pool size must be 1 to 200,000 images", error.Message);
    }

    [Fact]
    public void ANegativeWeight_IsRefusedNamingTheOption()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainingOptions { NonDigitWeight = -1 }.Validate());
        Assert.Contains("Non-digit weight", error.Message);
    }
}
