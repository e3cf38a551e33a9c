using System.CommandLine;
using DigitRecognizer.Cli.Rendering;
using DigitRecognizer.Data;
using DigitRecognizer.IO;
using DigitRecognizer.Visualization;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary><c>digits show</c>: draws the first digits of any supported input as a PNG grid, or as text in the terminal.</summary>
internal static class ShowCommand
{
    /// <summary>Digits printed with --ascii unless --count says otherwise: one row on a wide terminal.</summary>
    private const int DefaultAsciiCount = 5;

    public static Command Create(IAnsiConsole console)
    {
        var data = new Option<string?>("--data")
        {
            Description = "Digits to show: a Kaggle CSV (with or without labels), a folder of MNIST IDX files or an IDX image file. Default: the embedded MNIST.",
            HelpName = "PATH",
        };
        var split = new Option<MnistSplit>("--split")
        {
            Description = "Which part of an MNIST folder: train (60,000 images) or test (10,000).",
            DefaultValueFactory = _ => MnistSplit.Train,
        };
        var count = new Option<int?>("--count", "-n")
        {
            Description = $"How many digits, from the first. Default: {DigitPictures.DefaultCount} in a picture, {DefaultAsciiCount} as text.",
            HelpName = "N",
        };
        var labels = new Option<bool>("--labels")
        {
            Description = "Write each digit's label under it (when the data has labels).",
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "The PNG file to write. Default: digits.png, or none with --ascii.",
            HelpName = "FILE.png",
        };
        var ascii = new Option<bool>("--ascii")
        {
            Description = "Print the digits as text in the terminal (14 lines of 28 characters each) for a quick look.",
        };

        var command = new Command("show", "Draw digits from a data file as a PNG grid (or as text with --ascii), with their labels if asked.")
        {
            data, split, count, labels, output, ascii,
        };
        command.SetAction(parse => CommandRunner.Run(console, _ =>
        {
            var asText = parse.GetValue(ascii);
            var howMany = parse.GetValue(count) ?? (asText ? DefaultAsciiCount : DigitPictures.DefaultCount);
            if (howMany < 1) throw new ArgumentException($"--count must be at least 1 (got {howMany}).");
            var picturePath = parse.GetValue(output) ?? (asText ? null : "digits.png");
            var withLabels = parse.GetValue(labels);
            OutputPaths.RefuseOverwritingInput(picturePath, "--output", parse.GetValue(data));

            var digits = Loading.Load(console, parse.GetValue(data), parse.GetValue(split));
            if (withLabels && !digits.IsLabelled)
                console.MarkupLineInterpolated($"[yellow]note:[/] {digits.Source} has no labels; showing the digits without them.");
            if (asText)
                AsciiDigitsView.Render(console, digits, howMany, withLabels);
            if (picturePath is not null)
            {
                AtomicFile.WriteBytes(picturePath, DigitPictures.Samples(digits, howMany, withLabels, DigitData.Describe(digits.Source)));
                console.MarkupLineInterpolated($"Drew the first {Math.Min(howMany, digits.Count):N0} digits in [bold]{picturePath}[/].");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
