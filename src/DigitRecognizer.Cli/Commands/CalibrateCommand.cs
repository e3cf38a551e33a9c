using System.CommandLine;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Cli.Rendering;
using DigitRecognizer.Data;
using DigitRecognizer.Inference;
using DigitRecognizer.Training;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary>
/// <c>digits calibrate</c>: chooses a model's refusal threshold on the images it held out for validation (and the
/// method by what it lets through of them and of synthetic non-digits) and writes it into the checkpoint
/// (atomically), so that reading numbers reports digits below it as unreadable.
/// </summary>
internal static class CalibrateCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var model = new Option<string?>("--model", "-m")
        {
            Description = $"The checkpoint file, or the folder holding model.ckpt (default: {DefaultModel.Described}). It is rewritten with the rule.",
            HelpName = "PATH",
        };
        var data = new Option<string?>("--data")
        {
            Description = "The labelled training data the model was trained on, to find its validation part again (default: the embedded MNIST training set).",
            HelpName = "PATH",
        };
        var refuse = new Option<double>("--refuse")
        {
            Description = "The most of the validation digits to refuse, 0–1 (default 0.0075: aims below the 1% of MNIST test digits promised).",
            DefaultValueFactory = _ => new RejectionOptions().TargetRefusedShare,
            HelpName = "SHARE",
        };
        var minUnseen = new Option<double>("--min-unseen-refused")
        {
            Description = "Lower the threshold to refuse as few validation digits as it can while still refusing this share, 0–1, of non-digits unlike any training shows (default 0.95).",
            DefaultValueFactory = _ => new RejectionOptions().MinUnseenRefusedShare!.Value,
            HelpName = "SHARE",
        };
        var fixedShare = new Option<bool>("--fixed-share")
        {
            Description = "Refuse exactly --refuse of the validation digits: do not lower the threshold for the unseen non-digits.",
        };
        var command = new Command("calibrate",
            "Choose the model's threshold for refusing unsure digits on its validation images and store it in the checkpoint.")
        {
            model, data, refuse, minUnseen, fixedShare,
        };
        command.SetAction(parse => CommandRunner.Run(console, cancellation =>
            Run(console, DefaultModel.Resolve(parse.GetValue(model), console), parse.GetValue(data), parse.GetValue(refuse),
                parse.GetValue(fixedShare) ? null : parse.GetValue(minUnseen), cancellation)));
        return command;
    }

    private static int Run(IAnsiConsole console, string modelPath, string? dataPath, double refuse, double? minUnseenRefused,
        CancellationToken cancellation)
    {
        if (refuse is < 0 or >= 1) throw new ArgumentException($"--refuse must be a share in [0, 1) (got {refuse}).");
        if (minUnseenRefused is < 0 or > 1) throw new ArgumentException($"--min-unseen-refused must be a share in [0, 1] (got {minUnseenRefused}).");
        var file = Checkpoint.Resolve(modelPath);
        using var classifier = Checkpoint.Load(file);
        var training = Loading.Load(console, dataPath, MnistSplit.Train);
        if (training.Labels is null)
            throw new DataFormatException(training.Source, 1, 1, "calibrate needs the labelled training data: expected a 'label' column before pixel0");
        var validation = TrainingSplit.ValidationPart(training, classifier.Metadata);
        var description = $"{DigitData.Describe(training.Source)}, validation part";
        var choice = Working.Progress(console, $"Predicting {validation.Count:N0} validation images", validation.Count,
            progress => RejectionCalibrator.Choose(classifier, validation, description, new RejectionOptions { TargetRefusedShare = refuse, MinUnseenRefusedShare = minUnseenRefused },
                progress, cancellation));

        var table = new Table().Border(TableBorder.Simple).AddColumn("method").AddColumn(new TableColumn("threshold").RightAligned())
            .AddColumn(new TableColumn("refused").RightAligned()).AddColumn(new TableColumn("errors refused").RightAligned())
            .AddColumn(new TableColumn("errors left among read").RightAligned()).AddColumn(new TableColumn("non-digits refused").RightAligned())
            .AddColumn(new TableColumn("unseen non-digits refused").RightAligned())
            .AddColumn(new TableColumn("let through").RightAligned());
        foreach (var candidate in choice.Candidates)
        {
            var rule = candidate.Rule;
            var mark = rule == choice.Chosen ? " [green](chosen)[/]" : "";
            var lowered = rule.TargetRefusedShare < refuse ? ", lowered" : "";
            table.AddRow($"{rule.Method}{lowered}{mark}", $"{rule.Threshold:F4}", $"{rule.RefusedShare:P2}", $"{candidate.ErrorsRefusedShare:P1}",
                $"{rule.ErrorShareOfAccepted:P2}", candidate.NonDigitsRefusedShare is { } share ? $"{share:P1}" : "–",
                candidate.UnseenRefusedShare is { } unseen ? $"{unseen:P1}" : "–",
                $"{candidate.LetThrough:N0}");
        }
        console.Write(table);
        classifier.RecordRejection(choice.Chosen);
        Checkpoint.Save(classifier, file);
        console.MarkupLineInterpolated($"Wrote the rule into [bold]{file}[/]: digits scoring {choice.Chosen.Describe()} are reported unreadable.");
        return ExitCodes.Success;
    }
}
