namespace DigitRecognizer;

/// <summary>Small summary statistics shared by the trainer, the benchmark and the charts.</summary>
internal static class Statistics
{
    /// <summary>The middle value (the mean of the two middle ones for an even count).</summary>
    /// <exception cref="ArgumentException">There are no values.</exception>
    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("The median of no values is undefined.", nameof(values));
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
