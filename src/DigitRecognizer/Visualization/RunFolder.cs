using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Inference;
using DigitRecognizer.IO;

namespace DigitRecognizer.Visualization;

/// <summary>
/// The folder a training run writes (<c>digits train --output DIR</c>): the model, its training record and
/// its curves, and while the run is unfinished the state it resumes from. The one place that knows their names.
/// </summary>
/// <remarks>Every file goes through <see cref="AtomicFile"/>; the curves are drawn before the first file is written.</remarks>
public sealed class RunFolder
{
    /// <summary>The checkpoint metadata as JSON (training options, per-epoch history, figures), for people and scripts.</summary>
    public const string TrainingFile = "training.json";

    /// <summary>Loss and accuracy per epoch, drawn from the history.</summary>
    public const string TrainingCurvesFile = "training-curves.png";

    /// <summary>What an unfinished run continues from (see <c>digits train --resume</c>); removed when the run finishes.</summary>
    public const string ResumeFile = "resume.state";

    /// <param name="path">The folder (need not exist yet).</param>
    public RunFolder(string path) => Path = path;

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>The model: DIR/model.ckpt.</summary>
    public string CheckpointPath => System.IO.Path.Combine(Path, Checkpoint.FileName);

    /// <summary>DIR/training.json.</summary>
    public string TrainingPath => System.IO.Path.Combine(Path, TrainingFile);

    /// <summary>DIR/training-curves.png.</summary>
    public string TrainingCurvesPath => System.IO.Path.Combine(Path, TrainingCurvesFile);

    /// <summary>DIR/resume.state.</summary>
    public string ResumePath => System.IO.Path.Combine(Path, ResumeFile);

    /// <summary>True when the folder holds the state of an unfinished run.</summary>
    public bool HasResumeState => File.Exists(ResumePath);

    /// <summary>
    /// Deletes what a write of the resume state killed half-way left behind (<see cref="AtomicFile"/>'s temporary
    /// file beside it); the state itself is then still the previous one.
    /// </summary>
    public void RemoveUnfinishedResumeWrites()
    {
        if (!Directory.Exists(Path)) return;
        foreach (var file in Directory.EnumerateFiles(Path, $".{ResumeFile}.*.tmp")) File.Delete(file);
    }

    /// <summary>Writes the model, its training record and its curves.</summary>
    /// <param name="classifier">The trained model.</param>
    /// <param name="dataSource">The data it was trained on as loaded (before any limit), for the curves' title.</param>
    /// <returns>The paths written, in order.</returns>
    public IReadOnlyList<string> Write(DigitClassifier classifier, string dataSource)
    {
        var metadata = classifier.Metadata;
        var curves = TrainingCurvesChart.Render(metadata.Metrics,
            $"{Checkpoint.Describe(CheckpointPath, metadata.Training.Model)}, trained on {DigitData.Describe(dataSource)}");
        Checkpoint.Save(classifier, CheckpointPath);
        JsonFormat.Write(TrainingPath, metadata);
        AtomicFile.WriteBytes(TrainingCurvesPath, curves);
        return [CheckpointPath, TrainingPath, TrainingCurvesPath];
    }
}
