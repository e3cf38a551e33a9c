using System.Text.Json.Serialization;
using DigitRecognizer.Engine;
using static TorchSharp.torch;

namespace DigitRecognizer.Training;

/// <summary>
/// Everything a single network's training loop changes as it goes, in one object, so a run can be saved
/// after any epoch and continued to exactly the result it would have had. What it does not hold is
/// rebuilt: the network and optimizer (saved beside it), and the shuffling order, which is the same
/// seeded generator replayed for <see cref="Epoch"/> epochs.
/// </summary>
public sealed class TrainingState : IDisposable
{
    /// <summary>Epochs finished.</summary>
    public int Epoch { get; set; }

    /// <summary>Epochs the run now plans in all (fewer than asked when a time budget cut it).</summary>
    public int PlannedEpochs { get; set; }

    /// <summary>The figures of every finished epoch.</summary>
    public List<EpochMetrics> History { get; init; } = [];

    /// <summary>The best epoch so far (see <see cref="Trainer"/>: validation accuracy, then loss).</summary>
    public EpochMetrics? Best { get; set; }

    /// <summary>Epochs finished since <see cref="Best"/>.</summary>
    public int EpochsSinceBest { get; set; }

    /// <summary>True once early stopping has ended the run before <see cref="PlannedEpochs"/>.</summary>
    public bool Stopped { get; set; }

    /// <summary>Why the run ends before its asked-for epochs (early stopping, time budget), or null.</summary>
    public string? StoppedEarly { get; set; }

    /// <summary>Where the learning-rate control stands.</summary>
    public LearningRatePosition Rate { get; set; } = new();

    /// <summary>Updates the weight average has had (0 when the run keeps none); sets the decay of its next update.</summary>
    public long WeightAverageUpdates { get; set; }

    /// <summary>Wall time, in seconds, the run spent before this session continued it (0 for a fresh run).</summary>
    public double SecondsBefore { get; set; }

    /// <summary>The weights of <see cref="Best"/>, owned by this state.</summary>
    [JsonIgnore]
    public Dictionary<string, Tensor>? BestWeights { get; private set; }

    /// <summary>Keeps a copy of <paramref name="model"/>'s weights as the best ones, replacing (and freeing) the previous.</summary>
    public void KeepBestWeights(nn.Module model)
    {
        DisposeBestWeights();
        BestWeights = model.state_dict().ToDictionary(entry => entry.Key, entry => TensorCopies.DetachedCopy(entry.Value));
    }

    /// <summary>Takes ownership of <paramref name="weights"/> as the best ones (a restored run's).</summary>
    public void SetBestWeights(Dictionary<string, Tensor> weights)
    {
        DisposeBestWeights();
        BestWeights = weights;
    }

    /// <inheritdoc />
    public void Dispose() => DisposeBestWeights();

    private void DisposeBestWeights()
    {
        if (BestWeights is null) return;
        foreach (var tensor in BestWeights.Values) tensor.Dispose();
        BestWeights = null;
    }
}
