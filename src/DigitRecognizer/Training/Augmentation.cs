using TorchSharp;
using static TorchSharp.torch;

namespace DigitRecognizer.Training;

/// <summary>
/// Random distortions applied to each training batch, so the network sees a slightly different digit
/// every epoch. Ranges are symmetric: a rotation of ±RotationDegrees, a zoom of ±Zoom and a shift of
/// ±ShiftPixels in each direction, drawn independently per image.
/// </summary>
public sealed record AugmentationOptions
{
    /// <summary>Largest rotation either way, in degrees. Keras' ImageDataGenerator setting of the notebooks: 10.</summary>
    public double RotationDegrees { get; init; } = 10;

    /// <summary>Largest relative change of size either way (0.1 = 90% … 110%).</summary>
    public double Zoom { get; init; } = 0.1;

    /// <summary>Largest shift either way, in pixels, horizontally and vertically (Keras' 0.1 × 28 ≈ 2.8).</summary>
    public double ShiftPixels { get; init; } = 2.5;

    /// <summary>No distortion at all.</summary>
    public static AugmentationOptions None { get; } = new() { RotationDegrees = 0, Zoom = 0, ShiftPixels = 0 };

    /// <summary>True when every range is 0, so applying it would change nothing.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsIdentity => RotationDegrees == 0 && Zoom == 0 && ShiftPixels == 0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first range out of bounds.</summary>
    public void Validate()
    {
        if (RotationDegrees is < 0 or > 180 || double.IsNaN(RotationDegrees))
            throw new ArgumentException($"Rotation must be 0–180 degrees (got {RotationDegrees}).");
        if (Zoom is < 0 or >= 1 || double.IsNaN(Zoom)) throw new ArgumentException($"Zoom must be at least 0 and below 1 (got {Zoom}).");
        if (ShiftPixels is < 0 or > DigitImage.Side / 2 || double.IsNaN(ShiftPixels))
            throw new ArgumentException($"Shift must be 0–{DigitImage.Side / 2} pixels (got {ShiftPixels}).");
    }
}

/// <summary>
/// Applies <see cref="AugmentationOptions"/> to batches with one affine resampling per image
/// (affine_grid + bilinear grid_sample; outside the frame is background, 0). Random draws come from its
/// own generator, so the same seed gives the same distortions.
/// </summary>
public sealed class BatchAugmenter : IDisposable
{
    private readonly AugmentationOptions options;
    private readonly Generator generator;

    public BatchAugmenter(AugmentationOptions options, long seed)
    {
        options.Validate();
        this.options = options;
        generator = new Generator(unchecked((ulong)seed));
    }

    /// <summary>Distorts every image of <paramref name="images"/> (N×1×H×W, background 0); returns a new tensor.</summary>
    public Tensor Apply(Tensor images)
    {
        var count = images.shape[0];
        var height = images.shape[2];
        var width = images.shape[3];
        using var scope = NewDisposeScope();
        var angle = Symmetric(count, options.RotationDegrees * Math.PI / 180);
        var scale = Symmetric(count, options.Zoom).add_(1);
        // affine_grid works in [-1, 1] coordinates: one pixel is 2 / size.
        var shiftX = Symmetric(count, options.ShiftPixels * 2 / width);
        var shiftY = Symmetric(count, options.ShiftPixels * 2 / height);
        return Transform(images, angle, scale, shiftX, shiftY).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Resamples each image i rotated by <paramref name="angle"/>[i] radians, scaled by <paramref name="scale"/>[i]
    /// and shifted by (<paramref name="shiftX"/>[i], <paramref name="shiftY"/>[i]) in [-1, 1] units.
    /// </summary>
    public static Tensor Transform(Tensor images, Tensor angle, Tensor scale, Tensor shiftX, Tensor shiftY)
    {
        using var scope = NewDisposeScope();
        // The matrix maps output coordinates to where they are sampled in the input, hence the inverse scale.
        var cos = angle.cos().div(scale);
        var sin = angle.sin().div(scale);
        var row1 = stack([cos, sin.neg(), shiftX.neg()], 1);
        var row2 = stack([sin, cos, shiftY.neg()], 1);
        var theta = stack([row1, row2], 1);
        var grid = nn.functional.affine_grid(theta, images.shape, align_corners: false);
        return nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The generator's state, so a resumed run draws the distortions the uninterrupted one would have
    /// (libtorch's CPU generator state as bytes).
    /// </summary>
    public byte[] RandomState
    {
        get
        {
            using var state = generator.get_state();
            return state.data<byte>().ToArray();
        }
        set
        {
            using var state = tensor(value, ScalarType.Byte);
            generator.set_state(state);
        }
    }

    private Tensor Symmetric(long count, double range) =>
        rand([count], generator: generator).mul_(2).sub_(1).mul_(range);

    /// <inheritdoc />
    public void Dispose() => generator.Dispose();
}
