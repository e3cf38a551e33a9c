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
    AverageScores WeightedAverage)
{
    /// <summary>Summarises <paramref name="result"/> for the checkpoint at <paramref name="checkpoint"/>.</summary>
    public static EvaluationSummary From(EvaluationResult result, string checkpoint) =>
        new(result.Model, checkpoint, result.Data, result.ConfusionMatrix.Total, result.Accuracy, result.Loss,
            result.ConfusionMatrix.ToRows(), result.Report.Classes, result.Report.MacroAverage, result.Report.WeightedAverage);
}
