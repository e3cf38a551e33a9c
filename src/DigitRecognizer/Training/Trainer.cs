using System.Diagnostics;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Engine;
using DigitRecognizer.Inference;
using DigitRecognizer.Models;
using DigitRecognizer.Reading;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitRecognizer.Training;

/// <summary>
/// Trains one network on labelled digits: stratified validation split (<see cref="TrainingSplit"/>), shuffled
/// (optionally distorted) mini-batches, Adam or AdamW on cross-entropy under a learning-rate schedule (and, if
/// asked, a moving average of the weights, see <see cref="WeightAverage"/>),
/// validation after every epoch, and the best epoch's weights kept. Early stopping and a time budget can end
/// it sooner. Ensembles are trained member by member by <see cref="EnsembleTrainer"/>.
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
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default) =>
        TrainResumable(data, options, resumeFrom: null, epochFinished: null, progress, cancellation);

    /// <summary>
    /// As above, continuing from <paramref name="resumeFrom"/> (a snapshot of a run with these options) when
    /// given, and handing a snapshot to <paramref name="epochFinished"/> after every epoch.
    /// </summary>
    internal static DigitClassifier TrainResumable(DigitDataset data, TrainingOptions options, NetworkSnapshot? resumeFrom,
        Action<NetworkSnapshot>? epochFinished, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        options.Validate();
        if (resumeFrom is not null && resumeFrom.Options != options)
            throw new ArgumentException("The snapshot to resume from was taken with other options.", nameof(resumeFrom));
        var given = options;
        data.RequireLabels("training");
        var architecture = ModelFactory.Get(options.Model);
        if (architecture.Name == ModelFactory.EnsembleName)
            throw new ArgumentException("An ensemble is trained member by member: use EnsembleTrainer (train --ensemble K).", nameof(options));
        options = options with
        {
            Model = architecture.Name,
            Epochs = options.Epochs ?? architecture.DefaultEpochs,
            Augment = options.Augment ?? architecture.AugmentByDefault,
        };
        var maxEpochs = options.Epochs!.Value;

        var stopwatch = Stopwatch.StartNew();
        var threads = TorchRuntime.UseThreads(options.Threads);
        TorchRuntime.Seed(options.Seed);

        var split = TrainingSplit.Make(data, options);
        var (train, validation) = (split.Train, split.Validation);
        if (train.Count == 0) throw new ArgumentException($"{split.Used.Source}: no images left to train on.", nameof(data));

        var normalization = InputNormalization.UnitRange;
        var arguments = architecture.DefaultArguments();
        var model = architecture.Create(arguments);
        var batchesPerEpoch = BatchSource.BatchesPerEpoch(train.Count, options.BatchSize);
        using var state = resumeFrom?.State ?? new TrainingState { PlannedEpochs = maxEpochs };
        resumeFrom?.RestoreWeights(model);
        progress?.Report(new TrainingStarted(architecture.Name, state.PlannedEpochs, train.Count, validation?.Count ?? 0, batchesPerEpoch, threads)
        {
            EpochsDone = state.Epoch,
        });

        // Raw [0, 1] pixels: distortions resample the background as 0 before normalisation.
        var shown = options.ReaderViewShare > 0 ? ReaderViews.Replace(train, options.ReaderViewShare, options.Seed, cancellation) : train;
        using var images = InputNormalization.UnitRange.ToInput(shown.Pixels, 0, shown.Count);
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
        using var batches = new BatchSource(images, labels, options.BatchSize, options.Seed, state.Epoch, augmenter, normalization);
        using var nonDigits = options.NonDigitWeight > 0
            ? new NonDigitExposure(train, options.BatchSize, options.NonDigitsPerDigit, options.Seed, options.NonDigitWeight, options.TouchingPairShare, augmenter, normalization, options.NonDigitPoolSize)
            : null;
        using var average = options.WeightAverageDecay > 0
            ? new WeightAverage(model, () => architecture.Create(arguments), options.WeightAverageDecay, (nn.Module?)lowPrecision?.Module ?? model)
            : null;
        // What validation reads and the best epoch keeps: the weight average when there is one.
        var kept = average?.Module ?? model;
        var rate = new LearningRateController(optimizer, options, batchesPerEpoch, state.PlannedEpochs, state.Rate);
        // Last: the generators' states must be the saved ones after everything above has drawn from them.
        resumeFrom?.Restore(state, model, optimizer, augmenter, average);

        while (!state.Stopped && state.Epoch < state.PlannedEpochs)
        {
            var epoch = state.Epoch + 1;
            var epochClock = Stopwatch.StartNew();
            var (trainLoss, trainAccuracy) = TrainEpoch(model, lowPrecision, optimizer, rate, average, batches, nonDigits, options.LabelSmoothing,
                epoch, state.PlannedEpochs, progress, cancellation);
            var trainSeconds = epochClock.Elapsed.TotalSeconds;

            double? validationLoss = null, validationAccuracy = null;
            if (validation is not null)
            {
                var predictions = DigitClassifier.Predict(kept, normalization, validation, ValidationBatchSize,
                    cancellation: cancellation);
                validationLoss = predictions.MeanLoss(validation.Labels!);
                validationAccuracy = predictions.Accuracy(validation.Labels!);
            }

            var metrics = new EpochMetrics(epoch, trainLoss, trainAccuracy, validationLoss, validationAccuracy,
                epochClock.Elapsed.TotalSeconds, train.Count / trainSeconds);
            state.Epoch = epoch;
            state.History.Add(metrics);
            var isBest = state.Best is null || IsBetter(metrics, state.Best);
            state.EpochsSinceBest = isBest ? 0 : state.EpochsSinceBest + 1;
            if (isBest)
            {
                state.Best = metrics;
                state.KeepBestWeights(kept);
            }
            rate.AfterEpoch(validationLoss);
            state.Rate = rate.Position;
            progress?.Report(new EpochCompleted(state.PlannedEpochs, metrics, isBest));

            if (options.EarlyStoppingPatience > 0 && state.EpochsSinceBest >= options.EarlyStoppingPatience && epoch < state.PlannedEpochs)
            {
                state.StoppedEarly = $"early stopping after epoch {epoch}: no better validation accuracy for {state.EpochsSinceBest} epochs";
                state.Stopped = true;
            }
            else if (options.TimeBudgetMinutes > 0 && epoch < maxEpochs)
            {
                // After every epoch: how many epochs fit in what is left? A one-cycle or cosine schedule is
                // re-planned to end at the new length, so the run still finishes at a low rate.
                var left = TimeSpan.FromMinutes(options.TimeBudgetMinutes) - TimeSpan.FromSeconds(state.SecondsBefore) - stopwatch.Elapsed;
                var planned = EpochPlanner.EpochsThatFit(epoch, maxEpochs, state.History.Select(m => m.Seconds).ToArray(), left);
                if (planned != state.PlannedEpochs)
                {
                    state.PlannedEpochs = planned;
                    rate.Replan(planned);
                }
                state.StoppedEarly = state.PlannedEpochs < maxEpochs
                    ? $"time budget of {options.TimeBudgetMinutes:0.#} min: {state.PlannedEpochs} of {maxEpochs} epochs fit"
                    : null;
            }
            epochFinished?.Invoke(NetworkSnapshot.Capture(given, state, state.SecondsBefore + stopwatch.Elapsed.TotalSeconds,
                model, optimizer, augmenter, average));
        }

        model.load_state_dict(state.BestWeights!);
        model.eval();

        var metadata = new CheckpointMetadata
        {
            Architecture = architecture.Name,
            ArchitectureArguments = arguments,
            Normalization = normalization,
            Training = options,
            Metrics = new TrainingSummary
            {
                DataSource = split.Used.Source,
                TrainImages = train.Count,
                ValidationImages = validation?.Count ?? 0,
                HoldoutImages = split.Holdout?.Count ?? 0,
                SplitSeed = validation is null ? null : options.SplitSeed ?? options.Seed,
                BestEpoch = state.Best!.Epoch,
                ValidationAccuracy = state.Best.ValidationAccuracy,
                ValidationLoss = state.Best.ValidationLoss,
                TrainingSeconds = state.SecondsBefore + stopwatch.Elapsed.TotalSeconds,
                Threads = threads,
                History = state.History,
                StoppedEarly = state.StoppedEarly,
                Augmented = augmenter is not null,
            },
        };
        return new DigitClassifier(model, normalization, metadata);
    }

    private static (double Loss, double Accuracy) TrainEpoch(nn.Module<Tensor, Tensor> model, ReducedPrecisionCopy? lowPrecision,
        optim.Optimizer optimizer, LearningRateController rate, WeightAverage? average, BatchSource batches, NonDigitExposure? nonDigits, double labelSmoothing,
        int epoch, int epochs,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        model.train();
        lowPrecision?.Module.train();
        batches.Shuffle();
        nonDigits?.StartEpoch(epoch);
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
            var size = y.shape[0];
            // One pass over digits and non-digits together, so batch norm sees both as it will at run time.
            var input = nonDigits is null ? x : cat([x, nonDigits.Batch(batch)], 0);
            var output = lowPrecision is null ? model.forward(input) : lowPrecision.Forward(input);
            var logits = nonDigits is null ? output : output.narrow(0, 0, size);
            var loss = nn.functional.cross_entropy(logits, y, label_smoothing: labelSmoothing);
            if (nonDigits is not null) loss = loss.add(nonDigits.Loss(output.narrow(0, size, output.shape[0] - size)));
            loss.backward();
            lowPrecision?.MoveGradientsToOriginal();
            rate.BeforeStep();
            optimizer.step();
            average?.Update();

            lossSum += loss.item<float>() * size;
            correct += logits.argmax(1).eq(y).sum().item<long>();
            seen += size;
            if ((batch + 1) % reportEvery == 0 || batch == batches.Count - 1)
                progress?.Report(new BatchCompleted(epoch, epochs, batch + 1, batches.Count, lossSum / seen, (double)correct / seen));
        }
        // Validation and the kept weights use the float32 model (or its average, which took the copy's statistics at
        // every step): give it the copy's batch-norm statistics.
        lowPrecision?.CopyBuffersToOriginal();
        return (lossSum / seen, (double)correct / seen);
    }

    // Higher validation accuracy wins; on a tie, lower validation loss. Without validation, the latest epoch.
    private static bool IsBetter(EpochMetrics candidate, EpochMetrics incumbent)
    {
        if (candidate.ValidationAccuracy is not { } accuracy || incumbent.ValidationAccuracy is not { } bestAccuracy) return true;
        if (accuracy != bestAccuracy) return accuracy > bestAccuracy;
        return candidate.ValidationLoss < incumbent.ValidationLoss;
    }
}
