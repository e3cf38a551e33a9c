using DigitRecognizer.Data;
using DigitRecognizer.Reading;
using DigitRecognizer.Training;

namespace DigitRecognizer.Tests.Reading;

/// <summary>Training digits shown as the number reader sees them (<c>train --reader-views</c>).</summary>
public sealed class ReaderViewsTests
{
    private static readonly DigitDataset Digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train).Take(200);

    [Fact]
    [Trait("Category", "Fast")]
    public void Replace_SwapsAboutTheShareAsked_ForTheSameDigitPreparedAsTheReaderPreparesIt_TheSameEveryTime()
    {
        var views = ReaderViews.Replace(Digits, 0.5, seed: 3);
        var again = ReaderViews.Replace(Digits, 0.5, seed: 3);
        var other = ReaderViews.Replace(Digits, 0.5, seed: 4);

        Assert.Equal(Digits.Labels, views.Labels);
        Assert.Equal(views.Pixels, again.Pixels);
        Assert.NotEqual(views.Pixels, other.Pixels);
        var replaced = Enumerable.Range(0, Digits.Count).Where(i => !Digits.Image(i).SequenceEqual(views.Image(i))).ToList();
        Assert.InRange(replaced.Count, 70, 130);
        foreach (var i in replaced)
        {
            var (original, view) = (Digits.Image(i).ToArray(), views.Image(i).ToArray());
            // The MNIST step: strongest ink 1, the ink's longer side fitted to about 20 px, its centre of mass near the middle.
            Assert.Equal(1f, view.Max());
            Assert.All(view, p => Assert.InRange(p, 0f, 1f));
            var (x, y) = CentreOfMass(view);
            Assert.InRange(x, 12, 16);
            Assert.InRange(y, 12, 16);
            // The same digit: its ink where the original's is (the page turned it by at most 4°), but for what the reader
            // left out as a mark (a 5's top bar drawn apart from its body comes back as a dash, as it would in a number).
            Assert.True(Overlap(original, view) > 0.3, $"image {i}: ink overlap {Overlap(original, view):F2}");
        }
        var overlaps = replaced.Select(i => Overlap(Digits.Image(i).ToArray(), views.Image(i).ToArray())).Order().ToList();
        Assert.True(overlaps[overlaps.Count / 2] > 0.8, $"median ink overlap {overlaps[overlaps.Count / 2]:F2}");
    }

    [Fact]
    [Trait("Category", "Fast")]
    public void Replace_AtShareZero_ChangesNothing_AndAShareOutsideZeroToOneIsRefused()
    {
        Assert.Equal(Digits.Pixels, ReaderViews.Replace(Digits, 0, seed: 1).Pixels);
        Assert.Throws<ArgumentOutOfRangeException>(() => ReaderViews.Replace(Digits, 1.5, seed: 1));
        var error = Assert.Throws<ArgumentException>(() => new TrainingOptions { ReaderViewShare = -0.1 }.Validate());
        Assert.Contains("Reader-view share", error.Message);
    }

    [Fact]
    public void Training_WithReaderViews_RecordsTheShare_AndTrainsOnTheViews()
    {
        var data = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train).Take(600);
        var options = new TrainingOptions { Model = "dense", Epochs = 1, Seed = 5, Threads = 1 };

        using var plain = Trainer.Train(data, options);
        using var viewed = Trainer.Train(data, options with { ReaderViewShare = 0.5 });

        Assert.Equal(0.5, viewed.Metadata.Training.ReaderViewShare);
        Assert.Equal(plain.Metadata.Metrics.ValidationImages, viewed.Metadata.Metrics.ValidationImages);
        // Same seed, same batches: only the images replaced can make the weights differ.
        Assert.NotEqual(plain.Predict(data).Probabilities, viewed.Predict(data).Probabilities);
    }

    [Fact]
    [Trait("Category", "Fast")]
    public void ADigitTheReaderFindsWithAPieceLeftOut_KeepsItsOwnImage()
    {
        // Twenty upright strokes alone, then the same twenty with a blot beside each, which the reader skips as a speck.
        const int copies = 20;
        var pixels = new float[2 * copies * DigitImage.PixelCount];
        for (var copy = 0; copy < 2 * copies; copy++)
        {
            var image = pixels.AsSpan(copy * DigitImage.PixelCount, DigitImage.PixelCount);
            for (var y = 4; y < 24; y++)
                for (var x = 12; x < 15; x++) image[y * DigitImage.Side + x] = 1f;
            if (copy < copies) continue;
            for (var y = 13; y < 15; y++)
                for (var x = 19; x < 21; x++) image[y * DigitImage.Side + x] = 1f;
        }
        var digits = new DigitDataset(pixels, Enumerable.Repeat(1, 2 * copies).ToArray(), "strokes");

        var views = ReaderViews.Replace(digits, 1.0, seed: 2);

        var replaced = Enumerable.Range(0, 2 * copies).Select(i => !digits.Image(i).SequenceEqual(views.Image(i))).ToArray();
        Assert.True(replaced[..copies].Count(r => r) >= copies - 2, $"strokes alone replaced: {replaced[..copies].Count(r => r)} of {copies}");
        Assert.True(replaced[copies..].Count(r => r) <= 2, $"strokes with a speck replaced: {replaced[copies..].Count(r => r)} of {copies}");
    }

    private static (double X, double Y) CentreOfMass(float[] image)
    {
        double total = 0, x = 0, y = 0;
        for (var p = 0; p < image.Length; p++)
        {
            total += image[p];
            x += image[p] * (p % DigitImage.Side);
            y += image[p] * (p / DigitImage.Side);
        }
        return (x / total, y / total);
    }

    // The share of the view's ink (above half strength) that lies within a pixel of the original's.
    private static double Overlap(float[] original, float[] view)
    {
        int inked = 0, near = 0;
        for (var p = 0; p < view.Length; p++)
        {
            if (view[p] < 0.5f) continue;
            inked++;
            var (px, py) = (p % DigitImage.Side, p / DigitImage.Side);
            var close = false;
            for (var dy = -1; dy <= 1 && !close; dy++)
                for (var dx = -1; dx <= 1 && !close; dx++)
                {
                    var (x, y) = (px + dx, py + dy);
                    close = x is >= 0 and < DigitImage.Side && y is >= 0 and < DigitImage.Side && original[y * DigitImage.Side + x] >= 0.25f;
                }
            if (close) near++;
        }
        return inked == 0 ? 0 : (double)near / inked;
    }
}
