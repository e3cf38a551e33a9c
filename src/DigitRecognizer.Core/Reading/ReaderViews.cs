using DigitRecognizer.Data;
using DigitRecognizer.Inference;

namespace DigitRecognizer.Reading;

/// <summary>
/// Digits as <see cref="NumberReader"/> sees them: each pasted alone on a synthetic page (<see cref="SyntheticNumbers"/>:
/// uneven paper of any kind, any size from a small photo's to a large scan's, slightly turned, PNG or JPEG), then found
/// again and prepared by the reader's own ink map and MNIST step. A classifier trained only on MNIST's own 28×28s
/// meets those at run time a little differently drawn (the stroke's soft rim, the 20-px fit done again, JPEG), and
/// some digits it reads surely as MNIST gives them it refuses or misreads there (docs/reading-numbers.md). Showing it
/// a share of its training digits this way is meant to close that gap. Digit-specific only in that it uses the number
/// reader's preparation; any 28×28, 10-class data set goes through it the same way.
/// </summary>
public static class ReaderViews
{
    /// <summary>
    /// A copy of <paramref name="digits"/> in which a share <paramref name="share"/> (0–1, chosen by
    /// <paramref name="seed"/>) of the images is replaced by the same digit as the reader sees it; a digit the reader
    /// does not find whole — not as exactly one, or with a piece of it left out as a mark (a 5's top bar drawn apart
    /// comes back as a dash) — keeps its own image, so that no label is taught on a shape that lost what makes it
    /// that digit. The same digits, share and seed give the same images, whatever the number of threads.
    /// </summary>
    public static DigitDataset Replace(DigitDataset digits, double share, int seed, CancellationToken cancellation = default)
    {
        if (!(share is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(share), share, "The share of reader views must be in [0, 1].");
        if (digits.Labels is null) throw new ArgumentException("Reader views are drawn from labelled digits.", nameof(digits));
        var pixels = (float[])digits.Pixels.Clone();
        var chosen = Enumerable.Range(0, digits.Count).Where(i => Chance(seed, i) < share).ToArray();
        Parallel.ForEach(chosen, new ParallelOptions { CancellationToken = cancellation }, index =>
        {
            if (View(digits, index, seed) is { } view) view.CopyTo(pixels, index * DigitImage.PixelCount);
        });
        return new DigitDataset(pixels, digits.Labels, $"{digits.Source} ({share:P0} as the number reader sees them)");
    }

    // Every digit its own generator: the images do not depend on which thread drew which.
    private static Random Generator(int seed, int index, int stream) => new(unchecked(seed * 1_000_003 + index * 7 + stream));

    private static double Chance(int seed, int index) => Generator(seed, index, 1).NextDouble();

    // Not underlined or boxed: round a single digit, an underline or a box's frame stays part of its ink.
    private static readonly PaperKind[] Papers = [PaperKind.Plain, PaperKind.Ruled, PaperKind.Squared, PaperKind.Desk];

    // Cuts are off: the reader's trial cuts need a trained classifier, and one digit alone is never cut.
    private static readonly NumberReader Reader = new(new Uninformed(), rejection: null,
        new ReadingOptions { SplitAspect = double.PositiveInfinity, ForceSplitAspect = double.PositiveInfinity });

    /// <summary>
    /// Digit <paramref name="index"/> as the reader sees it, or null when it does not find it whole: as one digit, with
    /// no speck, dash or slash skipped on or beside its ink.
    /// </summary>
    internal static float[]? View(DigitDataset digits, int index, int seed)
    {
        var random = Generator(seed, index, 2);
        var options = new SyntheticNumberOptions
        {
            MinDigits = 1,
            MaxDigits = 1,
            // From lines small enough for the reader's closer look up to a large scan's.
            FrameSide = (24, 140),
            Paper = Papers[random.Next(Papers.Length)],
        };
        var number = SyntheticNumbers.Draw(digits, [index], random, options);
        var read = Reader.Read(number.Encoded);
        var ink = number.Boxes[0];
        var near = new PixelBox(ink.X - Reach, ink.Y - Reach, ink.Width + 2 * Reach, ink.Height + 2 * Reach);
        var pieceLeftOut = read.Marks.Any(mark => mark.Kind is not (MarkKind.Line or MarkKind.Edge) && mark.Box.IntersectionArea(near) > 0);
        return read.Digits.Count == 1 && !pieceLeftOut ? read.Digits[0].Input : null;
    }

    // How far (px) from the pasted digit's ink a skipped mark counts as a piece of it; specks and dashes farther off are
    // the paper's (what is left of a ruled line between two squares).
    private const int Reach = 2;

    /// <summary>A classifier that knows nothing (ten equal probabilities): the reader only needs one to find digits with cuts off.</summary>
    private sealed class Uninformed : IDigitClassifier
    {
        public string Architecture => "none";

        public PredictionSet Predict(DigitDataset data, int batchSize = PredictionSet.DefaultBatchSize, IProgress<int>? progress = null,
            CancellationToken cancellation = default) =>
            new(Enumerable.Repeat(1f / DigitImage.ClassCount, data.Count * DigitImage.ClassCount).ToArray());
    }
}
