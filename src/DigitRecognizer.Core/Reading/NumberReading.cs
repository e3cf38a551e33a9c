namespace DigitRecognizer.Reading;

/// <summary>A rectangle of pixels: left, top, width, height (x to the right, y down).</summary>
public readonly record struct PixelBox(int X, int Y, int Width, int Height)
{
    /// <summary>One past the rightmost column.</summary>
    public int Right => X + Width;

    /// <summary>One past the bottom row.</summary>
    public int Bottom => Y + Height;

    /// <summary>Area in pixels.</summary>
    public long Area => (long)Width * Height;

    /// <summary>Pixels shared with <paramref name="other"/>.</summary>
    public long IntersectionArea(PixelBox other)
    {
        var width = Math.Min(Right, other.Right) - Math.Max(X, other.X);
        var height = Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y);
        return width <= 0 || height <= 0 ? 0 : (long)width * height;
    }

    /// <summary>Intersection over union with <paramref name="other"/>: 1 for the same box, 0 for boxes apart.</summary>
    public double IntersectionOverUnion(PixelBox other)
    {
        var intersection = (double)IntersectionArea(other);
        return intersection == 0 ? 0 : intersection / (Area + other.Area - intersection);
    }

    /// <summary>The smallest box holding both.</summary>
    public PixelBox Union(PixelBox other)
    {
        var (left, top) = (Math.Min(X, other.X), Math.Min(Y, other.Y));
        return new PixelBox(left, top, Math.Max(Right, other.Right) - left, Math.Max(Bottom, other.Bottom) - top);
    }
}

/// <summary>One digit of a number, as read.</summary>
/// <param name="Label">The most probable digit (kept even when <paramref name="Unsure"/>, as the best guess).</param>
/// <param name="Probabilities">The model's ten probabilities for the digits 0 to 9, as it gave them.</param>
/// <param name="Confidence">
/// The score the model's refusal rule compares with its threshold (the probability of <paramref name="Label"/> when
/// the model has no rule, or its rule uses that score).
/// </param>
/// <param name="Box">Where the digit's ink is, in the original image's pixels.</param>
/// <param name="Unsure">True when the confidence is below the model's threshold: the digit is reported unreadable.</param>
/// <param name="Input">The 28×28 the model received (784 values 0–1, MNIST's layout).</param>
public sealed record ReadDigit(int Label, float[] Probabilities, double Confidence, PixelBox Box, bool Unsure, float[] Input);

/// <summary>What a mark that is not read as a digit looks like.</summary>
public enum MarkKind
{
    /// <summary>A small blot: far smaller than the digits.</summary>
    Speck,

    /// <summary>A short flat stroke, a hyphen or minus sign.</summary>
    Dash,

    /// <summary>A long thin stroke leaning well to the right, a date or fraction separator.</summary>
    Slash,

    /// <summary>A long straight printed or ruled line: a rule of lined paper, a line of squared paper, an underline.</summary>
    Line,

    /// <summary>A strip along the image's edge: a sliver of desk beside a sheet's edge, a scanner's shadow, the rim of a page.</summary>
    Edge,
}

/// <summary>A mark found on the line but left out of the text.</summary>
public sealed record SkippedMark(MarkKind Kind, PixelBox Box);

/// <summary>
/// What <see cref="NumberReader"/> read in an image of a number: the digits left to right, the marks it skipped,
/// and whether anything in it was unsure.
/// </summary>
public sealed record NumberReading
{
    /// <summary>Character <see cref="Text"/> holds for a digit too unsure to be read.</summary>
    public const char UnreadableDigit = '?';

    /// <summary>The digits found, left to right.</summary>
    public required IReadOnlyList<ReadDigit> Digits { get; init; }

    /// <summary>Dots, dashes, slashes, specks and paper lines that were not read as digits, left to right.</summary>
    public required IReadOnlyList<SkippedMark> Marks { get; init; }

    /// <summary>Width of the original image, in pixels (boxes are in its coordinates).</summary>
    public required int Width { get; init; }

    /// <summary>Height of the original image, in pixels.</summary>
    public required int Height { get; init; }

    /// <summary>
    /// The number: one character per digit found, its label, or <see cref="UnreadableDigit"/> where the digit is
    /// unsure. Marks are never in it. Empty when nothing was found.
    /// </summary>
    public string Text => string.Concat(Digits.Select(d => d.Unsure ? UnreadableDigit : (char)('0' + d.Label)));

    /// <summary>True when some digit is unsure, or nothing readable was found.</summary>
    public bool Unsure => NothingReadable || Digits.Any(d => d.Unsure);

    /// <summary>True when no digit was found at all: no ink, or only marks too small or too thin to be digits.</summary>
    public bool NoDigits => Digits.Count == 0;

    /// <summary>True when no digit could be read: none was found, or every one found is unsure.</summary>
    public bool NothingReadable => Digits.All(d => d.Unsure);

    /// <summary>The weakest digit's confidence (0 when there is none): how far the whole number can be trusted.</summary>
    public double Confidence => Digits.Count == 0 ? 0 : Digits.Min(d => d.Confidence);
}
