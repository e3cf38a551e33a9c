namespace DigitRecognizer.Training;

/// <summary>
/// Everything that decides a training run. Stored in the checkpoint, so a model says how it was made.
/// The same options, data, seed and thread count give the same weights.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Architecture name (see <see cref="Models.ModelFactory"/>). Default: the notebook's CNN.</summary>
    public string Model { get; init; } = Models.CnnModel.Name;

    /// <summary>Passes over the training part; null takes the architecture's default (see its DefaultEpochs).</summary>
    public int? Epochs { get; init; }

    /// <summary>
    /// Images per optimizer step, as in Keras' mnist_convnet example. On 2 cores the CNN trains ~30% faster
    /// per image at 128 than at 64 (per-step overhead is amortised) and reaches the same accuracy.
    /// </summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam's learning rate (Keras' and PyTorch's default, as in the notebook).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>How the rate changes over the run. Cosine decay to 0 by default: same model, steadier finish.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;

    /// <summary>For <see cref="LearningRateSchedule.Step"/>: epochs between two decays.</summary>
    public int StepEpochs { get; init; } = 5;

    /// <summary>For <see cref="LearningRateSchedule.Step"/>: multiplier at each decay.</summary>
    public double StepFactor { get; init; } = 0.5;

    /// <summary>
    /// Reduce-on-plateau: after this many epochs without a better validation loss, the rate (whatever the
    /// schedule says) is multiplied by <see cref="PlateauFactor"/>. 0 = off.
    /// </summary>
    public int PlateauPatience { get; init; }

    /// <summary>Multiplier applied by reduce-on-plateau.</summary>
    public double PlateauFactor { get; init; } = 0.5;

    /// <summary>Stop when validation accuracy has not improved for this many epochs (the best weights are kept either way). 0 = off.</summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>
    /// Label smoothing for the cross-entropy (0 = plain one-hot targets). 0.1 spreads 10% of each target
    /// over the other classes, which discourages over-confident logits.
    /// </summary>
    public double LabelSmoothing { get; init; }

    /// <summary>
    /// Weight of the non-digit term (outlier exposure, see <see cref="NonDigitExposure"/>): each batch also shows half
    /// as many synthetic non-digits (letters, shapes, scribbles, two digits in one frame) and the network is taught to
    /// give them no confident digit, so the refusal rule can turn letters and scribbles away. 0 = off (as in the
    /// notebook); 0.5 is the weight of Hendrycks et al. Each step then computes 1.5 times the images.
    /// </summary>
    public double NonDigitWeight { get; init; }

    /// <summary>
    /// Share of the non-digits' digit pairs drawn touching (ink boxes 0–2 px into each other) instead of in frames
    /// −4 to +4 px apart, 0–1: 0 (as the shipped models were trained). Two thirds cut the digits a reader merges with
    /// a touching neighbour by a third or more, but the refusal rule then turned away fewer letters or scribbles
    /// (docs/reading-numbers.md). Only used with <see cref="NonDigitWeight"/> above 0.
    /// </summary>
    public double TouchingPairShare { get; init; }

    /// <summary>
    /// Share of the training images, 0–1, replaced before training by the same digit as the number reader sees it:
    /// pasted alone on a synthetic page (plain, lined, squared, or a sheet on a desk; 24–140 px; PNG or JPEG) and
    /// found and prepared again by the reader (<c>DigitRecognizer.Reading.ReaderViews</c>). Default 0; the shipped
    /// <c>best</c> was trained with 0.75. Drawn once per run from the seed, a few milliseconds per image; validation images are never
    /// replaced.
    /// </summary>
    public double ReaderViewShare { get; init; }

    /// <summary>
    /// Non-digits per digit in each batch, in (0, 4]: 0.5 (half a batch; each step then computes 1.5 times the
    /// images), as the shipped models were trained. Hendrycks et al. show twice as many as in-distribution images.
    /// Only used with <see cref="NonDigitWeight"/> above 0.
    /// </summary>
    public double NonDigitsPerDigit { get; init; } = 0.5;

    /// <summary>
    /// How many non-digits are drawn for the run, which batches then take in a new order each epoch: 12,000 (as the
    /// shipped models were trained), at most 200,000 (3.1 KB each in memory). A larger pool shows each one fewer times
    /// (at the default, each is seen about twice an epoch on MNIST); a pool of N holds the same first 12,000 as the
    /// default one for the same seed. Only used with <see cref="NonDigitWeight"/> above 0.
    /// </summary>
    public int NonDigitPoolSize { get; init; } = DefaultNonDigitPoolSize;

    /// <summary>The <see cref="NonDigitPoolSize"/> the shipped models were trained with.</summary>
    public const int DefaultNonDigitPoolSize = 12_000;

    /// <summary>The largest <see cref="NonDigitPoolSize"/>: 200,000 images of 3.1 KB.</summary>
    public const int MaxNonDigitPoolSize = 200_000;

    /// <summary>
    /// Decay d of an exponential moving average of the weights (see <see cref="WeightAverage"/>), updated after every
    /// step; when on, validation reads the average and the best epoch's average is the model kept. 0 = off (as in
    /// the notebook); 0.999 averages over about the last 1,000 steps (2.4 epochs of MNIST at batch 128).
    /// </summary>
    public double WeightAverageDecay { get; init; }

    /// <summary>Decoupled weight decay (AdamW) per step, relative to the rate; 0 = plain Adam as in the notebook.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Distort training images (see <see cref="Augmentation"/>)? Null = the architecture's default (off for dense and cnn).</summary>
    public bool? Augment { get; init; }

    /// <summary>The distortion ranges used when augmenting.</summary>
    public AugmentationOptions Augmentation { get; init; } = new();

    /// <summary>
    /// Wall-time budget for the whole run, in minutes (0 = none). After the first epoch the run plans how
    /// many epochs fit (fewer than <see cref="Epochs"/> if need be, the schedule re-planned to end there)
    /// and never starts an epoch it cannot finish in time.
    /// </summary>
    public double TimeBudgetMinutes { get; init; }

    /// <summary>Share of the training images held out, per class, for validation and picking the best epoch (0 = none).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Drives weight initialisation, the split, shuffling and augmentation.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Seed of the train/validation split alone; null = <see cref="Seed"/>. Ensemble members share one split, unless
    /// bagged (<see cref="HoldoutFraction"/> above 0): then member i splits with its own seed.
    /// </summary>
    public int? SplitSeed { get; init; }

    /// <summary>
    /// Share of the images, per class, set aside before anything else that no network trains or validates on: the
    /// common holdout of a bagged ensemble, on which the ensemble is measured. Each member then holds out its own
    /// random <see cref="ValidationFraction"/> of the rest (Deotte's 90/10 per network), so members see different
    /// images and differ more. 0 = none (members share one validation split).
    /// </summary>
    public double HoldoutFraction { get; init; }

    /// <summary>Seed of the common holdout alone; null = <see cref="Seed"/>. Every member of a bagged ensemble takes the ensemble's.</summary>
    public int? HoldoutSeed { get; init; }

    /// <summary>libtorch intra-op threads; 0 = one per core. Results repeat exactly only for the same count.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// The type forward and backward passes compute in. BFloat16 trains the notebook's CNN ~40% faster on
    /// CPUs with AVX512_BF16 (README → Speed) at the same accuracy; the optimizer and the saved weights stay
    /// float32 either way. Default Float32, as in the notebook.
    /// </summary>
    public Engine.Precision Precision { get; init; } = Engine.Precision.Float32;

    /// <summary>Use at most this many training images (0 = all), taken before the split; for quick trials and tests.</summary>
    public int Limit { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (Epochs is < 1) throw new ArgumentException($"Epochs must be at least 1 (got {Epochs}).");
        if (BatchSize < 1) throw new ArgumentException($"Batch size must be at least 1 (got {BatchSize}).");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"Learning rate must be a positive number (got {LearningRate}).");
        if (ValidationFraction is < 0 or >= 1 || double.IsNaN(ValidationFraction))
            throw new ArgumentException($"Validation fraction must be at least 0 and less than 1 (got {ValidationFraction}).");
        if (HoldoutFraction is < 0 or >= 1 || double.IsNaN(HoldoutFraction))
            throw new ArgumentException($"Holdout fraction must be at least 0 and less than 1 (got {HoldoutFraction}).");
        if (Threads < 0) throw new ArgumentException($"Threads must be 0 (one per core) or more (got {Threads}).");
        if (Limit < 0) throw new ArgumentException($"Limit must be 0 (all) or more (got {Limit}).");
        if (StepEpochs < 1) throw new ArgumentException($"Step epochs must be at least 1 (got {StepEpochs}).");
        if (!(StepFactor is > 0 and <= 1)) throw new ArgumentException($"Step factor must be in (0, 1] (got {StepFactor}).");
        if (PlateauPatience < 0) throw new ArgumentException($"Plateau patience must be 0 (off) or more (got {PlateauPatience}).");
        if (!(PlateauFactor is > 0 and <= 1)) throw new ArgumentException($"Plateau factor must be in (0, 1] (got {PlateauFactor}).");
        if (EarlyStoppingPatience < 0) throw new ArgumentException($"Early-stopping patience must be 0 (off) or more (got {EarlyStoppingPatience}).");
        if (!(LabelSmoothing is >= 0 and < 1)) throw new ArgumentException($"Label smoothing must be at least 0 and below 1 (got {LabelSmoothing}).");
        if (!(NonDigitWeight >= 0) || double.IsInfinity(NonDigitWeight)) throw new ArgumentException($"Non-digit weight must be 0 (off) or more (got {NonDigitWeight}).");
        if (!(TouchingPairShare is >= 0 and <= 1)) throw new ArgumentException($"Touching-pair share must be in [0, 1] (got {TouchingPairShare}).");
        if (TouchingPairShare > 0 && NonDigitWeight == 0)
            throw new ArgumentException($"A touching-pair share ({TouchingPairShare}) needs non-digits to draw the pairs among: give a non-digit weight above 0.");
        if (!(ReaderViewShare is >= 0 and <= 1)) throw new ArgumentException($"Reader-view share must be in [0, 1] (got {ReaderViewShare}).");
        if (!(NonDigitsPerDigit is > 0 and <= 4)) throw new ArgumentException($"Non-digits per digit must be above 0 and at most 4 (got {NonDigitsPerDigit}).");
        if (NonDigitPoolSize is < 1 or > MaxNonDigitPoolSize)
            throw new ArgumentException($"Non-digit pool size must be 1 to {MaxNonDigitPoolSize:N0} images (got {NonDigitPoolSize:N0}).");
        if (!(WeightAverageDecay is >= 0 and < 1)) throw new ArgumentException($"Weight-average decay must be 0 (off) or in (0, 1) (got {WeightAverageDecay}).");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw new ArgumentException($"Weight decay must be 0 or more (got {WeightDecay}).");
        if (!(TimeBudgetMinutes >= 0) || double.IsInfinity(TimeBudgetMinutes)) throw new ArgumentException($"Time budget must be 0 (none) or more minutes (got {TimeBudgetMinutes}).");
        Augmentation.Validate();
    }
}
