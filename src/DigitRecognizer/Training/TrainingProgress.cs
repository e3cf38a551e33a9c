namespace DigitRecognizer.Training;

/// <summary>What a running training reports; the CLI turns it into progress bars and lines.</summary>
public abstract record TrainingProgress;

/// <summary>Sent when the data is split and the network built, before the first batch.</summary>
public sealed record TrainingStarted(string Model, int Epochs, int TrainImages, int ValidationImages, int BatchesPerEpoch, int Threads)
    : TrainingProgress
{
    /// <summary>Epochs an interrupted run had finished when this one continued it (0 for a fresh start).</summary>
    public int EpochsDone { get; init; }
}

/// <summary>Sent every few batches with running figures for the epoch so far.</summary>
public sealed record BatchCompleted(int Epoch, int Epochs, int Batch, int Batches, double RunningLoss, double RunningAccuracy)
    : TrainingProgress;

/// <summary>Sent after each epoch's validation; <paramref name="IsBest"/> when its weights are now the kept ones.</summary>
public sealed record EpochCompleted(int Epochs, EpochMetrics Metrics, bool IsBest) : TrainingProgress;

/// <summary>Sent before each member of an ensemble starts training (1-based <paramref name="Member"/>, its architecture <paramref name="Model"/>).</summary>
public sealed record EnsembleMemberStarted(int Member, int Members, int Seed, string Model) : TrainingProgress;
