using DigitRecognizer.Engine;
using DigitRecognizer.Models;
using DigitRecognizer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitRecognizer.Tests.Training;

[Trait("Category", "Fast")]
public class AugmentationTests
{
    private static Tensor Batch(int count = 8, int seed = 1)
    {
        TorchRuntime.EnsureLoaded();
        var data = TestData.Synthetic(count, seed);
        return InputNormalization.UnitRange.ToInput(data.Pixels, 0, data.Count);
    }

    [Fact]
    public void Apply_KeepsTheShapeAndTheZeroToOneRange()
    {
        // Holds the temporaries until the end, so none is finalized while libtorch reads it (see Engine/TensorCopies.cs).
        using var scope = torch.NewDisposeScope();
        using var images = Batch();
        using var augmenter = new BatchAugmenter(new AugmentationOptions(), seed: 3);

        using var distorted = augmenter.Apply(images);

        Assert.Equal(images.shape, distorted.shape);
        Assert.True(distorted.min().item<float>() >= 0f);
        Assert.True(distorted.max().item<float>() <= 1f + 1e-6f);
        Assert.False(distorted.allclose(images), "the default ranges should change the images");
    }

    [Fact]
    public void Transform_WithNoRotationZoomOrShift_IsTheIdentity()
    {
        using var images = Batch();
        using var zero = zeros(8);
        using var one = ones(8);

        using var same = BatchAugmenter.Transform(images, zero, one, zero, zero);

        Assert.True(same.allclose(images, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Apply_WithZeroRanges_IsTheIdentity()
    {
        using var images = Batch();
        using var augmenter = new BatchAugmenter(AugmentationOptions.None, seed: 3);

        using var same = augmenter.Apply(images);

        Assert.True(same.allclose(images, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Transform_ByWholePixels_MovesTheContentThatFar()
    {
        // Holds the temporaries until the end, so none is finalized while libtorch reads it (see Engine/TensorCopies.cs).
        using var scope = torch.NewDisposeScope();
        using var images = Batch(count: 2);
        using var zero = zeros(2);
        using var one = ones(2);
        using var twoPixelsRight = full(2, 2.0 * 2 / DigitImage.Side);

        using var moved = BatchAugmenter.Transform(images, zero, one, twoPixelsRight, zero);

        // Columns 2.. of the result are columns ..25 of the original; columns 0 and 1 are background.
        using var expected = images[.., .., .., TensorIndex.Slice(0, DigitImage.Side - 2)];
        Assert.True(moved[.., .., .., TensorIndex.Slice(2, null)].allclose(expected, rtol: 0, atol: 1e-5));
        Assert.Equal(0f, moved[.., .., .., TensorIndex.Slice(0, 2)].abs().max().item<float>(), 5);
    }

    [Fact]
    public void Apply_IsDeterminedByTheSeed()
    {
        // Holds the temporaries until the end, so none is finalized while libtorch reads it (see Engine/TensorCopies.cs).
        using var scope = torch.NewDisposeScope();
        using var images = Batch();
        using var first = new BatchAugmenter(new AugmentationOptions(), seed: 7);
        using var again = new BatchAugmenter(new AugmentationOptions(), seed: 7);
        using var other = new BatchAugmenter(new AugmentationOptions(), seed: 8);

        using var a = first.Apply(images);
        using var b = again.Apply(images);
        using var c = other.Apply(images);

        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.allclose(c));
    }

    [Fact]
    public void Elastic_BendsStrokesLocally_KeepingTheInkWhereItWas()
    {
        // Holds the temporaries until the end, so none is finalized while libtorch reads it (see Engine/TensorCopies.cs).
        using var scope = torch.NewDisposeScope();
        using var images = Batch();
        using var augmenter = new BatchAugmenter(AugmentationOptions.None with { ElasticAlpha = 34, ElasticSigma = 4 }, seed: 5);

        using var bent = augmenter.Apply(images);

        Assert.Equal(images.shape, bent.shape);
        Assert.True(bent.min().item<float>() >= 0f && bent.max().item<float>() <= 1f + 1e-6f);
        // Strokes moved: some pixels changed by much more than resampling noise.
        Assert.True(bent.sub(images).abs().max().item<float>() > 0.3f, "the elastic field did not move the strokes");
        // …but locally: each digit's ink and its centre stay within a pixel or two of where they were.
        using var columns = arange(DigitImage.Side, dtype: ScalarType.Float32).view(1, 1, 1, -1);
        using var inkBefore = images.sum([1, 2, 3]);
        using var inkAfter = bent.sum([1, 2, 3]);
        Assert.True(inkAfter.div(inkBefore).sub(1).abs().max().item<float>() < 0.15f, "the distortion gained or lost ink");
        using var centreBefore = images.mul(columns).sum([1, 2, 3]).div(inkBefore);
        using var centreAfter = bent.mul(columns).sum([1, 2, 3]).div(inkAfter);
        Assert.True(centreAfter.sub(centreBefore).abs().max().item<float>() < 1.5f, "the distortion moved whole digits");
    }

    [Fact]
    public void Elastic_IsDeterminedByTheSeed_AndGentlerWithALargerSigma()
    {
        // Holds the temporaries until the end, so none is finalized while libtorch reads it (see Engine/TensorCopies.cs).
        using var scope = torch.NewDisposeScope();
        using var images = Batch();
        var options = AugmentationOptions.None with { ElasticAlpha = 34, ElasticSigma = 4 };
        using var first = new BatchAugmenter(options, seed: 7);
        using var again = new BatchAugmenter(options, seed: 7);
        using var other = new BatchAugmenter(options, seed: 8);
        using var smoother = new BatchAugmenter(options with { ElasticSigma = 8 }, seed: 7);

        using var a = first.Apply(images);
        using var b = again.Apply(images);
        using var d = other.Apply(images);
        using var c = smoother.Apply(images);

        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.allclose(d));
        // The same noise smoothed over a wider Gaussian averages out more: smaller displacements.
        Assert.True(c.sub(images).abs().mean().item<float>() < a.sub(images).abs().mean().item<float>());
    }

    [Fact]
    public void Erase_SetsOneRectangleOfEachChosenImageToBackground()
    {
        // Holds the temporaries until the end, so none is finalized while libtorch reads it (see Engine/TensorCopies.cs).
        using var scope = torch.NewDisposeScope();
        TorchRuntime.EnsureLoaded();
        // All-ink frames: what stays 1 was kept, what became 0 was erased (the identity resampling rounds in the last bits).
        using var images = ones(64, 1, DigitImage.Side, DigitImage.Side);
        var options = AugmentationOptions.None with { EraseProbability = 1, EraseMaxArea = 0.3 };
        using var augmenter = new BatchAugmenter(options, seed: 4);

        using var erased = augmenter.Apply(images);

        var frame = DigitImage.Side * DigitImage.Side;
        for (var i = 0; i < 64; i++)
        {
            using var zero = erased[i, 0].lt(0.5);
            using var where = zero.nonzero();
            var count = (int)where.shape[0];
            Assert.True(count >= 1, $"image {i} was not erased");
            // Only whole pixels inside the drawn area: at most the largest area plus one row and one column of rounding.
            Assert.True(count <= options.EraseMaxArea * frame + 2 * DigitImage.Side, $"image {i}: {count} pixels erased");
            // The erased pixels fill their bounding box: one rectangle, nothing else touched.
            var top = where[.., 0].min().item<long>();
            var bottom = where[.., 0].max().item<long>();
            var left = where[.., 1].min().item<long>();
            var right = where[.., 1].max().item<long>();
            Assert.Equal((bottom - top + 1) * (right - left + 1), count);
            using var kept = erased[i, 0].gt(1 - 1e-4);
            Assert.Equal(frame - count, kept.sum().item<long>());
        }
    }

    [Fact]
    public void Erase_TouchesTheChosenShareOfImages_AndOffItKeepsTheRandomStream()
    {
        // Holds the temporaries until the end, so none is finalized while libtorch reads it (see Engine/TensorCopies.cs).
        using var scope = torch.NewDisposeScope();
        using var images = Batch(count: 400);
        using var halfErased = new BatchAugmenter(AugmentationOptions.None with { EraseProbability = 0.5 }, seed: 9);

        using var result = halfErased.Apply(images);

        using var changed = result.sub(images).abs().amax([1, 2, 3]).gt(1e-3);
        var share = changed.sum().item<long>() / 400.0;
        // Half are chosen; a rectangle that falls on background only changes nothing, so somewhat fewer show.
        Assert.InRange(share, 0.3, 0.6);
        Assert.True(result.le(images.add(1e-4)).all().item<bool>(), "erasing only removes ink");

        // Off, it draws nothing: the other distortions come out exactly as without the option.
        using var plain = new BatchAugmenter(new AugmentationOptions(), seed: 2);
        using var off = new BatchAugmenter(new AugmentationOptions { EraseProbability = 0 }, seed: 2);
        using var a = plain.Apply(images);
        using var b = off.Apply(images);
        Assert.True(a.eq(b).all().item<bool>());
    }

    [Theory]
    [InlineData(-0.1, 0.4)]
    [InlineData(1.5, 0.4)]
    [InlineData(0.5, 0.01)]
    [InlineData(0.5, 1.5)]
    public void Erase_OutOfRangeIsRejected(double probability, double maxArea) =>
        Assert.Throws<ArgumentException>(() => new AugmentationOptions { EraseProbability = probability, EraseMaxArea = maxArea }.Validate());

    [Theory]
    [InlineData(-1.0, 4.0)]
    [InlineData(34.0, 0.1)]
    [InlineData(34.0, 100.0)]
    public void Elastic_OutOfRangeIsRejected(double alpha, double sigma) =>
        Assert.Throws<ArgumentException>(() => new AugmentationOptions { ElasticAlpha = alpha, ElasticSigma = sigma }.Validate());

    [Theory]
    [InlineData(-1, 0.1, 2)]
    [InlineData(10, 1.0, 2)]
    [InlineData(10, 0.1, 20)]
    public void Options_OutOfRangeAreRejected(double rotation, double zoom, double shift) =>
        Assert.Throws<ArgumentException>(() => new AugmentationOptions { RotationDegrees = rotation, Zoom = zoom, ShiftPixels = shift }.Validate());
}
