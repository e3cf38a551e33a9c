namespace DigitRecognizer.Imaging;

/// <summary>Which way round the ink was: how the preprocessor read the image.</summary>
public enum InkPolarity
{
    /// <summary>Dark strokes on light paper (pencil, pen, a drawing on a white canvas).</summary>
    DarkOnLight,

    /// <summary>Light strokes on a dark background (chalk on a board, MNIST's own images).</summary>
    LightOnDark,
}

/// <summary>
/// An image after MNIST-style preprocessing: the 28×28 digit the model receives, or the finding that the
/// image holds no ink at all.
/// </summary>
public sealed record PreparedDigit
{
    /// <summary>784 ink values in [0, 1] (0 background, 1 full ink), row-major, MNIST's layout; all zero when empty.</summary>
    public required float[] Pixels { get; init; }

    /// <summary>True when no ink stood out from the background: nothing was drawn, or the image is one flat tone.</summary>
    public bool IsEmpty { get; init; }

    /// <summary>How the ink was read.</summary>
    public InkPolarity Polarity { get; init; }

    internal static PreparedDigit Empty(InkPolarity polarity) =>
        new() { Pixels = new float[DigitImage.PixelCount], IsEmpty = true, Polarity = polarity };
}
