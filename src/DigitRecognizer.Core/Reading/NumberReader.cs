using System.Runtime.CompilerServices;
using DigitRecognizer.Data;
using DigitRecognizer.Imaging;
using DigitRecognizer.Inference;

namespace DigitRecognizer.Reading;

/// <summary>
/// Reads a handwritten number written on one line (1 to 12 digits) with any <see cref="IDigitClassifier"/>:
/// finds the ink against the paper of the whole image, the digits in it (strokes of one digit joined, touching
/// digits cut where the classifier is surest of both halves, dots, dashes, slashes and specks set aside), prepares
/// each digit as a single digit is prepared, and reads them left to right. A line of small digits is read again closer
/// (<see cref="ReadingOptions.SmallLineHeight"/>), from the file's own pixels where the working copy was reduced. Digits the model's
/// <see cref="Rejection"/> refuses are reported unsure instead of guessed.
/// Safe for concurrent use when the classifier is.
/// </summary>
public sealed class NumberReader
{
    private readonly IDigitClassifier classifier;
    private readonly MnistPreprocessor preprocessor;

    /// <param name="classifier">Reads each digit.</param>
    /// <param name="rejection">The model's refusal rule, or null to read every digit found (none unsure).</param>
    /// <param name="options">How digits are found; the defaults were tuned on numbers made of MNIST training digits.</param>
    public NumberReader(IDigitClassifier classifier, Rejection? rejection = null, ReadingOptions? options = null)
    {
        this.classifier = classifier;
        Rejection = rejection;
        Options = options ?? new ReadingOptions();
        preprocessor = new MnistPreprocessor(Options.Preprocessing);
    }

    /// <summary>The refusal rule in use, or null.</summary>
    public Rejection? Rejection { get; }

    /// <summary>The settings in use.</summary>
    public ReadingOptions Options { get; }

    /// <summary>Decodes and reads a PNG or JPEG file.</summary>
    /// <exception cref="InvalidImageException">The file is not a readable image, or it is too large.</exception>
    public NumberReading ReadFile(string path, CancellationToken cancellation = default) => Read(File.ReadAllBytes(path), cancellation);

    /// <summary>Decodes and reads PNG or JPEG bytes.</summary>
    /// <exception cref="InvalidImageException">The bytes are not a readable image, or it is too large.</exception>
    public NumberReading Read(ReadOnlySpan<byte> encoded, CancellationToken cancellation = default)
    {
        var (luminance, width, height, originalWidth, originalHeight) = ImageDecoder.DecodeWithOriginalSize(encoded, Options.Preprocessing, pooled: true);
        using (luminance) return Read(luminance.Array, width, height, originalWidth, originalHeight, encoded, cancellation);
    }

    /// <summary>Reads a grayscale image given as luminance, 0 black … 1 white, row-major.</summary>
    public NumberReading Read(float[] luminance, int width, int height, CancellationToken cancellation = default)
    {
        if (width < 1 || height < 1 || luminance.Length != width * height)
            throw new ArgumentException($"{luminance.Length} values do not make a {width}×{height} image.", nameof(luminance));
        return Read(luminance, width, height, width, height, file: default, cancellation);
    }

    /// <summary>
    /// Reads the working copy of an image of <paramref name="originalWidth"/> × <paramref name="originalHeight"/>, and
    /// a line of small digits again closer: from <paramref name="file"/> where the working copy was reduced from it,
    /// else from the working copy enlarged.
    /// </summary>
    private NumberReading Read(float[] luminance, int width, int height, int originalWidth, int originalHeight, ReadOnlySpan<byte> file,
        CancellationToken cancellation)
    {
        var whole = new ImageDecoder.Placement(0, 0, (double)originalWidth / width, (double)originalHeight / height);
        var first = ReadPass(luminance, width, height, cancellation);
        if (CloserLook(first, width, height) is { } closer)
        {
            cancellation.ThrowIfCancellationRequested();
            var region = whole.ToOriginal(closer.Region, originalWidth, originalHeight);
            // Decoded again from the file where the working copy was reduced: a photo has the detail it lost.
            var enlarged = (width, height) == (originalWidth, originalHeight);
            var (crop, cropWidth, cropHeight, placement) = enlarged
                ? ImageDecoder.Enlarge(luminance, width, closer.Region, closer.Scale, closer.Scale)
                : ImageDecoder.DecodeRegion(file, Options.Preprocessing, region, closer.Scale * width / originalWidth, Options.CloserMaxDecodedPixels);
            var second = ReadPass(crop, cropWidth, cropHeight, cancellation, first.Polarity);
            // Enlarging beyond the file's pixels adds no detail, and a crisp thin stroke enlarged can come apart (a typed
            // 2's foot): such a look is kept only if the first found nothing or it refuses no more digits (without a
            // refusal rule, it is always kept).
            var beyondFile = enlarged || closer.Scale * width / originalWidth > 1;
            if (second.Digits.Count > 0 && (!beyondFile || first.Digits.Count == 0 || Refused(second) <= Refused(first)))
                return Closer(first, whole, second, placement, region, originalWidth, originalHeight);
        }
        return Reading(first.Digits, first.Marks.Select(m => new SkippedMark(m.Kind, whole.ToOriginal(m.Box, originalWidth, originalHeight))), whole, originalWidth, originalHeight);
    }

    /// <summary>How many of a pass's digits the refusal rule refuses (none without a rule).</summary>
    private int Refused(Pass pass) =>
        Rejection is null ? 0 : pass.Digits.Count(d => Rejection.Refuses(d.Probabilities));

    /// <summary>
    /// What one pass over an image found, in its own pixels: the digits read, the marks skipped, the line's height,
    /// and the ink's polarity (null when nothing stood out from the paper).
    /// </summary>
    private sealed record Pass(IReadOnlyList<Leaf> Digits, IReadOnlyList<(MarkKind Kind, PixelBox Box)> Marks, double LineHeight, InkPolarity? Polarity);

    /// <summary>
    /// Where and how much to enlarge for a closer look (<see cref="ReadingOptions.SmallLineHeight"/>): the digits found
    /// (or, with none, the marks) with a line's height around them, enlarged until the line is
    /// <see cref="ReadingOptions.CloserLineHeight"/> tall, within <see cref="ReadingOptions.MaxCloserScale"/> and the
    /// working size's square of pixels. Null when the line is tall enough or the look would not enlarge enough.
    /// </summary>
    private (PixelBox Region, double Scale)? CloserLook(Pass pass, int width, int height)
    {
        if (pass.LineHeight <= 0 || pass.LineHeight >= Options.SmallLineHeight) return null;
        var boxes = pass.Digits.Count > 0
            ? pass.Digits.Select(d => d.Part.Box).ToList()
            : pass.Marks.Where(m => m.Kind != MarkKind.Line).Select(m => m.Box).ToList();
        if (boxes.Count == 0) return null;
        var ink = boxes.Aggregate((a, b) => a.Union(b));
        var margin = (int)Math.Ceiling(pass.LineHeight);
        var (left, top) = (Math.Max(0, ink.X - margin), Math.Max(0, ink.Y - margin));
        var region = new PixelBox(left, top, Math.Min(width, ink.Right + margin) - left, Math.Min(height, ink.Bottom + margin) - top);
        var budget = (double)Options.Preprocessing.WorkingSide * Options.Preprocessing.WorkingSide;
        var scale = Math.Min(Math.Min(Options.MaxCloserScale, Options.CloserLineHeight / pass.LineHeight), Math.Sqrt(budget / region.Area));
        return scale >= Options.MinCloserScale ? (region, scale) : null;
    }

    /// <summary>
    /// The closer look's reading: its digits and marks, with the first pass's marks outside the region looked at and its
    /// lines (a rule runs across the page; the closer look sees only a piece of it).
    /// </summary>
    private NumberReading Closer(Pass first, ImageDecoder.Placement whole, Pass second, ImageDecoder.Placement placement, PixelBox region,
        int originalWidth, int originalHeight)
    {
        var marks = first.Marks
            .Select(m => new SkippedMark(m.Kind, whole.ToOriginal(m.Box, originalWidth, originalHeight)))
            .Where(m => m.Kind == MarkKind.Line || m.Box.IntersectionArea(region) == 0)
            .Concat(second.Marks.Where(m => m.Kind != MarkKind.Line).Select(m => new SkippedMark(m.Kind, placement.ToOriginal(m.Box, originalWidth, originalHeight))))
            .OrderBy(m => m.Box.X);
        return Reading(second.Digits, marks, placement, originalWidth, originalHeight);
    }

    /// <summary>The digits of a pass, with their confidences and boxes in the original's pixels.</summary>
    private NumberReading Reading(IReadOnlyList<Leaf> leaves, IEnumerable<SkippedMark> marks, ImageDecoder.Placement placement, int originalWidth, int originalHeight)
    {
        var digits = new List<ReadDigit>();
        foreach (var leaf in leaves)
        {
            var confidence = Rejection?.Score(leaf.Probabilities) ?? leaf.Probabilities[leaf.Label];
            var unsure = Rejection is not null && confidence < Rejection.Threshold;
            digits.Add(new ReadDigit(leaf.Label, leaf.Probabilities, confidence, placement.ToOriginal(leaf.Part.Box, originalWidth, originalHeight), unsure, leaf.Input));
        }
        return new NumberReading { Digits = digits, Marks = marks.ToList(), Width = originalWidth, Height = originalHeight };
    }

    /// <param name="polarity">The ink's polarity when it is known already (a closer look at part of an image read
    /// before: the part may be mostly ink, where telling it again from the part alone could turn ink into paper).</param>
    private Pass ReadPass(float[] luminance, int width, int height, CancellationToken cancellation, InkPolarity? polarity = null)
    {
        using var painted = PaperSurround.Fill(luminance, width, height, Options.Preprocessing);
        using var map = InkMap.Find(painted?.Array ?? luminance, width, height, Options, preprocessor, polarity);
        if (map is null) return new Pass([], [], 0, null);
        var (candidates, marks, lineHeight) = LineSegmenter.Segment(map, Options);
        var skipped = marks.Select(m => (m.Kind, m.Part.Box)).ToList();

        // Two classifier passes for the whole line: every part read whole, in one batch; then, in a second batch, the
        // trial cuts of the parts that may be touching digits (wide, and not read surely whole). Only a side of a cut
        // that is wide again needs a pass of its own (rare).
        var wholes = new List<(InkPart Part, float[] Input)>();
        foreach (var candidate in candidates)
        {
            cancellation.ThrowIfCancellationRequested();
            if (Prepare(map, candidate) is { } input) wholes.Add((candidate, input));
        }
        var leaves = new List<Leaf>();
        var trials = new List<(Trial Trial, Leaf Whole)>();
        if (wholes.Count > 0)
        {
            var read = Classify(wholes.Select(w => w.Input), cancellation);
            for (var i = 0; i < wholes.Count; i++)
            {
                var (part, input) = wholes[i];
                var whole = new Leaf(part, input, read.Labels[i], read.Row(i).ToArray());
                var refusedWide = RefusedAndWide(part, lineHeight, whole.Probabilities);
                if ((MayBeTouching(part, lineHeight, Sureness(whole.Probabilities)) || refusedWide)
                    && PrepareTrial(map, part, lineHeight, depth: 0, input, refusedWide ? Options.RefusedSplitAspect : null) is { Cuts.Count: > 0 } trial)
                    trials.Add((trial, whole));
                else
                    leaves.Add(whole);
            }
        }
        if (trials.Count > 0)
        {
            var predictions = Classify(trials.SelectMany(t => t.Trial.Inputs), cancellation);
            var row = 0;
            foreach (var (trial, whole) in trials)
            {
                // A part left whole keeps the probabilities of the first batch: read again in another batch they can
                // differ in the last bits, and a refusal rule must not change the probabilities reported.
                var decided = Decide(map, trial, predictions, row, lineHeight, cancellation);
                leaves.AddRange(decided is [var only] && ReferenceEquals(only.Part, trial.Part) ? [whole] : decided);
                row += trial.Inputs.Count;
            }
        }
        leaves = leaves.OrderBy(l => l.Part.CentreX).Take(Options.MaxDigits).ToList();
        return new Pass(leaves, skipped, lineHeight, map.Polarity);
    }

    /// <summary>A digit found: its part of the ink, the 28×28 the classifier read, and the label and ten probabilities it gave.</summary>
    private sealed record Leaf(InkPart Part, float[] Input, int Label, float[] Probabilities);

    /// <summary>
    /// A part to be read: whole, and, when it is wide enough to be touching digits, at every trial cut (the two
    /// sides' inputs). <see cref="Inputs"/> is what the classifier must read for it: the whole first, then the sides.
    /// </summary>
    private sealed record Trial(InkPart Part, float[] Whole, double Aspect, int Depth,
        IReadOnlyList<(InkPart Left, float[] LeftInput, InkPart Right, float[] RightInput)> Cuts)
    {
        public IReadOnlyList<float[]> Inputs { get; } = [Whole, .. Cuts.SelectMany(c => new[] { c.LeftInput, c.RightInput })];
    }

    /// <summary>
    /// Whether cuts are worth trying: the part is wide enough to be touching digits, and either too wide to be one
    /// digit or not read surely whole (<see cref="ReadingOptions.SkipCutsSureness"/>: a part read that surely is one
    /// digit nearly always, and the cut search is most of the reading's work).
    /// </summary>
    private bool MayBeTouching(InkPart part, double lineHeight, double sureness)
    {
        var aspect = part.Width / Math.Max(part.Height, lineHeight);
        return aspect > Options.SplitAspect && (aspect > Options.ForceSplitAspect || sureness < Options.SkipCutsSureness);
    }

    /// <summary>
    /// Whether a part not wide enough for <see cref="MayBeTouching"/> is refused whole and still wide enough to be two
    /// digits overlapping (<see cref="ReadingOptions.RefusedSplitAspect"/>).
    /// </summary>
    private bool RefusedAndWide(InkPart part, double lineHeight, ReadOnlySpan<float> probabilities) =>
        Rejection is not null && Rejection.Refuses(probabilities)
        && part.Width / Math.Max(part.Height, lineHeight) > Options.RefusedSplitAspect;

    /// <summary>
    /// Sureness as ln(p1 / p2), the top probability over the runner-up's: a strong model gives p1 ≈ 1 to nearly
    /// everything, whole digits, halves of digits and pairs alike; the runner-up's share still tells them apart
    /// (where 1 - p1 rounds to 0 in single precision, p2 does not).
    /// </summary>
    private static double Sureness(ReadOnlySpan<float> probabilities)
    {
        var (top, second) = TopTwo.Of(probabilities);
        return Math.Log(Math.Max(top, 1e-30f)) - Math.Log(Math.Max(second, 1e-30f));
    }

    /// <summary>
    /// The part's inputs whole (<paramref name="whole"/> when it was prepared already) and at each trial cut; null when
    /// nothing of it survives the MNIST step. Cuts are tried on parts wider than <paramref name="splitAspect"/>
    /// (<see cref="ReadingOptions.SplitAspect"/> unless given).
    /// </summary>
    private Trial? PrepareTrial(InkMap map, InkPart part, double lineHeight, int depth, float[]? whole = null, double? splitAspect = null)
    {
        whole ??= Prepare(map, part);
        if (whole is null) return null;
        // Widths are judged against the line's digit height too: a flat 0 is wide for its own height, not for the line's.
        var height = Math.Max(part.Height, lineHeight);
        var aspect = part.Width / height;
        var cuts = new List<(InkPart, float[], InkPart, float[])>();
        if (depth < Options.MaxDigits && aspect > (splitAspect ?? Options.SplitAspect))
            foreach (var boundary in CutBoundaries(map, part, height))
            {
                // A pixel is on the left when it lies left of the cut's column in its row.
                var (left, right) = (new List<int>(), new List<int>());
                foreach (var index in part.Pixels)
                    (index % map.Width < boundary[index / map.Width - part.MinY] ? left : right).Add(index);
                if (left.Count == 0 || right.Count == 0) continue;
                var (leftPart, rightPart) = (new InkPart(left, map.Width), new InkPart(right, map.Width));
                if (Math.Min(leftPart.Height, rightPart.Height) < Options.MinimumPieceHeight * part.Height) continue;
                if (Prepare(map, leftPart) is { } leftInput && Prepare(map, rightPart) is { } rightInput)
                    cuts.Add((leftPart, leftInput, rightPart, rightInput));
            }
        return new Trial(part, whole, aspect, depth, cuts);
    }

    /// <summary>
    /// A part as one digit, or cut: the cut kept is the one whose weaker side the classifier is surest of, and only if
    /// that side is surer than the part read whole by a margin that shrinks as the part widens (or the part is too wide
    /// to be one digit, or the refusal rule refuses it whole and reads both sides: <see cref="ReadingOptions.RefusedSplitAspect"/>). A side wide enough to be touching digits again is tried the same way; the others are digits,
    /// with the probabilities already read for them. <paramref name="predictions"/> holds the trial's
    /// <see cref="Trial.Inputs"/> from row <paramref name="first"/> on.
    /// </summary>
    private List<Leaf> Decide(InkMap map, Trial trial, PredictionSet predictions, int first, double lineHeight, CancellationToken cancellation)
    {
        Leaf Read(InkPart part, float[] input, int i) => new(part, input, predictions.Labels[first + i], predictions.Row(first + i).ToArray());
        if (trial.Cuts.Count == 0) return [Read(trial.Part, trial.Whole, 0)];
        double Sure(int i) => Sureness(predictions.Row(first + i));
        var best = Enumerable.Range(0, trial.Cuts.Count)
            .Select(i => (Index: i, Score: Math.Min(Sure(1 + 2 * i), Sure(2 + 2 * i))))
            .MaxBy(c => c.Score);
        var wide = Math.Clamp((trial.Aspect - Options.SplitAspect) / (Options.ForceSplitAspect - Options.SplitAspect), 0, 1);
        var margin = Options.SplitMarginNarrow + (Options.SplitMarginWide - Options.SplitMarginNarrow) * wide;
        var mustCut = trial.Aspect > Options.ForceSplitAspect;
        // A part the refusal rule refuses whole could only be reported unsure: a cut whose sides it reads both is taken.
        var readOnlyCut = Rejection is not null && Rejection.Refuses(predictions.Row(first)) && best.Score >= Options.RefusedCutSureness
            && !Rejection.Refuses(predictions.Row(first + 1 + 2 * best.Index)) && !Rejection.Refuses(predictions.Row(first + 2 + 2 * best.Index));
        if (!mustCut && !readOnlyCut && best.Score - Sure(0) <= margin) return [Read(trial.Part, trial.Whole, 0)];
        var chosen = trial.Cuts[best.Index];
        return
        [
            .. Side(chosen.Left, chosen.LeftInput, 1 + 2 * best.Index),
            .. Side(chosen.Right, chosen.RightInput, 2 + 2 * best.Index),
        ];

        // A side read in this trial is a digit, unless it is wide enough to be touching digits again.
        List<Leaf> Side(InkPart part, float[] input, int row)
        {
            cancellation.ThrowIfCancellationRequested();
            if (trial.Depth + 1 >= Options.MaxDigits || !MayBeTouching(part, lineHeight, Sure(row))) return [Read(part, input, row)];
            var side = PrepareTrial(map, part, lineHeight, trial.Depth + 1, input)!;
            if (side.Cuts.Count == 0) return [Read(part, input, row)];
            return Decide(map, side, Classify(side.Inputs, cancellation), 0, lineHeight, cancellation);
        }
    }

    /// <summary>
    /// The cuts to try, each as the column it passes in every row of the part (from its top): straight down the
    /// <see cref="CutColumns"/>, and bent around the ink from the deepest of them (<see cref="ReadingOptions.PathCuts"/>).
    /// </summary>
    private IEnumerable<int[]> CutBoundaries(InkMap map, InkPart part, double height)
    {
        var columns = CutColumns(map, part, height).ToList();
        foreach (var column in columns)
        {
            var straight = new int[part.Height];
            Array.Fill(straight, column);
            yield return straight;
        }
        if (Options.PathCuts <= 0) yield break;
        var margin = Math.Max(1, (int)Math.Ceiling(Options.MinimumPieceWidth * height));
        var reach = Math.Max(1, (int)Math.Round(Options.PathCutReach * height));
        var bents = new List<int[]>();
        foreach (var column in columns.Take(Math.Min(Options.PathCuts, Options.CutCandidates)))
        {
            // A path that found no ink to bend around is one of the straight cuts, or a bent one found before.
            var bent = LeastInkPath(part, map.Width, column, reach, margin);
            if (bent is null || (bent.All(x => x == bent[0]) && columns.Contains(bent[0])) || bents.Any(bent.SequenceEqual)) continue;
            bents.Add(bent);
            yield return bent;
        }
    }

    /// <summary>
    /// The path from the part's top row to its bottom row, one column per row, moving at most one column sideways
    /// per row and staying within <paramref name="reach"/> of <paramref name="column"/> (and <paramref name="margin"/>
    /// inside the part), that passes through the fewest of the part's pixels; ties go to the path with fewer sideways
    /// steps. Null when the part is too narrow for a path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int[]? LeastInkPath(InkPart part, int imageWidth, int column, int reach, int margin)
    {
        var low = Math.Max(part.MinX + margin, column - reach);
        var high = Math.Min(part.MaxX + 1 - margin, column + reach);
        if (high < low) return null;
        var (span, rows) = (high - low + 1, part.Height);
        var inked = new bool[rows * span];
        foreach (var index in part.Pixels)
        {
            var x = index % imageWidth;
            if (x >= low && x <= high) inked[(index / imageWidth - part.MinY) * span + x - low] = true;
        }
        // Cost: pixels crossed, plus a small toll per sideways step and for straying, so that among paths crossing as
        // little ink, the straightest nearest the column wins.
        const double step = 0.05, stray = 0.01;
        var cost = new double[rows * span];
        var from = new sbyte[rows * span];
        for (var x = 0; x < span; x++) cost[x] = (inked[x] ? 1 : 0) + stray * Math.Abs(low + x - column);
        for (var y = 1; y < rows; y++)
            for (var x = 0; x < span; x++)
            {
                var (best, move) = (cost[(y - 1) * span + x], (sbyte)0);
                if (x > 0 && cost[(y - 1) * span + x - 1] + step < best) (best, move) = (cost[(y - 1) * span + x - 1] + step, (sbyte)-1);
                if (x < span - 1 && cost[(y - 1) * span + x + 1] + step < best) (best, move) = (cost[(y - 1) * span + x + 1] + step, (sbyte)1);
                cost[y * span + x] = best + (inked[y * span + x] ? 1 : 0) + stray * Math.Abs(low + x - column);
                from[y * span + x] = move;
            }
        var end = 0;
        for (var x = 1; x < span; x++)
            if (cost[(rows - 1) * span + x] < cost[(rows - 1) * span + end]) end = x;
        var path = new int[rows];
        for (var (y, x) = (rows - 1, end); y >= 0; y--)
        {
            path[y] = low + x;
            x += from[y * span + x];
        }
        return path;
    }

    /// <summary>
    /// Where to try cutting a part: the columns where its ink is thinnest (minima of its column profile, lowest
    /// first), leaving each side at least <see cref="ReadingOptions.MinimumPieceWidth"/> of its height.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private IEnumerable<int> CutColumns(InkMap map, InkPart part, double height)
    {
        var profile = new double[part.Width];
        foreach (var index in part.Pixels) profile[index % map.Width - part.MinX]++;
        var smooth = new double[profile.Length];
        for (var c = 0; c < profile.Length; c++)
            smooth[c] = (profile[Math.Max(0, c - 1)] + profile[c] + profile[Math.Min(profile.Length - 1, c + 1)]) / 3;
        var margin = Math.Max(1, (int)Math.Ceiling(Options.MinimumPieceWidth * height));
        var minima = new List<int>();
        for (var c = margin; c <= profile.Length - margin; c++)
        {
            var before = smooth[Math.Max(0, c - 1)];
            var after = smooth[Math.Min(profile.Length - 1, c + 1)];
            if (smooth[c] <= before && smooth[c] <= after) minima.Add(c);
        }
        var centre = profile.Length / 2.0;
        // The thinnest places first; then evenly spaced columns, for digits run into each other with no thin place
        // between them (the classifier tells which cut reads best).
        var spaced = Enumerable.Range(1, Options.SpacedCuts).Select(k => margin + (profile.Length - 2 * margin) * k / (Options.SpacedCuts + 1));
        return minima.OrderBy(c => smooth[c]).ThenBy(c => Math.Abs(c - centre)).Take(Options.CutCandidates)
            .Concat(spaced).Distinct().Select(c => part.MinX + c);
    }

    /// <summary>
    /// The 28×28 of one part: its solid pixels' soft ink, with the fainter rim of its strokes (soft ink next to them
    /// that is not solid), through the single-digit MNIST step. Null when nothing of it survives.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float[]? Prepare(InkMap map, InkPart part)
    {
        var (left, top) = (Math.Max(0, part.MinX - 1), Math.Max(0, part.MinY - 1));
        var (right, bottom) = (Math.Min(map.Width - 1, part.MaxX + 1), Math.Min(map.Height - 1, part.MaxY + 1));
        var (width, height) = (right - left + 1, bottom - top + 1);
        var mine = new bool[width * height];
        var ink = new float[width * height];
        foreach (var index in part.Pixels)
        {
            var local = (index / map.Width - top) * width + index % map.Width - left;
            mine[local] = true;
            ink[local] = map.Ink[index];
        }
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var index = (top + y) * map.Width + left + x;
                if (map.Solid[index] || map.Ink[index] <= 0 || !Touches(mine, width, height, x, y)) continue;
                ink[y * width + x] = map.Ink[index];
            }
        var digit = preprocessor.FromInk(ink, width, height, map.Polarity);
        return digit.IsEmpty ? null : digit.Pixels;
    }

    private static bool Touches(bool[] mask, int width, int height, int x, int y)
    {
        for (var dy = -1; dy <= 1; dy++)
            for (var dx = -1; dx <= 1; dx++)
            {
                var (nx, ny) = (x + dx, y + dy);
                if (nx >= 0 && ny >= 0 && nx < width && ny < height && mask[ny * width + nx]) return true;
            }
        return false;
    }

    private PredictionSet Classify(IEnumerable<float[]> inputs, CancellationToken cancellation)
    {
        var list = inputs.ToList();
        var pixels = new float[list.Count * DigitImage.PixelCount];
        for (var i = 0; i < list.Count; i++) list[i].CopyTo(pixels, i * DigitImage.PixelCount);
        return classifier.Predict(new DigitDataset(pixels, null, "digits of a number"), cancellation: cancellation);
    }
}
