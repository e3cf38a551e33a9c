using DigitRecognizer.Data;

namespace DigitRecognizer.Inference;

/// <summary>How <see cref="RejectionCalibrator"/> chooses a model's refusal rule.</summary>
public sealed record RejectionOptions
{
    /// <summary>
    /// Share of the validation digits, 0–1, the threshold is set to refuse: 0.75%. The promise is at most 1% of
    /// MNIST's test digits refused; validation and test differ by chance (±0.1 point at 10,000 images), so the aim
    /// sits a quarter point below it.
    /// </summary>
    public double TargetRefusedShare { get; init; } = 0.0075;

    /// <summary>The scores tried; the one that leaves fewest errors among the validation digits it accepts wins.</summary>
    public IReadOnlyList<RejectionMethod> Methods { get; init; } = [RejectionMethod.MaxProbability, RejectionMethod.Margin];
}

/// <summary>One method as measured on the validation images, and the rule it would give.</summary>
/// <param name="Rule">The threshold this method needs to refuse the target share.</param>
/// <param name="ErrorsRefusedShare">Share of the wrongly read validation digits, 0–1, that the rule refuses.</param>
public sealed record RejectionCandidate(Rejection Rule, double ErrorsRefusedShare);

/// <summary>The rule chosen and every method it was compared with.</summary>
public sealed record RejectionChoice(Rejection Chosen, IReadOnlyList<RejectionCandidate> Candidates);

/// <summary>
/// Chooses a model's <see cref="Rejection"/> on labelled validation images (held out from training — never the
/// test set): for each method the threshold that refuses the target share of them, then the method whose accepted
/// digits hold the fewest errors at that cost. Both methods need only the ten probabilities, so the rule fits any
/// <see cref="IDigitClassifier"/>, a checkpoint or an exported model alike.
/// </summary>
public static class RejectionCalibrator
{
    /// <summary>Predicts <paramref name="validation"/> and chooses the rule.</summary>
    /// <param name="description">What the images are, recorded in the rule ("MNIST training images, validation part").</param>
    /// <exception cref="ArgumentException">The images carry no labels, or there are none.</exception>
    public static RejectionChoice Choose(IDigitClassifier classifier, DigitDataset validation, string description,
        RejectionOptions? options = null, IProgress<int>? progress = null, CancellationToken cancellation = default)
    {
        if (validation.Labels is null || validation.Count == 0)
            throw new ArgumentException("Choosing a refusal threshold needs labelled validation images.", nameof(validation));
        var predictions = classifier.Predict(validation, progress: progress, cancellation: cancellation);
        return Choose(predictions, validation.Labels, description, options);
    }

    /// <summary>Chooses the rule from predictions already made for labelled validation images.</summary>
    public static RejectionChoice Choose(PredictionSet predictions, IReadOnlyList<int> labels, string description, RejectionOptions? options = null)
    {
        options ??= new RejectionOptions();
        if (options.TargetRefusedShare is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.TargetRefusedShare, "The share to refuse must be in [0, 1).");
        if (options.Methods.Count == 0) throw new ArgumentException("No rejection method to try.", nameof(options));
        if (labels.Count != predictions.Count)
            throw new ArgumentException($"{labels.Count} labels for {predictions.Count} predictions.", nameof(labels));
        var candidates = options.Methods.Select(method => Measure(method, predictions, labels, description, options.TargetRefusedShare)).ToList();
        // Fewest errors left among accepted digits; on a tie the earlier (simpler) method.
        var chosen = candidates.OrderBy(c => c.Rule.ErrorShareOfAccepted).ThenBy(c => options.Methods.ToList().IndexOf(c.Rule.Method)).First();
        return new RejectionChoice(chosen.Rule, candidates);
    }

    private static RejectionCandidate Measure(RejectionMethod method, PredictionSet predictions, IReadOnlyList<int> labels,
        string description, double target)
    {
        var count = predictions.Count;
        var scores = new double[count];
        for (var i = 0; i < count; i++) scores[i] = Rejection.Score(method, predictions.Row(i));
        var sorted = (double[])scores.Clone();
        Array.Sort(sorted);
        // The threshold refuses the lowest floor(target · count) scores: it is the next score up (ties refuse fewer).
        var refuse = (int)Math.Floor(target * count);
        var threshold = refuse == 0 ? sorted[0] : refuse >= count ? sorted[^1] : sorted[refuse];

        int refused = 0, acceptedWrong = 0, wrong = 0, wrongRefused = 0;
        for (var i = 0; i < count; i++)
        {
            var isWrong = predictions.Labels[i] != labels[i];
            var isRefused = scores[i] < threshold;
            if (isWrong) wrong++;
            if (isRefused) refused++;
            if (isWrong && isRefused) wrongRefused++;
            if (isWrong && !isRefused) acceptedWrong++;
        }
        var accepted = count - refused;
        var rule = new Rejection
        {
            Method = method,
            Threshold = threshold,
            ChosenOn = description,
            Images = count,
            RefusedShare = (double)refused / count,
            ErrorShareOfAccepted = accepted == 0 ? 0 : (double)acceptedWrong / accepted,
            TargetRefusedShare = target,
        };
        return new RejectionCandidate(rule, wrong == 0 ? 0 : (double)wrongRefused / wrong);
    }
}
