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
/// Trains a network on labelled digits: stratified validation split, shuffled mini-batches,
/// Adam on cross-entropy, validation after every epoch, and the best epoch's weights kept.
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
        options = options with { Model = architecture.Name, Epochs = options.Epochs ?? architecture.DefaultEpochs };
        var epochs = options.Epochs!.Value;

        var stopwatch = Stopwatch.StartNew();
        var threads = TorchRuntime.UseThreads(options.Threads);
        TorchRuntime.Seed(options.Seed);

        if (options.Limit > 0) data = data.Take(options.Limit);
        var (train, validation) = options.ValidationFraction > 0
            ? StratifiedSplit.Split(data, options.ValidationFraction, options.Seed)
            : (data, null);
        if (train.Count == 0) throw new ArgumentException($"{data.Source}: no images left to train on.", nameof(data));

        var normalization = InputNormalization.UnitRange;
        var arguments = architecture.DefaultArguments();
        var model = architecture.Create(arguments);
        var batchesPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        progress?.Report(new TrainingStarted(architecture.Name, epochs, train.Count, validation?.Count ?? 0, batchesPerEpoch, threads));

        using var images = normalization.ToInput(train.Pixels, 0, train.Count);
        using var labels = tensor(train.Labels!.Select(l => (long)l).ToArray());
        using var optimizer = optim.Adam(model.parameters(), options.LearningRate);
        var shuffle = new Random(options.Seed);
        var history = new List<EpochMetrics>(epochs);
        Dictionary<string, Tensor>? bestWeights = null;
        EpochMetrics? best = null;

        var schedule = new StepSchedule(optimizer, options.Schedule, options.LearningRate, (long)batchesPerEpoch * epochs);
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var (trainLoss, trainAccuracy) = TrainEpoch(model, optimizer, schedule, images, labels, options.BatchSize,
                shuffle, epoch, epochs, progress, cancellation);
            var trainSeconds = epochClock.Elapsed.TotalSeconds;

            double? validationLoss = null, validationAccuracy = null;
            if (validation is not null && validation.Count > 0)
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
            if (isBest)
            {
                best = metrics;
                DisposeAll(bestWeights);
                bestWeights = Snapshot(model);
            }
            progress?.Report(new EpochCompleted(epochs, metrics, isBest));
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
            },
        };
        return new DigitClassifier(model, normalization, metadata);
    }

    private static (double Loss, double Accuracy) TrainEpoch(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer,
        StepSchedule schedule, Tensor images, Tensor labels, int batchSize, Random shuffle, int epoch, int epochs,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        model.train();
        var count = (int)images.shape[0];
        var order = Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        shuffle.Shuffle(order);
        using var permutation = tensor(order);

        var batches = (count + batchSize - 1) / batchSize;
        var reportEvery = Math.Max(1, batches / ReportsPerEpoch);
        double lossSum = 0;
        long correct = 0, seen = 0;
        for (var batch = 0; batch < batches; batch++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var start = batch * batchSize;
            var size = Math.Min(batchSize, count - start);
            var indices = permutation.narrow(0, start, size);
            var x = images.index_select(0, indices);
            var y = labels.index_select(0, indices);

            optimizer.zero_grad();
            var logits = model.forward(x);
            var loss = nn.functional.cross_entropy(logits, y);
            loss.backward();
            schedule.BeforeStep();
            optimizer.step();

            lossSum += loss.item<float>() * size;
            correct += logits.argmax(1).eq(y).sum().item<long>();
            seen += size;
            if ((batch + 1) % reportEvery == 0 || batch == batches - 1)
                progress?.Report(new BatchCompleted(epoch, epochs, batch + 1, batches, lossSum / seen, (double)correct / seen));
        }
        return (lossSum / seen, (double)correct / seen);
    }

    /// <summary>Sets the optimizer's learning rate for each step from a <see cref="LearningRates"/> function.</summary>
    private sealed class StepSchedule(optim.Optimizer optimizer, LearningRateSchedule schedule, double baseRate, long totalSteps)
    {
        private long step;

        public void BeforeStep()
        {
            var rate = LearningRates.At(schedule, baseRate, step++, totalSteps);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
        }
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
