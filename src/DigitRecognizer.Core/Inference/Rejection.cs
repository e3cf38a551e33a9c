namespace DigitRecognizer.Inference;

/// <summary>How sure a model is of its answer, computed from its ten probabilities alone.</summary>
public enum RejectionMethod
{
    /// <summary>The largest of the ten probabilities (maximum softmax probability): 0.1 … 1.</summary>
    MaxProbability,

    /// <summary>The largest probability minus the second largest: 0 … 1.</summary>
    Margin,
}

/// <summary>
/// A model's rule for refusing to guess: a digit whose score (by <see cref="Method"/>) falls below
/// <see cref="Threshold"/> is reported as unreadable. It belongs to the model it was chosen for — stored in the
/// checkpoint's metadata (and an exported model's metadata) — and is chosen again, on validation images, whenever
/// the weights change (see <see cref="RejectionCalibrator"/>). The ten probabilities themselves are never altered.
/// </summary>
public sealed record Rejection
{
    /// <summary>Which score of the ten probabilities is compared with the threshold.</summary>
    public required RejectionMethod Method { get; init; }

    /// <summary>Scores below this are refused (reported unreadable); at or above it the digit is read.</summary>
    public required double Threshold { get; init; }

    /// <summary>The images the threshold was chosen on ("MNIST training images, validation part (6,000)").</summary>
    public required string ChosenOn { get; init; }

    /// <summary>How many images it was chosen on.</summary>
    public required int Images { get; init; }

    /// <summary>Share of those images, 0–1, that the threshold refuses.</summary>
    public required double RefusedShare { get; init; }

    /// <summary>Share of those images, 0–1, that were read wrongly among the ones not refused.</summary>
    public required double ErrorShareOfAccepted { get; init; }

    /// <summary>The refusal share, 0–1, that was aimed at when choosing (after lowering it for the unseen non-digits, if it was).</summary>
    public required double TargetRefusedShare { get; init; }

    /// <summary>
    /// Share of the validation's unseen non-digits (<see cref="Data.UnseenNonDigits"/>), 0–1, that the threshold
    /// refuses; null for a rule chosen without them (before 2026-12-07, or with none drawn).
    /// </summary>
    public double? UnseenNonDigitsRefusedShare { get; init; }

    /// <summary>The score of one image's ten probabilities by <paramref name="method"/>.</summary>
    public static double Score(RejectionMethod method, ReadOnlySpan<float> probabilities)
    {
        var (best, second) = TopTwo.Of(probabilities);
        return method switch
        {
            RejectionMethod.MaxProbability => best,
            RejectionMethod.Margin => best - Math.Max(second, 0f),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown rejection method."),
        };
    }

    /// <summary>This rule's score of one image's ten probabilities.</summary>
    public double Score(ReadOnlySpan<float> probabilities) => Score(Method, probabilities);

    /// <summary>True when the rule refuses to read an image with these probabilities.</summary>
    public bool Refuses(ReadOnlySpan<float> probabilities) => Score(probabilities) < Threshold;

    /// <summary>One line for people: "max-probability below 0.874 (refuses 0.75% of 6,000 validation images)".</summary>
    public string Describe() =>
        $"{(Method == RejectionMethod.MaxProbability ? "max-probability" : "margin")} below {Threshold:F4} " +
        $"(refuses {RefusedShare:P2} of {Images:N0} images: {ChosenOn}" +
        (UnseenNonDigitsRefusedShare is { } unseen ? $"; and {unseen:P1} of non-digits unlike training's)" : ")");
}
