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

    /// <summary>
    /// Whether what lies round a sheet of paper in a photo (the desk, the table) is found and painted the paper's tone
    /// before the ink is looked for, by the reader of numbers and for a single digit alike (<see cref="PaperSurround"/>): a sheet covering less than half a photo would
    /// otherwise turn the ink's polarity round, and its edges would be read as strokes.
    /// </summary>
    public bool PaintSurround { get; init; } = true;

    /// <summary>Images smaller than this on either side, in pixels, are never taken for a photo of a sheet on a desk.</summary>
    public int SurroundMinimumSide { get; init; } = 64;

    /// <summary>Longer side, in cells, of the coarse copy the surround is told on.</summary>
    public int SurroundGridSide { get; init; } = 128;

    /// <summary>How much darker, 0–1, the surround's mean tone must be than the paper's.</summary>
    public double SurroundContrast { get; init; } = 0.25;

    /// <summary>
    /// How thick the surround and the paper must be: both must survive being worn down by this share of the coarse
    /// copy's shorter side (strokes of ink, and chalk on a board, do not).
    /// </summary>
    public double SurroundThickness { get; init; } = 0.03;

    /// <summary>Least share of the image the surround's core (what survives its wearing down) must cover.</summary>
    public double SurroundCoreShare { get; init; } = 0.03;

    /// <summary>Least share of the image the surround must cover.</summary>
    public double SurroundMinimumShare { get; init; } = 0.1;

    /// <summary>Least share of the image's edge the surround must run along.</summary>
    public double SurroundEdgeShare { get; init; } = 0.3;

    /// <summary>
    /// Most share of what is dark on the paper that may survive being worn down as the surround is: writing is strokes,
    /// and wears away; the loops of a light digit on black do not.
    /// </summary>
    public double SurroundThickWritingShare { get; init; } = 0.2;

    /// <summary>
    /// Least share of the light that must survive being worn down as the surround is: a sheet is solid, and loses only
    /// its rim and the rims of its writing; light strokes are mostly rim.
    /// </summary>
    public double SolidPaperShare { get; init; } = 0.35;

    /// <summary>Least share of the image the paper must cover, worn down.</summary>
    public double PaperMinimumShare { get; init; } = 0.02;

    /// <summary>Most share of the surround's pixels that may be ink-dark (a shadow over the writing is not a desk).</summary>
    public double SurroundInkShare { get; init; } = 0.005;
}
