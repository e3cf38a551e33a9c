using DigitRecognizer.Inference;

namespace DigitRecognizer.Training;

/// <summary>
/// Where a run (one network, or an ensemble member by member) stands after a finished epoch or member:
/// what <see cref="ResumeState"/> saves and a resumed run continues from.
/// </summary>
internal sealed class RunSnapshot
{
    /// <summary>Members finished (0-based index of the member under way); always 0 for a single network.</summary>
    public required int Member { get; init; }

    /// <summary>The finished members, in order (the snapshot does not own them).</summary>
    public IReadOnlyList<DigitClassifier> Finished { get; init; } = [];

    /// <summary>The network under way after its last finished epoch; null between members.</summary>
    public NetworkSnapshot? Network { get; init; }

    /// <summary>Wall time of the whole run so far, in seconds (what a time budget has spent).</summary>
    public required double Seconds { get; init; }
}
