using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;

namespace DigitRecognizer.Training;

/// <summary>
/// The images a run trains on and the ones it holds out for validation: the one place the split is made,
/// so a checkpoint's held-out images can be found again from the options it records.
/// </summary>
/// <param name="Used">The images the run uses: the first <see cref="TrainingOptions.Limit"/> of the data (all of it when 0).</param>
/// <param name="Train">The part it trains on.</param>
/// <param name="Validation">The part held out (stratified per class), or null when nothing is.</param>
/// <param name="Holdout">The common holdout set aside first (<see cref="TrainingOptions.HoldoutFraction"/>), or null.</param>
public sealed record TrainingSplit(DigitDataset Used, DigitDataset Train, DigitDataset? Validation, DigitDataset? Holdout = null)
{
    /// <summary>
    /// Applies the options' row limit (once), sets the common holdout aside (under the holdout seed), and splits the
    /// rest into the parts trained and validated on (under the split seed), each stratified per class.
    /// </summary>
    public static TrainingSplit Make(DigitDataset data, TrainingOptions options)
    {
        var used = options.Limit > 0 ? data.Take(options.Limit) : data;
        var (pool, holdout) = (used, (DigitDataset?)null);
        if (options.HoldoutFraction > 0)
        {
            var (rest, set) = StratifiedSplit.Indices(used.RequireLabels("a holdout (set aside per class)"), options.HoldoutFraction,
                options.HoldoutSeed ?? options.Seed);
            pool = used.Select(rest, $"{used.Source} (outside the common holdout)");
            holdout = set.Length == 0 ? null : used.Select(set, $"{used.Source} (common holdout)");
        }
        if (options.ValidationFraction <= 0) return new(used, pool, null, holdout);
        var (train, validation) = StratifiedSplit.Split(pool, options.ValidationFraction, options.SplitSeed ?? options.Seed);
        return new(used, train, validation.Count == 0 ? null : validation, holdout);
    }

    /// <summary>
    /// The images a run (and every member of an ensemble) holds out for validation when given
    /// <paramref name="data"/> and <paramref name="options"/>: the same split. Null when nothing is held out.
    /// </summary>
    public static DigitDataset? ValidationPart(DigitDataset data, TrainingOptions options) => Make(data, options).Validation;

    /// <summary>
    /// The images a trained model held out, found again in <paramref name="data"/> from the split its
    /// checkpoint records, so it can be measured on images it never trained on (and not on the test set).
    /// </summary>
    /// <param name="data">The data the model was trained on.</param>
    /// <param name="trained">The model's checkpoint metadata.</param>
    /// <exception cref="ArgumentException">
    /// The model held nothing out, or <paramref name="data"/> is not the size of what it was trained on (another
    /// file would give a "validation part" full of images the model has seen).
    /// </exception>
    /// <remarks>For a bagged ensemble, whose members each held out other images, this is the common holdout.</remarks>
    public static DigitDataset ValidationPart(DigitDataset data, CheckpointMetadata trained)
    {
        var (options, metrics) = (trained.Training, trained.Metrics);
        if (IsBaggedEnsemble(trained)) return HoldoutPart(data, trained);
        if (metrics.ValidationImages == 0)
            throw new ArgumentException($"This model held out no validation images (trained with validation fraction {options.ValidationFraction}).");
        return Found(data, trained, () => Make(data, options).Validation, metrics.ValidationImages);
    }

    /// <summary>Whether <paramref name="trained"/> is an ensemble whose members each held out their own validation images.</summary>
    public static bool IsBaggedEnsemble(CheckpointMetadata trained) => trained.Metrics.Members is { Count: > 0 } && trained.Training.HoldoutFraction > 0;

    /// <summary>
    /// For a bagged ensemble: each member's own held-out part of <paramref name="data"/> (the images it picked its
    /// best epoch on), found again from the split seed its figures record, in member order.
    /// </summary>
    /// <exception cref="ArgumentException">The model is not a bagged ensemble, or the data is not what it was trained on.</exception>
    public static IReadOnlyList<DigitDataset> MemberValidationParts(DigitDataset data, CheckpointMetadata trained)
    {
        if (!IsBaggedEnsemble(trained)) throw new ArgumentException("Only a bagged ensemble (trained with a holdout) has members with their own held-out parts.");
        return trained.Metrics.Members!.Select((member, i) =>
        {
            var seed = member.SplitSeed ?? throw new ArgumentException($"Member {i + 1} records no split seed.");
            return Found(data, trained, () => Make(data, trained.Training with { SplitSeed = seed }).Validation, member.ValidationImages);
        }).ToList();
    }

    private static DigitDataset HoldoutPart(DigitDataset data, CheckpointMetadata trained) =>
        Found(data, trained, () => Make(data, trained.Training).Holdout, trained.Metrics.HoldoutImages);

    // The part split off again by `split`, if the data is what the model was trained on: as many images as it used
    // (checked before splitting), and the part as large as its figures record. Another file would give a "validation
    // part" full of images the model has seen.
    private static DigitDataset Found(DigitDataset data, CheckpointMetadata trained, Func<DigitDataset?> split, int count)
    {
        var (options, metrics) = (trained.Training, trained.Metrics);
        var used = options.Limit > 0 ? Math.Min(options.Limit, data.Count) : data.Count;
        var expected = metrics.TrainImages + metrics.ValidationImages + metrics.HoldoutImages;
        if (used == expected && split() is { } part && part.Count == count) return part;
        throw new ArgumentException(used == expected
            ? $"{data.Source} gives {used:N0} images, as many as this model was trained on from {metrics.DataSource}, but not the same ones (their labels differ): give the data it was trained on."
            : $"{data.Source} gives {used:N0} images, but this model was trained on {expected:N0} from {metrics.DataSource}: give the data it was trained on.");
    }
}
