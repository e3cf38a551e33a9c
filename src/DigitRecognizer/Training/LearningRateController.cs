using static TorchSharp.torch;

namespace DigitRecognizer.Training;

/// <summary>
/// Where a run's learning-rate control stands: the optimizer steps taken and reduce-on-plateau's state.
/// Saved with a resumable run, so a resumed run sets exactly the rates the uninterrupted one would.
/// </summary>
public sealed record LearningRatePosition
{
    /// <summary>Optimizer steps taken so far (the schedule's position).</summary>
    public long Step { get; init; }

    /// <summary>What reduce-on-plateau multiplies the schedule's rate by (1 until it first reduces it).</summary>
    public double PlateauFactor { get; init; } = 1;

    /// <summary>The lowest validation loss so far; null before the first.</summary>
    public double? BestLoss { get; init; }

    /// <summary>Epochs since the validation loss last improved.</summary>
    public int EpochsWithoutBetterLoss { get; init; }
}

/// <summary>
/// Sets the optimizer's rate before each step: the schedule's value (see <see cref="LearningRatePlan"/>)
/// times the reduce-on-plateau factor.
/// </summary>
internal sealed class LearningRateController
{
    private readonly optim.Optimizer optimizer;
    private readonly TrainingOptions options;
    private readonly int stepsPerEpoch;
    private LearningRatePlan plan;

    /// <param name="optimizer">The optimizer whose parameter groups get the rate.</param>
    /// <param name="options">Schedule and plateau settings.</param>
    /// <param name="stepsPerEpoch">Optimizer steps per epoch.</param>
    /// <param name="epochs">Epochs the run is planned for.</param>
    /// <param name="position">Where an earlier run stopped (default: the start).</param>
    public LearningRateController(optim.Optimizer optimizer, TrainingOptions options, int stepsPerEpoch, int epochs,
        LearningRatePosition? position = null)
    {
        this.optimizer = optimizer;
        this.options = options;
        this.stepsPerEpoch = stepsPerEpoch;
        plan = Plan(epochs);
        Position = position ?? new LearningRatePosition();
    }

    /// <summary>Where the control stands now.</summary>
    public LearningRatePosition Position { get; private set; }

    /// <summary>Sets the rate of the next step.</summary>
    public void BeforeStep()
    {
        var rate = plan.At(Position.Step) * Position.PlateauFactor;
        Position = Position with { Step = Position.Step + 1 };
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
    }

    /// <summary>The run will have <paramref name="newEpochs"/> epochs in all: stretch or squeeze the rest of the schedule to end there.</summary>
    public void Replan(int newEpochs) => plan = Plan(newEpochs);

    /// <summary>Reduce-on-plateau: counts epochs without a better validation loss and cuts the rate after enough.</summary>
    public void AfterEpoch(double? validationLoss)
    {
        if (options.PlateauPatience == 0 || validationLoss is not { } loss) return;
        if (loss < (Position.BestLoss ?? double.PositiveInfinity))
            Position = Position with { BestLoss = loss, EpochsWithoutBetterLoss = 0 };
        else if (Position.EpochsWithoutBetterLoss + 1 >= options.PlateauPatience)
            Position = Position with { PlateauFactor = Position.PlateauFactor * options.PlateauFactor, EpochsWithoutBetterLoss = 0 };
        else
            Position = Position with { EpochsWithoutBetterLoss = Position.EpochsWithoutBetterLoss + 1 };
    }

    private LearningRatePlan Plan(int epochs) =>
        new(options.Schedule, options.LearningRate, (long)stepsPerEpoch * epochs, stepsPerEpoch, options.StepEpochs, options.StepFactor);
}
