namespace DigitRecognizer.Visualization;

/// <summary>What an evaluation report folder holds and how its pictures are titled.</summary>
public sealed record EvaluationReportOptions
{
    /// <summary>Most-confident mistakes drawn in misclassified.png: 40 fill five rows of eight.</summary>
    public int Mistakes { get; init; } = 40;

    /// <summary>How titles name the model; null: <see cref="Checkpoints.Checkpoint.Describe"/>, "cnn-s1 (cnn)".</summary>
    public string? ModelName { get; init; }

    /// <summary>How titles name the data; null: <see cref="Data.DigitData.Describe"/> of its source, "the MNIST test set".</summary>
    public string? DataName { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (Mistakes < 1) throw new ArgumentException($"The number of mistakes to draw must be at least 1 (got {Mistakes}).");
    }
}
