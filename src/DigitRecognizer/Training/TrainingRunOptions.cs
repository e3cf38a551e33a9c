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

    /// <summary>The architectures in use: <see cref="Models"/>, or the training options' model.</summary>
    public IReadOnlyList<string> Architectures => Models.Count > 0 ? Models : [Training.Model];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range, or an ensemble that cannot be built.</summary>
    public void Validate()
    {
        Training.Validate();
        EnsembleTrainer.CheckSize(Members, Architectures);
    }
}
