using DigitRecognizer.Data;
using DigitRecognizer.Inference;

namespace DigitRecognizer.Evaluation;

/// <summary>Measures a classifier on labelled digits.</summary>
public static class Evaluator
{
    /// <summary>Predicts every image of <paramref name="data"/> and compares with its labels.</summary>
    public static EvaluationResult Evaluate(IDigitClassifier classifier, DigitDataset data, IProgress<int>? progress = null,
        CancellationToken cancellation = default)
    {
        var labels = data.RequireLabels("evaluation");
        var predictions = classifier.Predict(data, progress: progress, cancellation: cancellation);
        return new EvaluationResult(classifier.Architecture, data.Source, predictions, labels);
    }
}
