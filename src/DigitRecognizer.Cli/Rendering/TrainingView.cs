using DigitRecognizer.Training;
using Spectre.Console;

namespace DigitRecognizer.Cli.Rendering;

/// <summary>
/// Shows a training run: a live bar per epoch with running loss and accuracy that turns into the epoch's
/// summary line; plain lines when the output is not a terminal (logs, CI).
/// </summary>
internal static class TrainingView
{
    /// <summary>Runs <paramref name="train"/> with a progress display and sums up the model it gives.</summary>
    public static TrainingRunResult Show(IAnsiConsole console, Func<IProgress<TrainingProgress>, TrainingRunResult> train)
    {
        TrainingRunResult run;
        if (console.Profile.Capabilities.Interactive)
        {
            run = console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    ProgressTask? current = null;
                    var progress = new SyncProgress<TrainingProgress>(report =>
                    {
                        switch (report)
                        {
                            case EnsembleMemberStarted member:
                                WriteMember(console, member);
                                break;
                            case TrainingStarted started:
                                WriteStart(console, started);
                                break;
                            case BatchCompleted batch:
                                current ??= context.AddTask("", maxValue: batch.Batches);
                                current.Value = batch.Batch;
                                current.Description = Markup.Escape(
                                    $"epoch {batch.Epoch}/{batch.Epochs}  loss {batch.RunningLoss:F4}  acc {batch.RunningAccuracy:P2}");
                                break;
                            case EpochCompleted epoch:
                                if (current is not null)
                                {
                                    current.Description = Summary(epoch);
                                    current.StopTask();
                                    current = null;
                                }
                                break;
                        }
                    });
                    return train(progress);
                });
        }
        else
        {
            var progress = new SyncProgress<TrainingProgress>(report =>
            {
                switch (report)
                {
                    case EnsembleMemberStarted member:
                        WriteMember(console, member);
                        break;
                    case TrainingStarted started:
                        WriteStart(console, started);
                        break;
                    case EpochCompleted epoch:
                        console.MarkupLine(Summary(epoch));
                        break;
                }
            });
            run = train(progress);
        }

        var metrics = run.Classifier.Metadata.Metrics;
        var validation = (metrics.ValidationAccuracy, metrics.Members) switch
        {
            ({ } accuracy, { } parts) when metrics.HoldoutImages > 0 =>
                $"bagged ensemble of {parts.Count}, accuracy [bold]{accuracy:P2}[/] on the common holdout of {metrics.HoldoutImages:N0} images no member saw " +
                $"(members on their own held-out parts: {string.Join(", ", parts.Select(p => $"{p.ValidationAccuracy:P2}"))})",
            ({ } accuracy, { } parts) => $"ensemble of {parts.Count}, validation accuracy [bold]{accuracy:P2}[/] (members: {string.Join(", ", parts.Select(p => $"{p.ValidationAccuracy:P2}"))})",
            ({ } accuracy, null) => $"validation accuracy [bold]{accuracy:P2}[/] (best epoch {metrics.BestEpoch}, whose weights are kept)",
            _ => "no validation part; the last epoch's weights are kept",
        };
        console.MarkupLine($"Trained in {metrics.TrainingSeconds:F1} s: {validation}.");
        if (metrics.StoppedEarly is { } reason) console.MarkupLineInterpolated($"Stopped early: {reason}.");
        return run;
    }

    private static void WriteMember(IAnsiConsole console, EnsembleMemberStarted member) =>
        console.MarkupLineInterpolated($"[bold]Ensemble member {member.Member}/{member.Members}[/]: {member.Model}, seed {member.Seed}");

    private static void WriteStart(IAnsiConsole console, TrainingStarted started) =>
        console.MarkupLineInterpolated(
            $"Training [bold]{started.Model}[/] for {started.Epochs} epochs on {started.TrainImages:N0} images ({started.ValidationImages:N0} held out for validation), {started.BatchesPerEpoch:N0} batches per epoch, {started.Threads} threads{(started.EpochsDone > 0 ? $"; continuing after epoch {started.EpochsDone}" : "")}.");

    private static string Summary(EpochCompleted completed)
    {
        var m = completed.Metrics;
        var validation = m.ValidationAccuracy is { } accuracy
            ? $"  val loss {m.ValidationLoss:F4}  val acc {accuracy:P2}"
            : "";
        var best = completed.IsBest && m.ValidationAccuracy is not null ? " [green]★ best[/]" : "";
        return Markup.Escape($"epoch {m.Epoch}/{completed.Epochs}  loss {m.TrainLoss:F4}  acc {m.TrainAccuracy:P2}{validation}  {m.Seconds:F1} s  {m.ImagesPerSecond:N0} img/s")
               + best;
    }
}
