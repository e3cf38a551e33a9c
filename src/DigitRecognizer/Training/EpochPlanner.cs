namespace DigitRecognizer.Training;

/// <summary>How many epochs a run with a time budget can afford, decided again after every epoch.</summary>
public static class EpochPlanner
{
    // Margin on the expected epoch time, so the planned epochs finish inside the budget, not just at it.
    private const double Safety = 1.05;

    /// <summary>
    /// The total epochs to plan for after <paramref name="epochsDone"/> epochs: those done plus as many more
    /// as fit in <paramref name="timeLeft"/>, never more than <paramref name="maxEpochs"/>.
    /// An epoch is expected to take the median of the epochs so far (plus 5%): one epoch slowed by a
    /// busy machine or by start-up does not cut the run short, while a machine that stays slow does.
    /// The answer can grow again when epochs speed up.
    /// </summary>
    /// <param name="epochsDone">Epochs finished so far (at least 1).</param>
    /// <param name="maxEpochs">The most epochs the run may have (the options' Epochs).</param>
    /// <param name="epochSeconds">Wall time of each finished epoch, in seconds.</param>
    /// <param name="timeLeft">What remains of the budget.</param>
    public static int EpochsThatFit(int epochsDone, int maxEpochs, IReadOnlyList<double> epochSeconds, TimeSpan timeLeft)
    {
        if (epochSeconds.Count == 0) throw new ArgumentException("At least one epoch must have been timed.", nameof(epochSeconds));
        var expected = TimeSpan.FromSeconds(Statistics.Median(epochSeconds) * Safety);
        var more = timeLeft <= TimeSpan.Zero ? 0 : (int)Math.Min(maxEpochs, timeLeft / expected);
        return Math.Clamp(epochsDone + more, epochsDone, Math.Max(epochsDone, maxEpochs));
    }
}
