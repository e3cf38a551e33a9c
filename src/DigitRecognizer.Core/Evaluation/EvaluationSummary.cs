namespace DigitRecognizer.Evaluation;

/// <summary>The figures of an evaluation in a form meant for JSON files.</summary>
public sealed record EvaluationSummary(
    string Model,
    string Checkpoint,
    string Data,
    int Images,
    double Accuracy,
    double Loss,
    int[][] ConfusionMatrix,
    IReadOnlyList<ClassScores> Classes,
    AverageScores MacroAverage,
    AverageScores WeightedAverage,
    IReadOnlyList<MemberScore>? Members = null)
{
    /// <summary>
    /// Summarises <paramref name="result"/> for the checkpoint at <paramref name="checkpoint"/>, with each member of a
    /// bagged ensemble on its own held-out part when <paramref name="members"/> is given.
    /// </summary>
    public static EvaluationSummary From(EvaluationResult result, string checkpoint, IReadOnlyList<MemberScore>? members = null) =>
        new(result.Model, checkpoint, result.Data, result.ConfusionMatrix.Total, result.Accuracy, result.Loss,
            result.ConfusionMatrix.ToRows(), result.Report.Classes, result.Report.MacroAverage, result.Report.WeightedAverage, members);
}

/// <summary>One member of a bagged ensemble measured on the images it held out itself (the others trained on most of them).</summary>
/// <param name="Member">1-based, in the checkpoint's order.</param>
/// <param name="Network">Its architecture.</param>
/// <param name="SplitSeed">The seed of the split that held those images out.</param>
/// <param name="Images">How many images it held out.</param>
/// <param name="Accuracy">Its accuracy on them, 0–1.</param>
/// <param name="Wrong">How many of them it got wrong.</param>
public sealed record MemberScore(int Member, string Network, int? SplitSeed, int Images, double Accuracy, int Wrong);
