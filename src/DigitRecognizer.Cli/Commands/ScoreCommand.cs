using System.CommandLine;
using DigitRecognizer.Cli.Rendering;
using DigitRecognizer.Data;
using DigitRecognizer.Evaluation;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary><c>digits score</c>: the accuracy of a submission file against known labels, as Kaggle would score it.</summary>
internal static class ScoreCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var submission = new Option<string>("--submission", "-s")
        {
            Description = "A submission file: ImageId,Label, each ImageId from 1 to the number of rows once, the rows in any order (Kaggle matches them by ImageId).",
            HelpName = "FILE",
            Required = true,
        };
        var truth = new Option<string?>("--truth")
        {
            Description = "The true labels, image i for ImageId i: a labelled CSV, an MNIST folder (test part) or an IDX image file with labels beside it. Default: the embedded MNIST test set.",
            HelpName = "PATH",
        };

        var command = new Command("score", "Score a submission against known labels (accuracy, as Kaggle's leaderboard does).")
        {
            submission, truth,
        };
        command.SetAction(parse => CommandRunner.Run(console, _ =>
        {
            var submissionPath = parse.GetValue(submission)!;
            var reference = Loading.Load(console, parse.GetValue(truth), MnistSplit.Test);
            var matrix = SubmissionScorer.Score(submissionPath, reference);
            console.MarkupLineInterpolated(
                $"{submissionPath}: accuracy [bold green]{matrix.Accuracy:P2}[/] ({matrix.Correct:N0}/{matrix.Total:N0} correct) against {reference.Source}.");
            return ExitCodes.Success;
        }));
        return command;
    }
}
