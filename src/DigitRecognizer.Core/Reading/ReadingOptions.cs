using DigitRecognizer.Imaging;

namespace DigitRecognizer.Reading;

/// <summary>
/// How <see cref="NumberReader"/> finds the digits of a number. Lengths are shares of the line's scale: the height
/// of the largest blot of ink, which is a digit (or several touching ones). Every rule was tuned on numbers built
/// from MNIST training digits (see the Reading tests); numbers built from test digits only give reported figures.
/// </summary>
public sealed record ReadingOptions
{
    /// <summary>How each digit found is turned into the model's 28×28 (the same as a single digit's).</summary>
    public PreprocessingOptions Preprocessing { get; init; } = new();

    /// <summary>
    /// A line whose digits are fewer working pixels tall than this is read a second time, closer: the part of the
    /// image around its digits, enlarged (from the file's own pixels where the working copy was reduced from a larger
    /// photo) until they are <see cref="CloserLineHeight"/> tall. Below about 24 px, strokes of a digit break apart and
    /// touching digits blur into each other in the ink map (numbers made of training digits, validation part,
    /// docs/reading-numbers.md); 0 turns the closer look off.
    /// </summary>
    public double SmallLineHeight { get; init; } = 24;

    /// <summary>How tall, in pixels, the digits of a small line are made for the closer look.</summary>
    public double CloserLineHeight { get; init; } = 48;

    /// <summary>Most enlargement of the closer look (beyond 4×, there is no detail left to find).</summary>
    public double MaxCloserScale { get; init; } = 4;

    /// <summary>The closer look is taken only if it enlarges at least this much (its pixels are capped at the working size's square).</summary>
    public double MinCloserScale { get; init; } = 1.25;

    /// <summary>
    /// Most pixels decoded from the file for the closer look, where the codec can decode reduced (JPEG): a 12-megapixel
    /// photo is decoded at half size, not full (64 MB less).
    /// </summary>
    public long CloserMaxDecodedPixels { get; init; } = 4L << 20;

    /// <summary>
    /// Side of the squares, as a share of the image's shorter side, in which the paper's tone is estimated (a low
    /// percentile of each square, interpolated between their centres): large enough that strokes never fill one,
    /// small enough to follow shading across the page.
    /// </summary>
    public double BackgroundBlock { get; init; } = 0.5;

    /// <summary>Share of each square's pixels, 0–1, at or below which its paper tone is taken (ink lies above it).</summary>
    public double BackgroundPercentile { get; init; } = 0.3;

    /// <summary>Share of the full contrast, 0–1, above which a pixel counts as ink when finding the marks.</summary>
    public double InkThreshold { get; init; } = 0.45;

    /// <summary>
    /// Whether long straight lines on the paper (rules of lined paper, the grid of squared paper, an underline) are
    /// taken out of the ink before the digits are looked for (<see cref="PaperLines"/>); they are then listed as
    /// marks of kind <see cref="MarkKind.Line"/>.
    /// </summary>
    public bool RemovePaperLines { get; init; } = true;

    /// <summary>A blot at least this share, 0–1, of the image's width may hold a rule of lined paper (with the digits it touches) or a grid.</summary>
    public double LineMinLength { get; init; } = 0.8;

    /// <summary>A blot at least this many times wider than tall may be a piece of a broken rule (faint print, JPEG).</summary>
    public double LinePieceAspect { get; init; } = 4;

    /// <summary>
    /// A rule or a grid line has ink along at least this share, 0–1, of the image's width (or, upright, its height):
    /// a faint one is broken into pieces.
    /// </summary>
    public double LineMinCoverage { get; init; } = 0.5;

    /// <summary>
    /// ...and has ink in at least this many eighths of the image's width (at least <see cref="LineMinEighthShare"/> of
    /// each): strokes of several digits lying along one line by chance (a 4's bar, the bottoms of a 2 and a 5) cover
    /// it only where the digits are.
    /// </summary>
    public int LineMinEighths { get; init; } = 7;

    /// <summary>
    /// ...or is unbroken (gaps of a few pixels aside) along at least this share, 0–1, of the image's width: a form's
    /// frame, a little narrower than the image, leaves the outer eighths empty; strokes of digits lying along one line
    /// by chance are broken between the digits.
    /// </summary>
    public double RuleMinUnbroken { get; init; } = 0.6;

    /// <summary>Share, 0–1, of an eighth of the image's width a rule must cover for that eighth to count.</summary>
    public double LineMinEighthShare { get; init; } = 0.15;

    /// <summary>
    /// An image whose ink falls into at least this many connected pieces (before specks are dropped) is searched for
    /// rules even without a blot across it: a faint grid breaks into many small crosses.
    /// </summary>
    public int LineSearchParts { get; init; } = 24;

    /// <summary>
    /// A single rule found in a blot is kept only when it is at least this many times the blot's height long: one line
    /// across a blot that is not much wider than tall may be a digit's own bar (a 7 or a 5 cropped tight).
    /// </summary>
    public double LoneRuleLength { get; init; } = 1.5;

    /// <summary>A blot is looked at as a form's boxes only when at least this many times wider than tall (two boxes or more).</summary>
    public double FrameMinAspect { get; init; } = 1.2;

    /// <summary>
    /// Beside rules, a single upright line (not a grid's columns) is taken out only when it has ink along at least this
    /// share, 0–1, of the image's height: a notebook's margin runs the whole page; a straight 1 between two rules, down
    /// 90% of a tight crop, stays a digit.
    /// </summary>
    public double MarginMinCoverage { get; init; } = 0.97;

    /// <summary>
    /// With no rules found, a thin blot down the whole height is a margin only when all other ink is at most this
    /// share, 0–1, of the image's height: a 1 down a tight crop is as tall as the digits beside it.
    /// </summary>
    public double MarginMaxDigitHeight { get; init; } = 0.75;

    /// <summary>
    /// A blot at least this many times wider than tall may be digits on an underline: an underline runs under a number,
    /// and a pair of touching digits (1.2–1.6 times wider than tall) can have a flat bottom (a 5 or a 2 beside a 6).
    /// </summary>
    public double UnderlineAspect { get; init; } = 1.8;

    /// <summary>An underline covers at least this share, 0–1, of its blot's width.</summary>
    public double UnderlineMinLength { get; init; } = 0.85;

    /// <summary>An underline lies in this bottom share, 0–1, of its blot's height.</summary>
    public double UnderlineBottomShare { get; init; } = 0.25;

    /// <summary>A line is at least this many times longer than it is thick (a digit's stroke is seldom, MNIST's never).</summary>
    public double LineMinElongation { get; init; } = 15;

    /// <summary>Steepest line looked for, as rise over run (0.1 is about 6°: a photo of a page held a little askew).</summary>
    public double LineMaxSlope { get; init; } = 0.1;

    /// <summary>How fast, 0–1 per pixel, the followed centre of a line moves towards where its bare runs are (a photographed rule bends a little).</summary>
    public double LineDrift { get; init; } = 0.1;

    /// <summary>Share, 0–1, of a line's length that is bare (no thicker than the line): the rest is where digits cross or touch it.</summary>
    public double LineMinBareShare { get; init; } = 0.5;

    /// <summary>
    /// Largest root-mean-square distance, in pixels, of a line's bare centres from the straight line through them, plus
    /// <see cref="LineMaxWaverShare"/> of its length: print is straight, a hand's long stroke wavers.
    /// </summary>
    public double LineMaxWaver { get; init; } = 0.6;

    /// <summary>
    /// Soft ink, 0–1, from which a pixel counts as a rule's when rules are followed (solid pixels always do): a light
    /// rule is solid only in pieces. 1 or more follows solid pixels only.
    /// </summary>
    public double LineFaintInk { get; init; } = 0.1;

    /// <summary>
    /// Soft ink (0–1) by which a run along a line may be darker than the line's own and still be taken for it: darker,
    /// it is a digit's stroke lying along a lighter printed line (the bar of a 7 on a rule of squared paper).
    /// </summary>
    public double LineInkMargin { get; init; } = 0.15;

    /// <summary>The share of its length by which a longer line may waver more (paper that bends in a photo).</summary>
    public double LineMaxWaverShare { get; init; } = 0.002;

    /// <summary>
    /// Blots holding at least this share, 0–1, of the largest blot's ink set the line's scale (the tallest of them):
    /// small enough that a thin 1 counts beside a broken-off stroke, large enough that a long speck-free dash does not.
    /// </summary>
    public double ScaleInkShare { get; init; } = 0.25;

    /// <summary>Marks whose longer side is below this share of the scale are noise (paper grain, JPEG) and left out silently.</summary>
    public double NoiseSize { get; init; } = 0.06;

    /// <summary>
    /// Two parts are strokes of one digit when their columns overlap by at least this share of the narrower one (a 5's
    /// top bar over its body, a 4 or 7 drawn in two strokes, a stroke broken in two).
    /// </summary>
    public double MergeOverlap { get; init; } = 0.5;

    /// <summary>...and the gap between them, top to bottom, is at most this share of the scale.</summary>
    public double MergeVerticalGap { get; init; } = 0.35;

    /// <summary>...and the merged parts are at most this share of the scale wide (wider, they are two digits one above the other's edge).</summary>
    public double MergeMaxWidth { get; init; } = 1.0;

    /// <summary>
    /// A piece of ink that lies against the image's edge along at least this share of its length there, and is at most
    /// <see cref="EdgeStripThickness"/> of that length thick, is an edge, not writing (<see cref="MarkKind.Edge"/>): a
    /// sliver of desk where a photographed sheet's edge runs off the photo was read as a 1 in 3% of such photos. A digit
    /// cut by a tight crop touches the edge over a stroke's width, not along its length. Above 1, no ink is an edge.
    /// </summary>
    public double EdgeStripContact { get; init; } = 0.8;

    /// <summary>Most thickness of an edge strip (<see cref="EdgeStripContact"/>), as a share of its length along the edge.</summary>
    public double EdgeStripThickness { get; init; } = 0.5;

    /// <summary>Marks at most this share of the scale tall are not digits (specks, dots, dashes).</summary>
    public double DigitMinHeight { get; init; } = 0.4;

    /// <summary>
    /// Marks fewer pixels tall than this (in the working copy, at most 1,024 px on a side) are not digits whatever the
    /// line's scale: on a page holding only dots and dashes, the scale is theirs, and a 3-px dot is no digit.
    /// </summary>
    public int DigitMinPixels { get; init; } = 8;

    /// <summary>
    /// Marks less than this many stroke widths tall (stroke width: twice the area over the outline) are dots, dashes or
    /// blots, never digits, whatever the line's scale: a dash is about 1 stroke tall, a filled dot 2.6–3.3 (larger dots
    /// lower). 3 and 3.5 left the boxes found on numbers made of training digits as they were (seeds 1 and 2: 98.65%
    /// and 98.43% with the shipped CNN); a 0.6 fill-of-box rule for dots cost 1.4 points there and was dropped.
    /// </summary>
    public double DigitMinStrokes { get; init; } = 3.5;

    /// <summary>
    /// A mark short for its own pen (<see cref="DigitMinStrokes"/>) whose height is between this share, 0–1, of the
    /// median height of the line's other digits and its inverse, and which is no wider than tall, is a digit after all:
    /// a heavy 8 or 0 with its loops filled in (on numbers made of training digits, 3 of 4,000 digits of seed 1 and
    /// 1 of seed 2 were skipped as specks before). Alone on the page, or much shorter or taller than the digits beside it, it stays a
    /// dot or a blot; above 1, no blot is a digit.
    /// </summary>
    public double BlotDigitHeight { get; init; } = 0.8;

    /// <summary>A part wider than this share of its own height may be several touching digits: cuts are tried.</summary>
    public double SplitAspect { get; init; } = 0.6;

    /// <summary>
    /// A part wider than this share of its own height is cut even when whole it reads more surely: about 1% of single
    /// MNIST digits are this wide, and most touching pairs (measured on numbers made of training digits).
    /// </summary>
    public double ForceSplitAspect { get; init; } = 1.4;

    /// <summary>
    /// How much surer the weaker side of the best cut must be than the part read whole, for a part just over
    /// <see cref="SplitAspect"/>, in nats of sureness ln(p1 / p2) (the classifier's top probability over its runner-up's; 4.6 nats is
    /// a top digit 100 times likelier than the next). The margin moves linearly to <see cref="SplitMarginWide"/> at
    /// <see cref="ForceSplitAspect"/>. Chosen with <see cref="SplitMarginWide"/> and <see cref="ForceSplitAspect"/>
    /// on numbers made of training digits read by the shipped CNN (seeds 1 and 2 of <see cref="SyntheticNumbers"/>):
    /// 98.7% and 98.5% of digits boxed (seed 1: 96.7% with the earlier rule, a handicap in probability); margins
    /// of 8 and 4 nats with cuts forced from 1.2, the best fit on seed 1's parts alone, gave 97.3% on seed 2.
    /// </summary>
    public double SplitMarginNarrow { get; init; } = 4;

    /// <summary>The margin, in nats, for a part just under <see cref="ForceSplitAspect"/>: negative, a wide part is cut unless whole it reads clearly surer.</summary>
    public double SplitMarginWide { get; init; } = -1;

    /// <summary>
    /// A part not wider than <see cref="ForceSplitAspect"/> whose whole reading is at least this sure, in nats of
    /// ln(p1 / p2), is taken as one digit without trying cuts (up to 32 classifier inputs per part, most of a reading's
    /// work). The default, +∞, tries cuts on every part wider than <see cref="SplitAspect"/>: a model trained without
    /// label smoothing is as sure of two touching digits read whole as of one, so nothing can be skipped safely.
    /// For a label-smoothed model, see <see cref="ForLabelSmoothing"/>.
    /// </summary>
    public double SkipCutsSureness { get; init; } = double.PositiveInfinity;

    /// <summary>
    /// Share of a label-smoothed model's <see cref="SurenessCeiling"/> at which cuts are skipped. Two thirds (3.0 nats
    /// at smoothing 0.1) left every box and digit read the same on numbers made of training digits, read by the
    /// best model of the time (seeds 1 and 2, 250 numbers each), with 12–15 classifier inputs per number instead of
    /// 58–62; 2 nats lost 0.2–0.3 points of boxes. The shipped best, shown non-digits, reads touching pairs whole
    /// at 3.2–3.9 nats: 0.9 (4.06 nats) read 0.2–1.0 points more numbers exactly (validation numbers, seeds 1–4) but
    /// cost a quarter of <c>/api/read</c>'s throughput (docs/reading-numbers.md), so two thirds stays.
    /// </summary>
    public const double SkipCutsShareOfCeiling = 2.0 / 3;

    /// <summary>
    /// The largest sureness ln(p1 / p2) a model trained with label smoothing ε aims at: its targets are 1 − ε + ε/10 for the
    /// label and ε/10 for each other digit, and it learns to give about that (4.5 nats at ε = 0.1). Touching digits
    /// read whole fall well short of it.
    /// </summary>
    public static double SurenessCeiling(double labelSmoothing) =>
        labelSmoothing <= 0 ? double.PositiveInfinity
            : Math.Log((1 - labelSmoothing + labelSmoothing / DigitImage.ClassCount) / (labelSmoothing / DigitImage.ClassCount));

    /// <summary>
    /// These options for a classifier trained with label smoothing <paramref name="labelSmoothing"/> (its checkpoint says
    /// which): cuts are skipped on parts read at least <see cref="SkipCutsShareOfCeiling"/> of its
    /// <see cref="SurenessCeiling"/> sure. Unchanged for 0 (no smoothing).
    /// </summary>
    public ReadingOptions ForLabelSmoothing(double labelSmoothing) => labelSmoothing > 0
        ? this with { SkipCutsSureness = SkipCutsShareOfCeiling * SurenessCeiling(labelSmoothing) }
        : this;

    /// <summary>Neither side of a cut may be narrower than this share of the part's height (a 1 is about 0.15 wide).</summary>
    public double MinimumPieceWidth { get; init; } = 0.12;

    /// <summary>Neither side of a cut may be shorter than this share of the part's height: touching digits are both digit-tall.</summary>
    public double MinimumPieceHeight { get; init; } = 0.55;

    /// <summary>Most cut points tried per part at minima of its column ink profile (the deepest ones).</summary>
    public int CutCandidates { get; init; } = 8;

    /// <summary>Evenly spaced cut points also tried per part, between the narrowest pieces allowed on either side.</summary>
    public int SpacedCuts { get; init; } = 8;

    /// <summary>
    /// Of the deepest minima (<see cref="CutCandidates"/>), how many are also tried as a bent cut: a path from the
    /// part's top to its bottom that crosses the least ink, moving at most one pixel sideways per row, within
    /// <see cref="PathCutReach"/> of the column. Overlapping digits (a 7 whose stroke runs under a 2's foot, a 1 inside
    /// a 0's curve) have no straight cut between them. 0 tries straight cuts only. 4 (with the rule for refused parts,
    /// <see cref="RefusedSplitAspect"/>) read 92.3% and 94.5% of validation numbers exactly (seeds 1 and 2), against
    /// 91.8% and 94.2% without either; 8, or a reach of 0.5, read the same within 0.1 point (docs/reading-numbers.md).
    /// </summary>
    public int PathCuts { get; init; } = 4;

    /// <summary>How far a bent cut may stray from its column, as a share of the part's height.</summary>
    public double PathCutReach { get; init; } = 0.3;

    /// <summary>
    /// A part the refusal rule refuses whole, wider than this share of the line's digit height (or its own), is tried
    /// cut too, and cut where both sides are read, neither refused and each at least <see cref="RefusedCutSureness"/>
    /// sure, whatever the margins say: read whole it could only be reported unsure. Two digits overlapping, or a 1 leaning
    /// into its neighbour, make parts narrower than <see cref="SplitAspect"/> that no digit reads. Without a refusal rule,
    /// nothing changes.
    /// </summary>
    public double RefusedSplitAspect { get; init; } = 0.45;

    /// <summary>
    /// The sureness, in nats of ln(p1 / p2), both sides of a refused part's cut must reach (<see cref="RefusedSplitAspect"/>).
    /// 2 read as many validation numbers exactly as 0 (92.3% and 94.5%, against 92.4% and 94.5%) with 3 fewer digits
    /// misread on seed 1; 4 read 0.1–0.2 points fewer.
    /// </summary>
    public double RefusedCutSureness { get; init; } = 2;

    /// <summary>Most digits read from one image; the rest of a longer line is not read.</summary>
    public int MaxDigits { get; init; } = 12;

    /// <summary>
    /// A long thin mark (elongation, the ratio of its spread along and across its axis, above this), leaning right more
    /// than <see cref="SlashAngle"/> from upright and taller than <see cref="SlashHeight"/> times the other digits, is a
    /// slash. MNIST's 1s often lean 30–40°, so the lean alone cannot tell them apart; their height can.
    /// </summary>
    public double SlashElongation { get; init; } = 6.0;

    /// <summary>Lean from upright, in degrees, beyond which a long thin mark may be a slash.</summary>
    public double SlashAngle { get; init; } = 20;

    /// <summary>How much taller than the median of the other digit-sized marks (at least two) a slash stands.</summary>
    public double SlashHeight { get; init; } = 1.25;
}
