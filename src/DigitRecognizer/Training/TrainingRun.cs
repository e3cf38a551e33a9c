using System.Diagnostics;
using DigitRecognizer.Data;
using DigitRecognizer.Evaluation;
using DigitRecognizer.Inference;
using DigitRecognizer.Visualization;

namespace DigitRecognizer.Training;

/// <summary>What a finished run gives: the model, its test-set figures if it was measured, and the files written.</summary>
/// <param name="Classifier">The trained model (the caller disposes it).</param>
/// <param name="Test">The figures on the test set, or null when none was given.</param>
/// <param name="TestSeconds">How long measuring on the test set took.</param>
/// <param name="Written">The run folder's files, in the order written.</param>
public sealed record TrainingRunResult(DigitClassifier Classifier, EvaluationResult? Test, double TestSeconds, IReadOnlyList<string> Written);

/// <summary>
/// A whole <c>digits train</c>: trains one network or an ensemble, measures it on a test set when one is
/// given (a figure only: the test set never picks or tunes anything), and writes the <see cref="RunFolder"/>.
/// </summary>
public static class TrainingRun
{
    /// <summary>Trains on <paramref name="data"/> as <paramref name="options"/> say and writes <paramref name="folder"/>.</summary>
    /// <param name="folder">Where the model and its record go.</param>
    /// <param name="data">Labelled training data (the validation part comes out of it).</param>
    /// <param name="options">What to train.</param>
    /// <param name="testSet">Labelled images to measure the result on once, or null.</param>
    /// <param name="progress">Training progress.</param>
    /// <param name="cancellation">Stops training between batches.</param>
    public static TrainingRunResult Run(RunFolder folder, DigitDataset data, TrainingRunOptions options, DigitDataset? testSet = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        data.RequireLabels("training");
        var classifier = options.Members > 1
            ? EnsembleTrainer.Train(data, options.Training, options.Members, options.Architectures, progress, cancellation)
            : Trainer.Train(data, options.Training with { Model = options.Architectures[0] }, progress, cancellation);
        try
        {
            return Finish(folder, data, classifier, testSet, cancellation);
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
    }

    private static TrainingRunResult Finish(RunFolder folder, DigitDataset data, DigitClassifier classifier, DigitDataset? testSet,
        CancellationToken cancellation)
    {
        EvaluationResult? test = null;
        var clock = Stopwatch.StartNew();
        if (testSet is not null)
        {
            testSet.RequireLabels("evaluation");
            test = Evaluator.Evaluate(classifier, testSet, cancellation: cancellation);
            classifier.RecordTestAccuracy(test.Accuracy);
        }
        var testSeconds = clock.Elapsed.TotalSeconds;
        var written = folder.Write(classifier, data.Source);
        return new TrainingRunResult(classifier, test, testSeconds, written);
    }
}
