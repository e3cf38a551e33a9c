namespace DigitRecognizer.Inference;

/// <summary>The two largest of an image's probabilities: what refusal scores and the reader's sureness are made of.</summary>
internal static class TopTwo
{
    /// <summary>The largest value and the runner-up (−∞ for what is missing; NaN is never either).</summary>
    public static (float Best, float Second) Of(ReadOnlySpan<float> probabilities)
    {
        float best = float.NegativeInfinity, second = float.NegativeInfinity;
        foreach (var p in probabilities)
        {
            if (p > best) (best, second) = (p, best);
            else if (p > second) second = p;
        }
        return (best, second);
    }
}
