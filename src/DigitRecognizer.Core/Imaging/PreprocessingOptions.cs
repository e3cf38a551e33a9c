namespace DigitRecognizer.Imaging;

/// <summary>
/// How <see cref="MnistPreprocessor"/> turns a photo, scan or drawing into an MNIST-style 28×28 digit.
/// The defaults follow how MNIST itself was made (digit scaled into a 20×20 box, centre of mass at the
/// centre of the 28×28 field) and were checked on re-rendered MNIST digits (see the Imaging tests).
/// </summary>
public sealed record PreprocessingOptions
{
    /// <summary>
    /// Side of the box the digit's longer side is scaled to, in pixels: 20, as in MNIST (measured: the median
    /// height of the MNIST training digits is exactly 20 px, none is taller).
    /// </summary>
    public int DigitBox { get; init; } = 20;

    /// <summary>
    /// Where the digit's centre of mass is placed, in pixel indices of the 28×28 field (x and y). Measured on
    /// 10,000 MNIST training digits: the mean centre of mass is (14.00, 14.00).
    /// </summary>
    public double CentreOfMass { get; init; } = 14.0;

    /// <summary>
    /// Ink weaker than this share of the image's full contrast (0–1) is paper texture, shading, sensor noise or
    /// JPEG ringing, and is dropped; what remains is stretched back to 0–1.
    /// </summary>
    public double NoiseFloor { get; init; } = 0.25;

    /// <summary>
    /// Least difference in luminance (0 black … 1 white) between the paper and the strongest ink for an image to
    /// hold anything at all; below it the image is reported empty rather than guessed at.
    /// </summary>
    public double MinimumContrast { get; init; } = 0.15;

    /// <summary>
    /// Stroke width aimed at in the 20-px box, in pixels: the median of MNIST's (measured on 3,000 training
    /// digits as 2 · area / outline of the pixels ≥ 128: median 1.96, 10th percentile 1.43, 90th 2.76).
    /// Strokes that would end up thinner than <see cref="ThinnestStroke"/> or thicker than
    /// <see cref="ThickestStroke"/> are grown or worn down to this width before scaling: a fine pen on a large
    /// photo would otherwise shrink to a faint hairline, a marker on a small one to a blob.
    /// </summary>
    public double TargetStroke { get; init; } = 2.0;

    /// <summary>Thinnest stroke left as it is, in pixels of the 20-px box (MNIST's 10th percentile).</summary>
    public double ThinnestStroke { get; init; } = 1.4;

    /// <summary>Thickest stroke left as it is, in pixels of the 20-px box (MNIST's 90th percentile).</summary>
    public double ThickestStroke { get; init; } = 2.8;

    /// <summary>
    /// Longest side, in pixels, an image is reduced to before anything else: bounds the work on a 12-megapixel
    /// phone photo while leaving far more detail than the 20-px box needs.
    /// </summary>
    public int WorkingSide { get; init; } = 1024;

    /// <summary>Largest image accepted, in pixels (width × height): refuses decompression bombs before decoding.</summary>
    public long MaxPixels { get; init; } = 50_000_000;
}
