using System.CommandLine;
using System.Diagnostics;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Reading;
using DigitRecognizer.Web;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary>
/// <c>digits bench-read</c>: reads numbers built from MNIST test digits pasted on paper (never used to tune anything)
/// and prints how many are read exactly, how many have an unsure digit, per-digit accuracy and where the boxes landed.
/// </summary>
internal static class BenchReadCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var model = new Option<string?>("--model", "-m")
        {
            Description = $"The checkpoint file, the folder holding model.ckpt, or an exported .onnx file (default: {DefaultModel.Described}).",
            HelpName = "PATH",
        };
        var count = new Option<int>("--count") { Description = "Numbers to read.", DefaultValueFactory = _ => 1000, HelpName = "N" };
        var digits = new Option<int>("--digits") { Description = "Digits per number.", DefaultValueFactory = _ => 4, HelpName = "N" };
        var seed = new Option<int>("--seed") { Description = "Seed of the numbers drawn.", DefaultValueFactory = _ => 1, HelpName = "N" };
        var data = new Option<string?>("--data") { Description = "Folder of MNIST IDX files (default: the embedded one); its test digits are used.", HelpName = "FOLDER" };
        var command = new Command("bench-read", "Read numbers built from MNIST test digits and print how many come out exactly right.")
        {
            model, count, digits, seed, data,
        };
        command.SetAction(parse => CommandRunner.Run(console, cancellation =>
            Run(console, DefaultModel.Resolve(parse.GetValue(model), console), parse.GetValue(count), parse.GetValue(digits), parse.GetValue(seed),
                parse.GetValue(data), cancellation)));
        return command;
    }

    private static int Run(IAnsiConsole console, string modelPath, int count, int digitsPerNumber, int seed, string? dataFolder, CancellationToken cancellation)
    {
        if (count < 1) throw new ArgumentException($"--count must be at least 1 (got {count}).");
        if (digitsPerNumber is < 1 or > 12) throw new ArgumentException($"--digits must be 1 to 12 (got {digitsPerNumber}).");
        var folder = dataFolder ?? MnistFiles.FindDefaultFolder() ?? throw new ArgumentException("no MNIST folder found; pass --data FOLDER.");
        var test = MnistFiles.Load(folder, MnistSplit.Test);
        using var model = ModelFile.Load(modelPath);
        var reader = model.NumberReader();
        var options = new SyntheticNumberOptions { MinDigits = digitsPerNumber, MaxDigits = digitsPerNumber };
        var numbers = SyntheticNumbers.Generate(test, count, seed, options).ToList();

        int exact = 0, unsure = 0, digitsTotal = 0, digitsRight = 0, boxesMatched = 0, rightCount = 0;
        var clock = Stopwatch.StartNew();
        console.Progress().Start(context =>
        {
            var task = context.AddTask("Reading numbers", maxValue: numbers.Count);
            foreach (var number in numbers)
            {
                cancellation.ThrowIfCancellationRequested();
                var reading = reader.Read(number.Encoded, cancellation);
                if (reading.Unsure) unsure++;
                if (reading.Text == number.Text) exact++;
                if (reading.Digits.Count == number.Boxes.Count) rightCount++;
                for (var i = 0; i < number.Boxes.Count; i++)
                {
                    digitsTotal++;
                    var truth = number.Boxes[i];
                    var match = reading.Digits.FirstOrDefault(d => d.Box.IntersectionOverUnion(truth) >= 0.5);
                    if (match is null) continue;
                    boxesMatched++;
                    if (!match.Unsure && match.Label == number.Text[i] - '0') digitsRight++;
                }
                task.Increment(1);
            }
        });
        var seconds = clock.Elapsed.TotalSeconds;
        var rule = reader.Rejection;
        console.MarkupLineInterpolated($"Read {count:N0} {digitsPerNumber}-digit numbers built from MNIST test digits (seed {seed}) with [bold]{Checkpoint.Describe(model.Path, model.Classifier.Architecture)}[/] in {seconds:F1} s ({count / seconds:F1} numbers/s, one thread).");
        console.MarkupLine(rule is null ? "[grey]No refusal rule in the model (digits calibrate): no digit is marked unsure.[/]" : $"Refusal rule: {Markup.Escape(rule.Describe())}");
        console.MarkupLineInterpolated($"  read exactly (every digit right, none unsure): [bold]{(double)exact / count:P1}[/] ({exact:N0})");
        console.MarkupLineInterpolated($"  with an unsure digit:                          {(double)unsure / count:P1} ({unsure:N0})");
        console.MarkupLineInterpolated($"  digits read right (box found, not unsure):      {(double)digitsRight / digitsTotal:P2} of {digitsTotal:N0}");
        console.MarkupLineInterpolated($"  digit boxes found (IoU ≥ 0.5 with the ink):     {(double)boxesMatched / digitsTotal:P2}");
        console.MarkupLineInterpolated($"  numbers with as many digits found as written:  {(double)rightCount / count:P1}");
        return ExitCodes.Success;
    }
}
