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

    [Theory]
    [InlineData(-1, 0.1, 2)]
    [InlineData(10, 1.0, 2)]
    [InlineData(10, 0.1, 20)]
    public void Options_OutOfRangeAreRejected(double rotation, double zoom, double shift) =>
        Assert.Throws<ArgumentException>(() => new AugmentationOptions { RotationDegrees = rotation, Zoom = zoom, ShiftPixels = shift }.Validate());
}
