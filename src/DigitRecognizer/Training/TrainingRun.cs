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
public sealed record TrainingRunResult(DigitClassifier Classifier, EvaluationResult? Test, double TestSeconds, IReadOnlyList<string> Written)
    : IDisposable
{
    /// <summary>Frees the model.</summary>
    public void Dispose() => Classifier.Dispose();
}

/// <summary>
/// A whole <c>digits train</c>: trains one network or an ensemble, measures it on a test set when one is
/// given (a figure only: the test set never picks or tunes anything), and writes the <see cref="RunFolder"/>.
/// After every epoch (and every finished ensemble member) it saves a <see cref="ResumeState"/> in the folder,
/// so a run stopped at any moment continues with <see cref="Resume"/> to exactly the model it would have given.
/// </summary>
public static class TrainingRun
{
    /// <summary>Trains on <paramref name="data"/> as <paramref name="options"/> say and writes <paramref name="folder"/>.</summary>
    /// <param name="folder">Where the model and its record go.</param>
    /// <param name="data">Labelled training data (the validation part comes out of it).</param>
    /// <param name="options">What to train.</param>
    /// <param name="testSet">Labelled images to measure the result on once, or null; left unread when <see cref="TrainingRunOptions.MeasureTestSet"/> is false.</param>
    /// <param name="progress">Training progress.</param>
    /// <param name="cancellation">Stops training between batches; the resume state then holds the last finished epoch.</param>
    /// <exception cref="ArgumentException">
    /// An option is out of range, or the folder holds an unfinished run's state and <see cref="TrainingRunOptions.Restart"/> is not set.
    /// </exception>
    public static TrainingRunResult Run(RunFolder folder, DigitDataset data, TrainingRunOptions options, DigitDataset? testSet = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        data.RequireLabels("training");
        if (folder.HasResumeState)
        {
            if (!options.Restart)
                throw new ArgumentException(
                    $"{folder.Path} holds the state of an unfinished run ({RunFolder.ResumeFile}): continue it with `digits train --resume {folder.Path}`, " +
                    "or start afresh with --restart (which discards it).");
            File.Delete(folder.ResumePath);
        }
        options = options with { DataPath = options.DataPath is null ? null : Path.GetFullPath(options.DataPath) };
        return Continue(folder, data, options, DataIdentity.Of(data), resumeFrom: null, testSet, progress, cancellation);
    }

    /// <summary>
    /// Continues the unfinished run whose <paramref name="state"/> was read from <paramref name="folder"/> (with the
    /// options it records), then measures and writes the folder as <see cref="Run"/> does.
    /// </summary>
    /// <param name="folder">The run's folder.</param>
    /// <param name="state">Its resume state (<see cref="ResumeState.Read"/>); the run takes over its members.</param>
    /// <param name="data">The data the run started on (from <see cref="TrainingRunOptions.DataPath"/>).</param>
    /// <param name="testSet">As for <see cref="Run"/>.</param>
    /// <param name="keepResumeState">Keep the state when the run finishes (overrides the recorded choice when true).</param>
    /// <param name="progress">Training progress.</param>
    /// <param name="cancellation">As for <see cref="Run"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="data"/> is not what the run started on.</exception>
    public static TrainingRunResult Resume(RunFolder folder, ResumeState state, DigitDataset data, DigitDataset? testSet = null,
        bool keepResumeState = false, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var identity = DataIdentity.Of(data);
        if (identity.Images != state.Data.Images || identity.Sha256 != state.Data.Sha256)
            throw new ArgumentException(
                $"{data.Source} ({data.Count:N0} images) is not the data the run in {folder.Path} started on ({state.Data.Source}, {state.Data.Images:N0} images).");
        var options = state.Options with { KeepResumeState = state.Options.KeepResumeState || keepResumeState };
        return Continue(folder, data, options, identity, state.Take(), testSet, progress, cancellation);
    }

    private static TrainingRunResult Continue(RunFolder folder, DigitDataset data, TrainingRunOptions options, DataIdentity identity,
        RunSnapshot? resumeFrom, DigitDataset? testSet, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        folder.RemoveUnfinishedResumeWrites();
        void Save(RunSnapshot snapshot) => ResumeState.Write(folder.ResumePath, options, identity, snapshot);
        var classifier = options.Members > 1
            ? EnsembleTrainer.TrainResumable(data, options.Training, options.Members, options.Architectures, resumeFrom, Save, progress, cancellation)
            : Trainer.TrainResumable(data, options.Training with { Model = options.Architectures[0] }, resumeFrom?.Network,
                network => Save(new RunSnapshot { Member = 0, Network = network, Seconds = network.State.SecondsBefore }),
                progress, cancellation);
        try
        {
            var result = Finish(folder, data, classifier, options.MeasureTestSet ? testSet : null, cancellation);
            if (!options.KeepResumeState) File.Delete(folder.ResumePath);
            return result;
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
            test = Evaluator.Evaluate(classifier, testSet, cancellation: cancellation);
            classifier.RecordTestAccuracy(test.Accuracy);
        }
        var testSeconds = clock.Elapsed.TotalSeconds;
        var written = folder.Write(classifier, data.Source);
        return new TrainingRunResult(classifier, test, testSeconds, written);
    }
}
