using System.Diagnostics;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Inference;
using DigitRecognizer.IO;
using DigitRecognizer.Models;

namespace DigitRecognizer.Training;

/// <summary>
/// Trains an ensemble member by member with <see cref="Trainer"/>: member i with seed Seed + i (its own
/// initialisation, order and distortions) on one shared validation split, then joins them into one
/// <see cref="EnsembleModel"/> that averages their probabilities, with metadata merged from the members'.
/// Bagged (<see cref="TrainingOptions.HoldoutFraction"/> above 0), member i also splits what is left after the
/// common holdout with its own seed, and the ensemble is measured on the holdout, which no member has seen.
/// </summary>
public static class EnsembleTrainer
{
    /// <summary>
    /// Trains <paramref name="members"/> networks of architecture <paramref name="options"/>.Model as the
    /// options say and returns them as one ensemble.
    /// </summary>
    public static DigitClassifier Train(DigitDataset data, TrainingOptions options, int members,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default) =>
        Train(data, options, members, [options.Model], progress, cancellation);

    /// <summary>
    /// As above, with member i built as architecture <paramref name="models"/>[i mod count]: networks of
    /// different kinds tend to get different images wrong, which is what averaging can fix.
    /// </summary>
    public static DigitClassifier Train(DigitDataset data, TrainingOptions options, int members,
        IReadOnlyList<string> models, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default) =>
        TrainResumable(data, options, members, models, resumeFrom: null, saved: null, progress, cancellation);

    /// <summary>
    /// As above, continuing from <paramref name="resumeFrom"/> when given (taking ownership of its finished
    /// members), and handing a snapshot to <paramref name="saved"/> after every epoch and every finished member.
    /// </summary>
    internal static DigitClassifier TrainResumable(DigitDataset data, TrainingOptions options, int members, IReadOnlyList<string> models,
        RunSnapshot? resumeFrom, Action<RunSnapshot>? saved, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        CheckSize(members, models);
        var secondsBefore = resumeFrom?.Seconds ?? 0;
        var stopwatch = Stopwatch.StartNew();
        TimeSpan Elapsed() => TimeSpan.FromSeconds(secondsBefore) + stopwatch.Elapsed;
        var trained = new List<DigitClassifier>(resumeFrom?.Finished ?? []);
        try
        {
            for (var member = trained.Count; member < members; member++)
            {
                // A member under way keeps the options (and time share) it started with.
                var underWay = member == resumeFrom?.Member ? resumeFrom.Network : null;
                var memberOptions = underWay?.Options ?? MemberOptions(options, members, models, member, Elapsed());
                progress?.Report(new EnsembleMemberStarted(member + 1, members, memberOptions.Seed, memberOptions.Model));
                var finished = trained.ToArray();
                var index = member;
                trained.Add(Trainer.TrainResumable(data, memberOptions, underWay,
                    saved is null ? null : network => saved(new RunSnapshot { Member = index, Finished = finished, Network = network, Seconds = Elapsed().TotalSeconds }),
                    progress, cancellation));
                saved?.Invoke(new RunSnapshot { Member = member + 1, Finished = trained.ToArray(), Seconds = Elapsed().TotalSeconds });
            }
        }
        catch
        {
            foreach (var classifier in trained) classifier.Dispose();
            throw;
        }
        return Join(data, options, trained, Elapsed(), cancellation);
    }

    /// <summary>
    /// Refuses an ensemble that cannot be built: fewer than one member, no architecture, or fewer members
    /// than architectures (some would never be trained).
    /// </summary>
    /// <exception cref="ArgumentException">Says which, with the counts.</exception>
    public static void CheckSize(int members, IReadOnlyList<string> models)
    {
        if (models.Count == 0) throw new ArgumentException("An ensemble needs at least one architecture.", nameof(models));
        if (members < 1) throw new ArgumentException($"An ensemble needs at least 1 member (got {members}).", nameof(members));
        if (members < models.Count)
            throw new ArgumentException(
                $"{models.Count} architectures ({string.Join(", ", models)}) need an ensemble of at least {models.Count} members (got {members}).",
                nameof(members));
    }

    /// <summary>How an ensemble of these architectures is named: the distinct names in order, joined by '+' ("cnn-bn+resnet").</summary>
    public static string DescribeModels(IEnumerable<string> architectures) => string.Join("+", architectures.Distinct());

    // Member i: the i-th architecture in turn, its own seed, the ensemble's split (bagged: the ensemble's holdout and
    // a split of its own), and (with a time budget) an equal share of what is left of it.
    internal static TrainingOptions MemberOptions(TrainingOptions options, int members, IReadOnlyList<string> models, int member,
        TimeSpan elapsed)
    {
        var memberOptions = options with
        {
            Model = models[member % models.Count],
            Seed = options.Seed + member,
            SplitSeed = (options.SplitSeed ?? options.Seed) + (options.HoldoutFraction > 0 ? member : 0),
            HoldoutSeed = options.HoldoutFraction > 0 ? options.HoldoutSeed ?? options.Seed : options.HoldoutSeed,
        };
        if (options.TimeBudgetMinutes > 0)
        {
            var left = options.TimeBudgetMinutes - elapsed.TotalMinutes;
            memberOptions = memberOptions with { TimeBudgetMinutes = Math.Max(0.01, left / (members - member)) };
        }
        return memberOptions;
    }

    // One classifier of the trained members (taking ownership of them), with the ensemble's metadata and its own
    // validation figures.
    internal static DigitClassifier Join(DigitDataset data, TrainingOptions options, IReadOnlyList<DigitClassifier> trained,
        TimeSpan elapsed, CancellationToken cancellation)
    {
        var first = trained[0].Metadata;
        var arguments = new EnsembleModelOptions
        {
            Members = trained.Select(c => new EnsembleMember { Architecture = c.Architecture, Arguments = c.Metadata.ArchitectureArguments }).ToList(),
        };
        var ensemble = new EnsembleModel(trained.Select(c => c.Module));
        var metadata = first with
        {
            Architecture = ModelFactory.EnsembleName,
            ArchitectureArguments = System.Text.Json.JsonSerializer.SerializeToNode(arguments, JsonFormat.Options)!.AsObject(),
            // The ensemble's own record names every architecture it mixes ("cnn-bn+resnet"; each member's is in its
            // arguments) and the members' epochs when they agree (otherwise as asked: null = each architecture's default).
            Training = options with
            {
                Model = DescribeModels(trained.Select(c => c.Architecture)),
                Epochs = trained.Select(c => c.Metadata.Training.Epochs).Distinct().Count() == 1 ? first.Training.Epochs : options.Epochs,
            },
            Metrics = first.Metrics with
            {
                TrainingSeconds = elapsed.TotalSeconds,
                History = [],
                BestEpoch = 0,
                StoppedEarly = null,
                Members = trained.Select(c => c.Metadata.Metrics).ToList(),
            },
        };

        var result = new DigitClassifier(ensemble, first.Normalization, metadata);
        var split = TrainingSplit.Make(data, options);
        // A bagged ensemble is measured on the common holdout: each member's own validation images were trained on by the others.
        var validationSet = options.HoldoutFraction > 0 ? split.Holdout : split.Validation;
        if (options.HoldoutFraction > 0)
            result.Metadata = result.Metadata with
            {
                Metrics = result.Metadata.Metrics with
                {
                    TrainImages = split.Used.Count - (split.Holdout?.Count ?? 0), ValidationImages = 0, SplitSeed = null,
                    ValidationAccuracy = null, ValidationLoss = null,
                },
            };
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
}
