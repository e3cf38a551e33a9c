using DigitRecognizer.Data;
using DigitRecognizer.Inference;

namespace DigitRecognizer.Evaluation;

/// <summary>How a model did on a labelled set.</summary>
public sealed class EvaluationResult
{
    internal EvaluationResult(string model, string data, PredictionSet predictions, IReadOnlyList<int> truth)
    {
        Model = model;
        Data = data;
        Predictions = predictions;
        Truth = truth;
        Loss = predictions.MeanLoss(truth);
        ConfusionMatrix = new ConfusionMatrix(truth, predictions.Labels);
        Report = ClassificationReport.From(ConfusionMatrix);
    }

    /// <summary>Architecture name of the model evaluated.</summary>
    public string Model { get; }

    /// <summary>Where the images came from.</summary>
    public string Data { get; }

    /// <summary>The model's probabilities and answers, in data order.</summary>
    public PredictionSet Predictions { get; }

    /// <summary>The true digit of each image, in data order.</summary>
    public IReadOnlyList<int> Truth { get; }

    /// <summary>Share of images classified correctly, 0–1.</summary>
    public double Accuracy => ConfusionMatrix.Accuracy;

    /// <summary>Mean cross-entropy of the true digits.</summary>
    public double Loss { get; }

    /// <summary>Truth × prediction counts.</summary>
    public ConfusionMatrix ConfusionMatrix { get; }

    /// <summary>Per-class precision, recall and F1.</summary>
    public ClassificationReport Report { get; }

    /// <summary>
    /// The wrong answers, the most confident first (the model was surest of these, so they say most about
    /// what it learned wrong); at most <paramref name="count"/>. Ties keep data order.
    /// </summary>
    public IReadOnlyList<Mistake> Mistakes(int count = int.MaxValue) =>
        Enumerable.Range(0, Predictions.Count)
            .Where(i => Predictions.Labels[i] != Truth[i])
            .Select(i => new Mistake(i, Truth[i], Predictions.Labels[i], Predictions.Confidence(i)))
            .OrderByDescending(m => m.Confidence)
            .Take(count)
            .ToList();
}
