using System.CommandLine;
using DigitRecognizer.Cli.Rendering;
using DigitRecognizer.Data;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary><c>digits export</c>: writes digits (the embedded MNIST by default) as a Kaggle-format CSV.</summary>
internal static class ExportCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var data = new Option<string?>("--data")
        {
            Description = "Digits to export: a folder of MNIST IDX files, an IDX image file or a CSV. Default: the embedded MNIST.",
            HelpName = "PATH",
        };
        var split = new Option<MnistSplit>("--split")
        {
            Description = "Which part of an MNIST folder: train (60,000 images) or test (10,000).",
            DefaultValueFactory = _ => MnistSplit.Train,
        };
        var labels = new Option<bool>("--labels")
        {
            Description = "Write the label column (train.csv layout); --labels false gives the test.csv layout.",
            DefaultValueFactory = _ => true,
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "The CSV file to write.",
            HelpName = "FILE",
            Required = true,
        };

        var command = new Command("export", "Write digits as a Kaggle-format CSV (train.csv or test.csv layout), e.g. to try the Kaggle workflow offline with MNIST.")
        {
            data, split, labels, output,
        };
        command.SetAction(parse => CommandRunner.Run(console, _ =>
        {
            var path = parse.GetValue(output)!;
            OutputPaths.RefuseOverwritingInput(path, "--output", parse.GetValue(data));
            var dataset = Loading.Load(console, parse.GetValue(data), parse.GetValue(split));
            var withLabels = parse.GetValue(labels) && dataset.IsLabelled;
            if (parse.GetResult(labels) is { Implicit: false } && parse.GetValue(labels) && !dataset.IsLabelled)
                console.MarkupLineInterpolated($"[yellow]note:[/] {dataset.Source} has no labels; writing the test.csv layout.");
            KaggleCsvWriter.Write(path, dataset, withLabels);
            console.MarkupLineInterpolated($"Wrote {dataset.Count:N0} images {(withLabels ? "with" : "without")} labels to [bold]{path}[/].");
            return ExitCodes.Success;
        }));
        return command;
    }
}
