namespace DigitRecognizer.Data;

/// <summary>
/// Splits labelled images into training and validation parts that keep each digit's share,
/// so validation accuracy is measured on the same class mix as training. Driven by a seed.
/// </summary>
public static class StratifiedSplit
{
    /// <summary>
    /// Indices of the training and validation parts. Each class contributes
    /// round(count × <paramref name="validationFraction"/>) images to validation, chosen at random
    /// under <paramref name="seed"/>; both lists are in ascending index order.
    /// </summary>
    public static (int[] Train, int[] Validation) Indices(IReadOnlyList<int> labels, double validationFraction, int seed)
    {
        if (validationFraction is < 0 or >= 1 || double.IsNaN(validationFraction))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction,
                "The validation fraction must be at least 0 and less than 1.");

        var random = new Random(seed);
        var train = new List<int>(labels.Count);
        var validation = new List<int>((int)(labels.Count * validationFraction) + DigitImage.ClassCount);
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            random.Shuffle(members);
            var validationCount = (int)Math.Round(members.Length * validationFraction, MidpointRounding.AwayFromZero);
            validation.AddRange(members.AsSpan(0, validationCount));
            train.AddRange(members.AsSpan(validationCount));
        }
        train.Sort();
        validation.Sort();
        return (train.ToArray(), validation.ToArray());
    }

    /// <summary>Splits a labelled dataset; see <see cref="Indices"/>.</summary>
    public static (DigitDataset Train, DigitDataset Validation) Split(DigitDataset data, double validationFraction, int seed)
    {
        if (data.Labels is null)
            throw new ArgumentException($"{data.Source} has no labels, so it cannot be split by class.", nameof(data));
        var (train, validation) = Indices(data.Labels, validationFraction, seed);
        return (data.Select(train, $"{data.Source} (training part)"),
                data.Select(validation, $"{data.Source} (validation part)"));
    }
}
