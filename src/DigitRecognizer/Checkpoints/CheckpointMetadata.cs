using System.Text.Json.Nodes;
using DigitRecognizer.Inference;
using DigitRecognizer.Models;
using DigitRecognizer.Training;

namespace DigitRecognizer.Checkpoints;

/// <summary>
/// Everything a checkpoint says about its weights: enough to rebuild the network, repeat its
/// preprocessing, and tell a person how it was trained and how well it did.
/// </summary>
/// <remarks>
/// Members a newer or older file has and this record lacks are skipped, on purpose: format-1 files also
/// carry <c>formatVersion</c> (now only in the file's header, see <see cref="CheckpointLayout"/>) and
/// <c>normalization.pixelScale</c>, and must still load.
/// </remarks>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip)]
public sealed record CheckpointMetadata
{
    /// <summary>Architecture name, as accepted by <see cref="ModelFactory.Get"/>.</summary>
    public required string Architecture { get; init; }

    /// <summary>The architecture's arguments, every default filled in.</summary>
    public required JsonObject ArchitectureArguments { get; init; }

    /// <summary>How pixels were turned into network input.</summary>
    public required InputNormalization Normalization { get; init; }

    /// <summary>The options of the run that produced the weights, with the epoch count resolved.</summary>
    public required TrainingOptions Training { get; init; }

    /// <summary>
    /// A reader of numbers fitted to these weights: their refusal rule (<see cref="Rejection"/>) and the cut search
    /// fitted to their label smoothing. <paramref name="classifier"/> runs them: the model itself, or a copy of it
    /// that may be called from several threads at once.
    /// </summary>
    public Reading.NumberReader NumberReader(IDigitClassifier classifier) =>
        new(classifier, Rejection, new Reading.ReadingOptions().ForLabelSmoothing(Training.LabelSmoothing));

    /// <summary>What the run measured.</summary>
    public required TrainingSummary Metrics { get; init; }

    /// <summary>
    /// When the model refuses to guess a digit (a threshold on a score of its ten probabilities, chosen on validation
    /// images with <c>digits calibrate</c>), or null when no rule was chosen for these weights.
    /// </summary>
    public Rejection? Rejection { get; init; }

    /// <summary>When the checkpoint was written.</summary>
    public DateTimeOffset CreatedUtc { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The program and version that wrote it.</summary>
    public string CreatedBy { get; init; } = $"DigitRecognizer {typeof(Checkpoint).Assembly.GetName().Version}";
}

/// <summary>The figures of a finished training run.</summary>
public sealed record TrainingSummary
{
    /// <summary>Where the training images came from.</summary>
    public required string DataSource { get; init; }

    /// <summary>Images trained on (after the validation part was held out).</summary>
    public required int TrainImages { get; init; }

    /// <summary>Images held out for validation.</summary>
    public required int ValidationImages { get; init; }

    /// <summary>
    /// Images of the common holdout (see <see cref="Training.TrainingOptions.HoldoutFraction"/>), neither trained nor
    /// validated on; 0 when there is none. A bagged ensemble's validation figures are measured on them.
    /// </summary>
    public int HoldoutImages { get; init; }

    /// <summary>The seed of this network's train/validation split (which images it held out), when it trained one.</summary>
    public int? SplitSeed { get; init; }

    /// <summary>The epoch whose weights were kept (best validation accuracy; the last one without validation).</summary>
    public required int BestEpoch { get; init; }

    /// <summary>Validation accuracy of the kept weights, 0–1, or null without validation.</summary>
    public double? ValidationAccuracy { get; init; }

    /// <summary>Validation loss of the kept weights, or null without validation.</summary>
    public double? ValidationLoss { get; init; }

    /// <summary>Why training ended before its planned epochs (early stopping, time budget), or null when it ran them all.</summary>
    public string? StoppedEarly { get; init; }

    /// <summary>For an ensemble: each member's own figures, in member order; null for a single network.</summary>
    public IReadOnlyList<TrainingSummary>? Members { get; init; }

    /// <summary>Whether training images were distorted (see the options' augmentation ranges).</summary>
    public bool Augmented { get; init; }

    /// <summary>Accuracy on a separate test set, when one was evaluated after training (never used to choose anything).</summary>
    public double? TestAccuracy { get; init; }

    /// <summary>Wall time of the whole training, in seconds.</summary>
    public required double TrainingSeconds { get; init; }

    /// <summary>libtorch threads used.</summary>
    public required int Threads { get; init; }

    /// <summary>Per-epoch figures, in order.</summary>
    public required IReadOnlyList<EpochMetrics> History { get; init; }
}
