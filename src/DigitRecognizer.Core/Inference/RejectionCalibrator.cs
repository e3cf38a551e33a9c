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

    /// <summary>The scores tried; the one that lets fewest things through that it should refuse wins.</summary>
    public IReadOnlyList<RejectionMethod> Methods { get; init; } = [RejectionMethod.MaxProbability, RejectionMethod.Margin];

    /// <summary>
    /// Non-digits drawn per validation digit (<see cref="SyntheticNonDigits"/>, their pairs made of the validation
    /// digits themselves), so that the methods are also compared on what they let through that is no digit at all:
    /// 0.5, the share training shows them at. At the same share of digits refused, the methods can leave the same
    /// errors among the digits (within an image or two of 6,000) and still differ by a point on non-digits. Accepted
    /// non-digits (3–5% of 3,000 for the shipped <c>best</c>) then outnumber accepted wrong digits (about 20), so in
    /// practice the method that refuses more of them wins. 0 compares the methods on the digits only.
    /// </summary>
    public double NonDigitsPerDigit { get; init; } = 0.5;

    /// <summary>The seed the validation non-digits are drawn with, fixed (training draws its pool with the training seed; the pairs here are made of validation digits, which training never saw).</summary>
    public int NonDigitSeed { get; init; } = 987_654;
}

/// <summary>One method as measured on the validation images, and the rule it would give.</summary>
/// <param name="Rule">The threshold this method needs to refuse the target share.</param>
/// <param name="ErrorsRefusedShare">Share of the wrongly read validation digits, 0–1, that the rule refuses.</param>
/// <param name="NonDigitsRefusedShare">Share of the validation non-digits, 0–1, that the rule refuses (null when none were drawn).</param>
/// <param name="LetThrough">What the rule accepts that it should refuse: wrongly read validation digits plus non-digits.</param>
public sealed record RejectionCandidate(Rejection Rule, double ErrorsRefusedShare, double? NonDigitsRefusedShare, int LetThrough);

/// <summary>The rule chosen and every method it was compared with.</summary>
public sealed record RejectionChoice(Rejection Chosen, IReadOnlyList<RejectionCandidate> Candidates);

/// <summary>
/// Chooses a model's <see cref="Rejection"/> on labelled validation images (held out from training — never the
/// test set): for each method the threshold that refuses the target share of them, then the method that, at that
/// cost, lets fewest things through that it should refuse — wrongly read digits, and synthetic non-digits drawn for
/// the purpose (<see cref="RejectionOptions.NonDigitsPerDigit"/>). Both methods need only the ten probabilities, so
/// the rule fits any <see cref="IDigitClassifier"/>, a checkpoint or an exported model alike.
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
        options ??= new RejectionOptions();
        Validate(options);
        // At most 10 non-digits per digit: beyond that the digits' errors no longer count in the choice.
        if (!(options.NonDigitsPerDigit is >= 0 and <= 10))
            throw new ArgumentOutOfRangeException(nameof(options), options.NonDigitsPerDigit, "Non-digits per digit must be in [0, 10].");
        var predictions = classifier.Predict(validation, progress: progress, cancellation: cancellation);
        var nonDigitCount = (int)Math.Round(validation.Count * options.NonDigitsPerDigit);
        var nonDigits = nonDigitCount == 0 ? null
            : classifier.Predict(SyntheticNonDigits.Generate(nonDigitCount, options.NonDigitSeed, pairsFrom: validation), cancellation: cancellation);
        return Choose(predictions, validation.Labels, description, options, nonDigits);
    }

    /// <summary>Chooses the rule from predictions already made for labelled validation images (and, if given, for non-digits).</summary>
    public static RejectionChoice Choose(PredictionSet predictions, IReadOnlyList<int> labels, string description, RejectionOptions? options = null,
        PredictionSet? nonDigits = null)
    {
        options ??= new RejectionOptions();
        Validate(options);
        if (labels.Count != predictions.Count)
            throw new ArgumentException($"{labels.Count} labels for {predictions.Count} predictions.", nameof(labels));
        var candidates = options.Methods.Select(method => Measure(method, predictions, labels, nonDigits, description, options.TargetRefusedShare)).ToList();
        // Fewest let through; on a tie the fewer errors among the digits accepted (the two can accept different
        // numbers of digits: ties at a threshold refuse fewer), then the earlier (simpler) method.
        var chosen = candidates.OrderBy(c => c.LetThrough).ThenBy(c => c.Rule.ErrorShareOfAccepted)
            .ThenBy(c => options.Methods.ToList().IndexOf(c.Rule.Method)).First();
        return new RejectionChoice(chosen.Rule, candidates);
    }

    private static void Validate(RejectionOptions options)
    {
        if (options.TargetRefusedShare is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.TargetRefusedShare, "The share to refuse must be in [0, 1).");
        if (options.Methods.Count == 0) throw new ArgumentException("No rejection method to try.", nameof(options));
    }

    private static RejectionCandidate Measure(RejectionMethod method, PredictionSet predictions, IReadOnlyList<int> labels,
        PredictionSet? nonDigits, string description, double target)
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
        var nonDigitCount = nonDigits?.Count ?? 0;
        var nonDigitsRefused = 0;
        for (var i = 0; i < nonDigitCount; i++)
            if (rule.Refuses(nonDigits!.Row(i))) nonDigitsRefused++;
        return new RejectionCandidate(rule, wrong == 0 ? 0 : (double)wrongRefused / wrong,
            nonDigitCount > 0 ? (double)nonDigitsRefused / nonDigitCount : null, acceptedWrong + nonDigitCount - nonDigitsRefused);
    }
}
