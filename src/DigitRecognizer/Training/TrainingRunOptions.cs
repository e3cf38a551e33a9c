namespace DigitRecognizer.Training;

/// <summary>One <c>digits train</c> job: what to train and how many networks. Immutable.</summary>
public sealed record TrainingRunOptions
{
    /// <summary>How each network is trained (for an ensemble: member i with seed Seed + i).</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>Networks to train: 1 trains one network, more an ensemble that averages them. Default 1.</summary>
    public int Members { get; init; } = 1;

    /// <summary>Architectures the members take in turn; empty = <see cref="TrainingOptions.Model"/> alone.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>
    /// Where the training data was loaded from (a file or folder; null = the embedded MNIST), recorded in the
    /// resume state so a resumed run loads the same data again.
    /// </summary>
    public string? DataPath { get; init; }

    /// <summary>Start afresh in a folder that holds an unfinished run's resume state, discarding it. Default: refuse.</summary>
    public bool Restart { get; init; }

    /// <summary>
    /// Measure the finished model on the MNIST test images (when the caller has them: the CLI on the embedded
    /// MNIST). Default true; false for runs that compare settings on validation. Recorded in the resume state, so
    /// that a run declared without a test figure does not read one when it is resumed.
    /// </summary>
    public bool MeasureTestSet { get; init; } = true;

    /// <summary>Keep the resume state when the run finishes (it is removed by default, so folders do not fill up).</summary>
    public bool KeepResumeState { get; init; }

    /// <summary>The architectures in use: <see cref="Models"/>, or the training options' model.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> Architectures => Models.Count > 0 ? Models : [Training.Model];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range, or an ensemble that cannot be built.</summary>
    public void Validate()
    {
        Training.Validate();
        EnsembleTrainer.CheckSize(Members, Architectures);
    }
}
