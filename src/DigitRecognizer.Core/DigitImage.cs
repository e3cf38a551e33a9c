namespace DigitRecognizer;

/// <summary>
/// The shape every model, reader and writer agrees on: MNIST's 28×28 grayscale digits in ten classes.
/// Pixels are 0 (background, white) … 255 (ink, black); models see them scaled to [0, 1].
/// </summary>
public static class DigitImage
{
    /// <summary>Width and height of an image, in pixels.</summary>
    public const int Side = 28;

    /// <summary>Pixels per image (28 × 28 = 784), the number of pixel columns in a Kaggle CSV.</summary>
    public const int PixelCount = Side * Side;

    /// <summary>Number of classes: the digits 0 to 9.</summary>
    public const int ClassCount = 10;

    /// <summary>Largest raw pixel value (ink).</summary>
    public const int MaxPixelValue = 255;
}
