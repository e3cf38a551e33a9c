using System.CommandLine;
using System.Diagnostics;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Cli.Rendering;
using DigitRecognizer.Data;
using DigitRecognizer.Evaluation;
using DigitRecognizer.IO;
using DigitRecognizer.Reading;
using DigitRecognizer.Training;
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
        var data = new Option<string?>("--data") { Description = "Folder of MNIST IDX files (default: the embedded one).", HelpName = "FOLDER" };
        var from = new Option<DigitSource>("--from")
        {
            Description = "Which digits the numbers are built from: test = the MNIST test digits (for reported figures; tune nothing on them); " +
                          "validation = the training digits the model held out (unseen by it: for tuning the reading rules).",
            DefaultValueFactory = _ => DigitSource.Test,
        };
        var paper = new Option<PaperKind>("--paper")
        {
            Description = "What the numbers are written on: plain, ruled (lined paper, rules through the digits), squared (a grid), boxes (a form's boxes, one per digit), " +
                          "underlined (a line in the same ink touching the lowest digits), desk (plain paper, a sheet photographed on a dark desk that fills the rest of the photo).",
            DefaultValueFactory = _ => PaperKind.Plain,
        };
        var frames = new SyntheticNumberOptions().FrameSide;
        var frame = new Option<string>("--frame")
        {
            Description = "Smallest and largest side, in pixels, of a pasted digit's 28×28 frame (its ink is about 20/28 of it), as MIN-MAX.",
            DefaultValueFactory = _ => $"{frames.Min}-{frames.Max}",
            HelpName = "MIN-MAX",
        };
        var size = new Option<string?>("--size")
        {
            Description = "Width and height of every image, as WIDTHxHEIGHT, the number centred in it (default: the number with a margin of about a frame). " +
                          "A photo's size (4032x3024) shows how small digits in a large image read.",
            HelpName = "WxH",
        };
        var failures = new Option<string?>("--failures")
        {
            Description = "Folder to draw the numbers not read exactly in (each with its boxes and answers, named after its index, truth and reading).",
            HelpName = "DIR",
        };
        var command = new Command("bench-read", "Read numbers built from MNIST digits and print how many come out exactly right, and what went wrong with the others.")
        {
            model, count, digits, seed, data, from, paper, frame, size, failures,
        };
        command.SetAction(parse => CommandRunner.Run(console, cancellation =>
            Run(console, DefaultModel.Resolve(parse.GetValue(model), console), parse.GetValue(count), parse.GetValue(digits), parse.GetValue(seed),
                parse.GetValue(data), parse.GetValue(from), parse.GetValue(paper), ParsePair(parse.GetValue(frame)!, '-', "--frame"),
                parse.GetValue(size) is { } given ? ParsePair(given, 'x', "--size") : null, parse.GetValue(failures), cancellation)));
        return command;
    }

    /// <summary>Where the digits of the numbers come from.</summary>
    internal enum DigitSource
    {
        Test,
        Validation,
    }

    private static int Run(IAnsiConsole console, string modelPath, int count, int digitsPerNumber, int seed, string? dataFolder, DigitSource from,
        PaperKind paper, (int Min, int Max) frame, (int Width, int Height)? size, string? failuresFolder, CancellationToken cancellation)
    {
        if (frame.Min < 8 || frame.Max < frame.Min) throw new ArgumentException($"--frame must be MIN-MAX with 8 ≤ MIN ≤ MAX (got {frame.Min}-{frame.Max}).");
        if (size is { } page && (page.Width < frame.Max * (digitsPerNumber + 1) || page.Height < 2 * frame.Max))
            throw new ArgumentException($"--size {page.Width}x{page.Height} cannot hold {digitsPerNumber} digits of frames up to {frame.Max} px with a margin.");
        if (count < 1) throw new ArgumentException($"--count must be at least 1 (got {count}).");
        if (digitsPerNumber is < 1 or > 12) throw new ArgumentException($"--digits must be 1 to 12 (got {digitsPerNumber}).");
        var folder = dataFolder ?? MnistFiles.FindDefaultFolder() ?? throw new ArgumentException("no MNIST folder found; pass --data FOLDER.");
        using var model = ModelFile.Load(modelPath);
        var (digitsUsed, described) = from == DigitSource.Test
            ? (MnistFiles.Load(folder, MnistSplit.Test), "MNIST test digits")
            : (TrainingSplit.ValidationPart(MnistFiles.Load(folder, MnistSplit.Train), model.Metadata
                   ?? throw new ArgumentException($"--from validation needs the model's training split: {model.Path} carries no DigitRecognizer checkpoint metadata.")),
               "the training digits the model held out");
        var reader = model.NumberReader();
        var options = new SyntheticNumberOptions { MinDigits = digitsPerNumber, MaxDigits = digitsPerNumber, Paper = paper, FrameSide = frame, Size = size };
        // Drawn before the clock starts: the time printed is reading alone, as before.
        var numbers = SyntheticNumbers.Generate(digitsUsed, count, seed, options).ToList();

        var clock = Stopwatch.StartNew();
        var score = Working.Progress(console, "Reading numbers", count,
            progress => NumberReadingScore.Measure(reader, numbers, progress, cancellation));
        var seconds = clock.Elapsed.TotalSeconds;
        var rule = reader.Rejection;
        var layout = $"frames {frame.Min}–{frame.Max} px" + (size is { } s ? $", {s.Width}×{s.Height} images" : "");
        console.MarkupLineInterpolated($"Read {count:N0} {digitsPerNumber}-digit numbers built from {described} (seed {seed}; {layout}) on {paper.ToString().ToLowerInvariant()} paper with [bold]{Checkpoint.Describe(model.Path, model.Classifier.Architecture)}[/] in {seconds:F1} s ({count / seconds:F1} numbers/s, one thread).");
        console.MarkupLine(rule is null ? "[grey]No refusal rule in the model (digits calibrate): no digit is marked unsure.[/]" : $"Refusal rule: {Markup.Escape(rule.Describe())}");
        console.MarkupLineInterpolated($"  read exactly (every digit right, none unsure): [bold]{score.ExactShare:P1}[/] ({score.Exact:N0})");
        console.MarkupLineInterpolated($"  with an unsure digit:                          {score.UnsureShare:P1} ({score.WithUnsureDigit:N0})");
        console.MarkupLineInterpolated($"  digits read right (box found, not unsure):      {score.DigitsRightShare:P2} of {score.Digits:N0}");
        console.MarkupLineInterpolated($"  digit boxes found (IoU ≥ 0.5 with the ink):     {score.BoxesFoundShare:P2}");
        console.MarkupLineInterpolated($"  numbers with as many digits found as written:  {score.RightDigitCountShare:P1}");
        console.MarkupLine("  digits that went wrong:");
        foreach (var (fault, faults) in score.FaultCounts)
            console.MarkupLineInterpolated($"    {Describe(fault),-42} {faults,6:N0} ({(double)faults / score.Digits:P2})");
        if (failuresFolder is not null) DrawFailures(console, failuresFolder, score);
        return ExitCodes.Success;
    }

    /// <summary>"40-110" or "600x200" as two positive whole numbers.</summary>
    private static (int, int) ParsePair(string text, char separator, string option)
    {
        var parts = text.Split(separator);
        if (parts.Length == 2 && int.TryParse(parts[0], out var first) && int.TryParse(parts[1], out var second) && first > 0 && second > 0)
            return (first, second);
        throw new ArgumentException($"{option} expects two positive whole numbers as A{separator}B (got '{text}').");
    }

    private static string Describe(DigitFault fault) => fault switch
    {
        DigitFault.Misread => "read as another digit",
        DigitFault.Unsure => "refused (unsure)",
        DigitFault.MergedWithNeighbour => "box merged with a neighbour's",
        DigitFault.CutInTwo => "cut in two",
        _ => "not found (skipped as a mark, or cut wrongly)",
    };

    // Each failure as ReadCommand's --show draws it, named so that a listing sorts by index and shows truth and reading.
    private static void DrawFailures(IAnsiConsole console, string folder, NumberReadingScore score)
    {
        Directory.CreateDirectory(folder);
        foreach (var failure in score.Failures)
        {
            var name = $"{failure.Index:D4}-{failure.Number.Text}-read-{failure.Reading.Text.Replace(NumberReading.UnreadableDigit, 'x')}.png";
            AtomicFile.WriteBytes(Path.Combine(folder, name), ReadCommand.Draw(failure.Number.Encoded, failure.Reading));
        }
        console.MarkupLineInterpolated($"Drew the {score.Failures.Count:N0} numbers not read exactly in [bold]{folder}[/].");
    }
}
