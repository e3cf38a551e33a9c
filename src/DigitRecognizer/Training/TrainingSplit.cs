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
public sealed record TrainingSplit(DigitDataset Used, DigitDataset Train, DigitDataset? Validation)
{
    /// <summary>Applies the options' row limit (once) and then their stratified split to <paramref name="data"/>.</summary>
    public static TrainingSplit Make(DigitDataset data, TrainingOptions options)
    {
        var used = options.Limit > 0 ? data.Take(options.Limit) : data;
        if (options.ValidationFraction <= 0) return new(used, used, null);
        var (train, validation) = StratifiedSplit.Split(used, options.ValidationFraction, options.SplitSeed ?? options.Seed);
        return new(used, train, validation.Count == 0 ? null : validation);
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
    public static DigitDataset ValidationPart(DigitDataset data, CheckpointMetadata trained)
    {
        var (options, metrics) = (trained.Training, trained.Metrics);
        if (metrics.ValidationImages == 0)
            throw new ArgumentException($"This model held out no validation images (trained with validation fraction {options.ValidationFraction}).");
        var used = options.Limit > 0 ? Math.Min(options.Limit, data.Count) : data.Count;
        var expected = metrics.TrainImages + metrics.ValidationImages;
        var part = used == expected ? ValidationPart(data, options) : null;
        if (part?.Count != metrics.ValidationImages)
            throw new ArgumentException(
                $"{data.Source} gives {used:N0} images, but this model was trained on {expected:N0} from {metrics.DataSource}: give the data it was trained on.");
        return part;
    }
}
