using System.Diagnostics;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Engine;
using DigitRecognizer.Inference;
using DigitRecognizer.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitRecognizer.Training;

/// <summary>
/// Trains a network on labelled digits: stratified validation split, shuffled (optionally distorted)
/// mini-batches, Adam or AdamW on cross-entropy under a learning-rate schedule, validation after every
/// epoch, and the best epoch's weights kept. Early stopping and a time budget can end it sooner.
/// </summary>
public static class Trainer
{
    // Validation batches need no gradients, so they can be as large as prediction's.
    private const int ValidationBatchSize = DigitClassifier.DefaultBatchSize;

    // How many progress reports an epoch sends at most; enough for a smooth bar, cheap to render.
    private const int ReportsPerEpoch = 100;

    /// <summary>
    /// Trains on <paramref name="data"/> (labelled) as <paramref name="options"/> say and returns a
    /// classifier holding the best weights, with metadata ready to be saved as a checkpoint.
    /// </summary>
    public static DigitClassifier Train(DigitDataset data, TrainingOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        if (data.Labels is null)
            throw new ArgumentException($"{data.Source} has no labels; training needs a 'label' column or an IDX label file.", nameof(data));
        var architecture = ModelFactory.Get(options.Model);
        if (architecture.Name == ModelFactory.EnsembleName)
            throw new ArgumentException("An ensemble is trained member by member: use TrainEnsemble (train --ensemble K).", nameof(options));
        options = options with
        {
            Model = architecture.Name,
            Epochs = options.Epochs ?? architecture.DefaultEpochs,
            Augment = options.Augment ?? architecture.AugmentByDefault,
        };
        var maxEpochs = options.Epochs!.Value;
        var epochs = maxEpochs;

        var stopwatch = Stopwatch.StartNew();
        var threads = TorchRuntime.UseThreads(options.Threads);
        TorchRuntime.Seed(options.Seed);

        if (options.Limit > 0) data = data.Take(options.Limit);   // (Split takes the same images again: a no-op)
        var (train, validation) = Split(data, options);
        if (train.Count == 0) throw new ArgumentException($"{data.Source}: no images left to train on.", nameof(data));

        var normalization = InputNormalization.UnitRange;
        var arguments = architecture.DefaultArguments();
        var model = architecture.Create(arguments);
        var batchesPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        progress?.Report(new TrainingStarted(architecture.Name, epochs, train.Count, validation?.Count ?? 0, batchesPerEpoch, threads));

        // Raw [0, 1] pixels: distortions resample the background as 0 before normalisation.
        using var images = InputNormalization.UnitRange.ToInput(train.Pixels, 0, train.Count);
        using var labels = tensor(train.Labels!.Select(l => (long)l).ToArray());
        using optim.Optimizer optimizer = options.WeightDecay > 0
            ? optim.AdamW(model.parameters(), options.LearningRate, weight_decay: options.WeightDecay)
            : optim.Adam(model.parameters(), options.LearningRate);
        using var augmenter = options.Augment == true && !options.Augmentation.IsIdentity
            ? new BatchAugmenter(options.Augmentation, options.Seed)
            : null;
        // Mixed precision: a bfloat16 copy computes each step, the float32 model keeps the weights Adam updates.
        using var lowPrecision = options.Precision == Precision.Float32
            ? null
            : new ReducedPrecisionCopy(model, () => architecture.Create(arguments), options.Precision.ToScalarType());
        using var batches = new BatchSource(images, labels, options.BatchSize, new Random(options.Seed), augmenter, normalization);
        var rate = new RateController(optimizer, options, batchesPerEpoch, epochs);
        var history = new List<EpochMetrics>(epochs);
        Dictionary<string, Tensor>? bestWeights = null;
        EpochMetrics? best = null;
        string? stoppedEarly = null;
        var epochsSinceBest = 0;

        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var (trainLoss, trainAccuracy) = TrainEpoch(model, lowPrecision, optimizer, rate, batches, options.LabelSmoothing,
                epoch, epochs, progress, cancellation);
            var trainSeconds = epochClock.Elapsed.TotalSeconds;

            double? validationLoss = null, validationAccuracy = null;
            if (validation is not null)
            {
                var predictions = DigitClassifier.Predict(model, normalization, validation, ValidationBatchSize,
                    cancellation: cancellation);
                validationLoss = predictions.MeanLoss(validation.Labels!);
                validationAccuracy = predictions.Accuracy(validation.Labels!);
            }

            var metrics = new EpochMetrics(epoch, trainLoss, trainAccuracy, validationLoss, validationAccuracy,
                epochClock.Elapsed.TotalSeconds, train.Count / trainSeconds);
            history.Add(metrics);
            var isBest = best is null || IsBetter(metrics, best);
            epochsSinceBest = isBest ? 0 : epochsSinceBest + 1;
            if (isBest)
            {
                best = metrics;
                DisposeAll(bestWeights);
                bestWeights = Snapshot(model);
            }
            rate.AfterEpoch(validationLoss);
            progress?.Report(new EpochCompleted(epochs, metrics, isBest));

            if (options.EarlyStoppingPatience > 0 && epochsSinceBest >= options.EarlyStoppingPatience && epoch < epochs)
            {
                stoppedEarly = $"early stopping after epoch {epoch}: no better validation accuracy for {epochsSinceBest} epochs";
                break;
            }
            if (options.TimeBudgetMinutes > 0 && epoch < maxEpochs)
            {
                // After every epoch: how many epochs fit in what is left? A one-cycle or cosine schedule is
                // re-planned to end at the new length, so the run still finishes at a low rate.
                var left = TimeSpan.FromMinutes(options.TimeBudgetMinutes) - stopwatch.Elapsed;
                var planned = EpochPlanner.EpochsThatFit(epoch, maxEpochs, history.Select(m => m.Seconds).ToArray(), left);
                if (planned != epochs)
                {
                    epochs = planned;
                    rate.Replan(epochs);
                }
                stoppedEarly = epochs < maxEpochs
                    ? $"time budget of {options.TimeBudgetMinutes:0.#} min: {epochs} of {maxEpochs} epochs fit"
                    : null;
            }
        }

        model.load_state_dict(bestWeights!);
        DisposeAll(bestWeights);
        model.eval();

        var metadata = new CheckpointMetadata
        {
            Architecture = architecture.Name,
            ArchitectureArguments = arguments,
            Normalization = normalization,
            Training = options,
            Metrics = new TrainingSummary
            {
                DataSource = data.Source,
                TrainImages = train.Count,
                ValidationImages = validation?.Count ?? 0,
                BestEpoch = best!.Epoch,
                ValidationAccuracy = best.ValidationAccuracy,
                ValidationLoss = best.ValidationLoss,
                TrainingSeconds = stopwatch.Elapsed.TotalSeconds,
                Threads = threads,
                History = history,
                StoppedEarly = stoppedEarly,
                Augmented = augmenter is not null,
            },
        };
        return new DigitClassifier(model, normalization, metadata);
    }

    /// <summary>
    /// Trains <paramref name="members"/> networks as <paramref name="options"/> say, member i with seed
    /// Seed + i (its own initialisation, order and distortions) on one shared validation split, and returns
    /// them as one <see cref="EnsembleModel"/> that averages their probabilities.
    /// </summary>
    public static DigitClassifier TrainEnsemble(DigitDataset data, TrainingOptions options, int members,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default) =>
        TrainEnsemble(data, options, members, [options.Model], progress, cancellation);

    /// <summary>
    /// As above, with member i built as architecture <paramref name="models"/>[i mod count]: networks of
    /// different kinds tend to get different images wrong, which is what averaging can fix.
    /// </summary>
    public static DigitClassifier TrainEnsemble(DigitDataset data, TrainingOptions options, int members,
        IReadOnlyList<string> models, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(members, 1);
        if (models.Count == 0) throw new ArgumentException("An ensemble needs at least one architecture.", nameof(models));
        if (members < models.Count)
            throw new ArgumentException($"{models.Count} architectures need at least {models.Count} members (got {members}).", nameof(members));
        var stopwatch = Stopwatch.StartNew();
        var trained = new List<DigitClassifier>(members);
        try
        {
            for (var member = 0; member < members; member++)
            {
                var memberOptions = options with
                {
                    Model = models[member % models.Count],
                    Seed = options.Seed + member,
                    SplitSeed = options.SplitSeed ?? options.Seed,
                };
                if (options.TimeBudgetMinutes > 0)
                {
                    // Each member gets an equal share of what is left of the budget.
                    var left = options.TimeBudgetMinutes - stopwatch.Elapsed.TotalMinutes;
                    memberOptions = memberOptions with { TimeBudgetMinutes = Math.Max(0.01, left / (members - member)) };
                }
                progress?.Report(new EnsembleMemberStarted(member + 1, members, memberOptions.Seed, memberOptions.Model));
                trained.Add(Train(data, memberOptions, progress, cancellation));
            }
        }
        catch
        {
            foreach (var classifier in trained) classifier.Dispose();
            throw;
        }

        var first = trained[0].Metadata;
        var arguments = new EnsembleModelOptions
        {
            Members = trained.Select(c => new EnsembleMember { Architecture = c.Architecture, Arguments = c.Metadata.ArchitectureArguments }).ToList(),
        };
        var ensemble = new EnsembleModel(trained.Select(c => c.Module));
        var metadata = first with
        {
            Architecture = ModelFactory.EnsembleName,
            ArchitectureArguments = System.Text.Json.JsonSerializer.SerializeToNode(arguments, IO.JsonFormat.Options)!.AsObject(),
            // The ensemble's own record names every architecture it mixes ("cnn-bn+resnet"; each member's is in its
            // arguments) and the members' epochs when they agree (otherwise as asked: null = each architecture's default).
            Training = options with
            {
                Model = DescribeModels(trained.Select(c => c.Architecture)),
                Epochs = trained.Select(c => c.Metadata.Training.Epochs).Distinct().Count() == 1 ? first.Training.Epochs : options.Epochs,
            },
            Metrics = first.Metrics with
            {
                TrainingSeconds = stopwatch.Elapsed.TotalSeconds,
                History = [],
                BestEpoch = 0,
                StoppedEarly = null,
                Members = trained.Select(c => c.Metadata.Metrics).ToList(),
            },
        };

        var result = new DigitClassifier(ensemble, first.Normalization, metadata);
        var validationSet = ValidationPart(data, options);
        if (validationSet is not null)
        {
            var predictions = result.Predict(validationSet, cancellation: cancellation);
            result.Metadata = result.Metadata with
            {
                Metrics = result.Metadata.Metrics with
                {
                    ValidationAccuracy = predictions.Accuracy(validationSet.Labels!),
                    ValidationLoss = predictions.MeanLoss(validationSet.Labels!),
                },
            };
        }
        return result;
    }

    /// <summary>How an ensemble of these architectures is named: the distinct names in order, joined by '+' ("cnn-bn+resnet").</summary>
    public static string DescribeModels(IEnumerable<string> architectures) => string.Join("+", architectures.Distinct());

    /// <summary>
    /// The images <see cref="Train"/> (and every member of an ensemble) holds out for validation when given
    /// <paramref name="data"/> and <paramref name="options"/>: the same split. Null when nothing is held out.
    /// </summary>
    public static DigitDataset? ValidationPart(DigitDataset data, TrainingOptions options) => Split(data, options).Validation;

    // The one place the training/validation split is made, so a checkpoint's held-out images can be found again.
    private static (DigitDataset Train, DigitDataset? Validation) Split(DigitDataset data, TrainingOptions options)
    {
        if (options.Limit > 0) data = data.Take(options.Limit);
        if (options.ValidationFraction <= 0) return (data, null);
        var (train, validation) = StratifiedSplit.Split(data, options.ValidationFraction, options.SplitSeed ?? options.Seed);
        return (train, validation.Count == 0 ? null : validation);
    }

    /// <summary>
    /// The images a trained model held out, found again in <paramref name="data"/> from the split its
    /// checkpoint records, so it can be measured on images it never trained on (and not on the test set).
    /// </summary>
    /// <param name="data">The data the model was trained on.</param>
    /// <param name="trained">The model's checkpoint metadata.</param>
    /// <exception cref="ArgumentException">
    /// The model held nothing out, or <paramref name="data"/> is not the size of what it was trained on (another
    /// file would give a "validation part" full of images the model has seen).
    /// </exception>
    public static DigitDataset ValidationPart(DigitDataset data, CheckpointMetadata trained)
    {
        var (options, metrics) = (trained.Training, trained.Metrics);
        if (metrics.ValidationImages == 0)
            throw new ArgumentException($"This model held out no validation images (trained with validation fraction {options.ValidationFraction}).");
        var used = options.Limit > 0 ? Math.Min(options.Limit, data.Count) : data.Count;
        var expected = metrics.TrainImages + metrics.ValidationImages;
        var part = used == expected ? ValidationPart(data, options) : null;
        if (part?.Count != metrics.ValidationImages)
            throw new ArgumentException(
                $"{data.Source} gives {used:N0} images, but this model was trained on {expected:N0} from {metrics.DataSource}: give the data it was trained on.");
        return part;
    }

    private static (double Loss, double Accuracy) TrainEpoch(nn.Module<Tensor, Tensor> model, ReducedPrecisionCopy? lowPrecision,
        optim.Optimizer optimizer, RateController rate, BatchSource batches, double labelSmoothing, int epoch, int epochs,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        model.train();
        lowPrecision?.Module.train();
        batches.Shuffle();
        var reportEvery = Math.Max(1, batches.Count / ReportsPerEpoch);
        double lossSum = 0;
        long correct = 0, seen = 0;
        for (var batch = 0; batch < batches.Count; batch++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var (x, y) = batches.Get(batch);

            optimizer.zero_grad();
            lowPrecision?.CopyWeightsFromOriginal();
            var logits = lowPrecision is null ? model.forward(x) : lowPrecision.Forward(x);
            var loss = nn.functional.cross_entropy(logits, y, label_smoothing: labelSmoothing);
            loss.backward();
            lowPrecision?.MoveGradientsToOriginal();
            rate.BeforeStep();
            optimizer.step();

            var size = y.shape[0];
            lossSum += loss.item<float>() * size;
            correct += logits.argmax(1).eq(y).sum().item<long>();
            seen += size;
            if ((batch + 1) % reportEvery == 0 || batch == batches.Count - 1)
                progress?.Report(new BatchCompleted(epoch, epochs, batch + 1, batches.Count, lossSum / seen, (double)correct / seen));
        }
        // Validation and the kept weights use the float32 model: give it the copy's batch-norm statistics.
        lowPrecision?.CopyBuffersToOriginal();
        return (lossSum / seen, (double)correct / seen);
    }

    /// <summary>Serves an epoch's mini-batches in a seeded random order, distorted and normalised.</summary>
    private sealed class BatchSource(Tensor images, Tensor labels, int batchSize, Random random,
        BatchAugmenter? augmenter, InputNormalization normalization) : IDisposable
    {
        private readonly long[] order = Enumerable.Range(0, (int)images.shape[0]).Select(i => (long)i).ToArray();
        private Tensor? permutation;

        public int Count => (order.Length + batchSize - 1) / batchSize;

        public void Shuffle()
        {
            random.Shuffle(order);
            permutation?.Dispose();
            permutation = tensor(order);
        }

        /// <summary>Batch <paramref name="index"/> of the current order, in the caller's dispose scope.</summary>
        public (Tensor Images, Tensor Labels) Get(int index)
        {
            var start = index * batchSize;
            var indices = permutation!.narrow(0, start, Math.Min(batchSize, order.Length - start));
            var x = images.index_select(0, indices);
            if (augmenter is not null) x = augmenter.Apply(x);
            x = normalization.Apply(x);
            return (x, labels.index_select(0, indices));
        }

        public void Dispose() => permutation?.Dispose();
    }

    /// <summary>
    /// Sets the optimizer's rate before each step: the schedule's value (see <see cref="LearningRatePlan"/>)
    /// times the reduce-on-plateau factor.
    /// </summary>
    private sealed class RateController(optim.Optimizer optimizer, TrainingOptions options, int stepsPerEpoch, int epochs)
    {
        private LearningRatePlan plan = Plan(options, stepsPerEpoch, epochs);
        private long step;
        private double plateauFactor = 1;
        private double bestLoss = double.PositiveInfinity;
        private int epochsWithoutBetterLoss;

        public void BeforeStep()
        {
            var rate = plan.At(step++) * plateauFactor;
            foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
        }

        /// <summary>The run will have <paramref name="newEpochs"/> epochs in all: stretch or squeeze the rest of the schedule to end there.</summary>
        public void Replan(int newEpochs) => plan = Plan(options, stepsPerEpoch, newEpochs);

        public void AfterEpoch(double? validationLoss)
        {
            if (options.PlateauPatience == 0 || validationLoss is not { } loss) return;
            if (loss < bestLoss)
            {
                bestLoss = loss;
                epochsWithoutBetterLoss = 0;
            }
            else if (++epochsWithoutBetterLoss >= options.PlateauPatience)
            {
                plateauFactor *= options.PlateauFactor;
                epochsWithoutBetterLoss = 0;
            }
        }

        private static LearningRatePlan Plan(TrainingOptions options, int stepsPerEpoch, int epochs) =>
            new(options.Schedule, options.LearningRate, (long)stepsPerEpoch * epochs, stepsPerEpoch, options.StepEpochs, options.StepFactor);
    }

    // Higher validation accuracy wins; on a tie, lower validation loss. Without validation, the latest epoch.
    private static bool IsBetter(EpochMetrics candidate, EpochMetrics incumbent)
    {
        if (candidate.ValidationAccuracy is not { } accuracy || incumbent.ValidationAccuracy is not { } bestAccuracy) return true;
        if (accuracy != bestAccuracy) return accuracy > bestAccuracy;
        return candidate.ValidationLoss < incumbent.ValidationLoss;
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module model) =>
        model.state_dict().ToDictionary(entry => entry.Key, entry => entry.Value.detach().clone());

    private static void DisposeAll(Dictionary<string, Tensor>? weights)
    {
        if (weights is null) return;
        foreach (var tensor in weights.Values) tensor.Dispose();
    }
}
