using TorchSharp;
using static TorchSharp.torch;

namespace DigitRecognizer.Training;

/// <summary>
/// Random distortions applied to each training batch, so the network sees a slightly different digit
/// every epoch. Ranges are symmetric: a rotation of ±RotationDegrees, a zoom of ±Zoom and a shift of
/// ±ShiftPixels in each direction, drawn independently per image; optionally an elastic distortion on top, and
/// random erasing of a rectangle after both.
/// </summary>
public sealed record AugmentationOptions
{
    /// <summary>Largest rotation either way, in degrees. Keras' ImageDataGenerator setting of the notebooks: 10.</summary>
    public double RotationDegrees { get; init; } = 10;

    /// <summary>Largest relative change of size either way (0.1 = 90% … 110%).</summary>
    public double Zoom { get; init; } = 0.1;

    /// <summary>Largest shift either way, in pixels, horizontally and vertically (Keras' 0.1 × 28 ≈ 2.8).</summary>
    public double ShiftPixels { get; init; } = 2.5;

    /// <summary>
    /// Strength of the elastic distortion of Simard et al. (2003), in pixels: every pixel moves by a random field
    /// (uniform −1…1 per pixel and direction) smoothed by a Gaussian of <see cref="ElasticSigma"/> and multiplied
    /// by this. 0 = off (the default); Simard et al. used 34 with σ = 4, which moves pixels by about 1.4 px (one
    /// standard deviation), bending strokes the way a hand's wobble does. Made for handwriting and line drawings;
    /// it does not preserve fine texture.
    /// </summary>
    public double ElasticAlpha { get; init; }

    /// <summary>Smoothness of the elastic field: the Gaussian's standard deviation, in pixels (larger = gentler bends).</summary>
    public double ElasticSigma { get; init; } = 4;

    /// <summary>
    /// Share of images (0–1) that get random erasing (Zhong et al. 2017) after the distortions: one rectangle of the
    /// frame set to background, its area drawn from 2% up to <see cref="EraseMaxArea"/> of the frame and its aspect
    /// from 0.3 to 3.3. 0 = off (the default). It teaches a network to read digits with a stroke missing or occluded.
    /// </summary>
    public double EraseProbability { get; init; }

    /// <summary>Largest share of the frame one erased rectangle covers (Zhong et al.'s 0.4 by default).</summary>
    public double EraseMaxArea { get; init; } = 0.4;

    /// <summary>No distortion at all.</summary>
    public static AugmentationOptions None { get; } = new() { RotationDegrees = 0, Zoom = 0, ShiftPixels = 0 };

    /// <summary>True when every range is 0, so applying it would change nothing.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsIdentity => RotationDegrees == 0 && Zoom == 0 && ShiftPixels == 0 && ElasticAlpha == 0 && EraseProbability == 0;

    /// <summary>Smallest share of the frame an erased rectangle covers (Zhong et al.'s lower bound).</summary>
    public const double MinimumErasedArea = 0.02;

    /// <summary>Narrowest aspect (height / width) of an erased rectangle; the widest is its inverse (Zhong et al.'s 0.3).</summary>
    public const double NarrowestErasedAspect = 0.3;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first range out of bounds.</summary>
    public void Validate()
    {
        if (RotationDegrees is < 0 or > 180 || double.IsNaN(RotationDegrees))
            throw new ArgumentException($"Rotation must be 0–180 degrees (got {RotationDegrees}).");
        if (Zoom is < 0 or >= 1 || double.IsNaN(Zoom)) throw new ArgumentException($"Zoom must be at least 0 and below 1 (got {Zoom}).");
        if (ShiftPixels is < 0 or > DigitImage.Side / 2 || double.IsNaN(ShiftPixels))
            throw new ArgumentException($"Shift must be 0–{DigitImage.Side / 2} pixels (got {ShiftPixels}).");
        if (ElasticAlpha is < 0 or > 1000 || double.IsNaN(ElasticAlpha))
            throw new ArgumentException($"Elastic strength must be 0–1000 pixels (got {ElasticAlpha}).");
        if (ElasticSigma is < 0.5 or > DigitImage.Side || double.IsNaN(ElasticSigma))
            throw new ArgumentException($"Elastic smoothness must be 0.5–{DigitImage.Side} pixels (got {ElasticSigma}).");
        if (EraseProbability is < 0 or > 1 || double.IsNaN(EraseProbability))
            throw new ArgumentException($"Erasing probability must be 0–1 (got {EraseProbability}).");
        if (EraseMaxArea is < MinimumErasedArea or > 1 || double.IsNaN(EraseMaxArea))
            throw new ArgumentException($"Largest erased area must be {MinimumErasedArea}–1 of the frame (got {EraseMaxArea}).");
    }
}

/// <summary>
/// Applies <see cref="AugmentationOptions"/> to batches with one resampling per image (affine_grid, plus the
/// elastic field when there is one, then bilinear grid_sample; outside the frame is background, 0). Random draws
/// come from its own generator, so the same seed gives the same distortions.
/// </summary>
public sealed class BatchAugmenter : IDisposable
{
    private readonly AugmentationOptions options;
    private readonly Generator generator;

    /// <summary>The elastic field's 1-D Gaussian, 3σ either side, summing to 1 (empty when the field is off).</summary>
    private readonly float[] elasticKernel;

    public BatchAugmenter(AugmentationOptions options, long seed)
    {
        options.Validate();
        this.options = options;
        generator = new Generator(unchecked((ulong)seed));
        elasticKernel = options.ElasticAlpha > 0 ? Gaussian(options.ElasticSigma) : [];
    }

    private static float[] Gaussian(double sigma)
    {
        var radius = (int)Math.Ceiling(3 * sigma);
        var weights = Enumerable.Range(-radius, 2 * radius + 1).Select(x => Math.Exp(-x * x / (2 * sigma * sigma))).ToArray();
        var sum = weights.Sum();
        return [.. weights.Select(w => (float)(w / sum))];
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
        var grid = AffineGrid(images.shape, angle, scale, shiftX, shiftY);
        // Drawn only when asked for, so runs without it keep the random stream (and the models) they always had.
        if (options.ElasticAlpha > 0) grid = grid.add(ElasticField(count, height, width, images.dtype));
        var distorted = Sample(images, grid);
        if (options.EraseProbability > 0) distorted = distorted.mul(KeptMask(count, height, width, distorted.dtype));
        return distorted.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Random erasing's mask (N×1×H×W): 0 inside each chosen image's rectangle, 1 elsewhere. Per image, one draw
    /// decides whether it is erased, one its area, one its aspect (log-uniform, so tall and wide are equally likely)
    /// and two its place; the rectangle is clipped to the frame.
    /// </summary>
    private Tensor KeptMask(long count, long height, long width, ScalarType type)
    {
        using var scope = NewDisposeScope();
        var draws = rand([count, 5], dtype: ScalarType.Float64, generator: generator);
        var erased = draws[.., 0].lt(options.EraseProbability);
        var area = draws[.., 1].mul(options.EraseMaxArea - AugmentationOptions.MinimumErasedArea)
            .add_(AugmentationOptions.MinimumErasedArea).mul_(height * width);
        var logNarrowest = Math.Log(AugmentationOptions.NarrowestErasedAspect);
        var aspect = draws[.., 2].mul(-2 * logNarrowest).add_(logNarrowest).exp_();
        var boxHeight = area.mul(aspect).sqrt_().clamp_max_(height);
        var boxWidth = area.div(aspect).sqrt_().clamp_max_(width);
        var top = draws[.., 3].mul(boxHeight.neg().add_(height));
        var left = draws[.., 4].mul(boxWidth.neg().add_(width));
        // Pixel centres inside [top, top + height) × [left, left + width) are erased.
        var rows = arange(height, dtype: ScalarType.Float64).add_(0.5).view(1, -1, 1);
        var columns = arange(width, dtype: ScalarType.Float64).add_(0.5).view(1, 1, -1);
        var inRows = rows.ge(top.view(-1, 1, 1)).logical_and_(rows.lt(top.add(boxHeight).view(-1, 1, 1)));
        var inColumns = columns.ge(left.view(-1, 1, 1)).logical_and_(columns.lt(left.add(boxWidth).view(-1, 1, 1)));
        var inside = inRows.logical_and(inColumns).logical_and_(erased.view(-1, 1, 1));
        return inside.logical_not().to_type(type).unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Simard's displacement field in affine_grid's units (N×H×W×2, x then y): uniform noise per pixel and
    /// direction, smoothed by a Gaussian (two passes of a 1-D kernel, zero beyond the frame) and scaled by alpha.
    /// </summary>
    private Tensor ElasticField(long count, long height, long width, ScalarType type)
    {
        using var scope = NewDisposeScope();
        var radius = elasticKernel.Length / 2;
        var kernel = tensor(elasticKernel).to_type(type);
        var noise = rand([count * 2, 1, height, width], dtype: type, generator: generator).mul_(2).sub_(1);
        var smooth = nn.functional.conv2d(noise, kernel.view(1, 1, 1, -1), padding: [0, radius]);
        smooth = nn.functional.conv2d(smooth, kernel.view(1, 1, -1, 1), padding: [radius, 0]);
        // Pixels to [-1, 1] units: one pixel is 2 / size, across for x and down for y.
        var toGrid = tensor(new[] { (float)(2.0 / width), (float)(2.0 / height) }).to_type(type).mul_(options.ElasticAlpha);
        return smooth.view(count, 2, height, width).permute(0, 2, 3, 1).mul(toGrid).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Resamples each image i rotated by <paramref name="angle"/>[i] radians, scaled by <paramref name="scale"/>[i]
    /// and shifted by (<paramref name="shiftX"/>[i], <paramref name="shiftY"/>[i]) in [-1, 1] units.
    /// </summary>
    public static Tensor Transform(Tensor images, Tensor angle, Tensor scale, Tensor shiftX, Tensor shiftY)
    {
        using var scope = NewDisposeScope();
        return Sample(images, AffineGrid(images.shape, angle, scale, shiftX, shiftY)).MoveToOuterDisposeScope();
    }

    /// <summary>Where each output pixel of the affine transform samples the input (affine_grid's N×H×W×2).</summary>
    private static Tensor AffineGrid(long[] shape, Tensor angle, Tensor scale, Tensor shiftX, Tensor shiftY)
    {
        using var scope = NewDisposeScope();
        // The matrix maps output coordinates to where they are sampled in the input, hence the inverse scale.
        var cos = angle.cos().div(scale);
        var sin = angle.sin().div(scale);
        var row1 = stack([cos, sin.neg(), shiftX.neg()], 1);
        var row2 = stack([sin, cos, shiftY.neg()], 1);
        var theta = stack([row1, row2], 1);
        return nn.functional.affine_grid(theta, shape, align_corners: false).MoveToOuterDisposeScope();
    }

    private static Tensor Sample(Tensor images, Tensor grid) =>
        nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);

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
