using System.CommandLine;
using System.Runtime.Intrinsics.X86;
using DigitRecognizer.Benchmarking;
using DigitRecognizer.Cli.Rendering;
using DigitRecognizer.Engine;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary><c>digits bench</c>: prints CSV load, training and inference speed on this machine.</summary>
internal static class BenchCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var defaults = new BenchmarkOptions();
        var runs = new Option<int>("--runs")
        {
            Description = "Repetitions per measurement; medians are reported.",
            DefaultValueFactory = _ => defaults.Runs,
            HelpName = "N",
        };
        var models = new Option<string[]>("--models")
        {
            Description = "Architectures to time.",
            DefaultValueFactory = _ => [.. defaults.Models],
            AllowMultipleArgumentsPerToken = true,
            HelpName = "NAME",
        };
        var trainImages = new Option<int>("--train-images")
        {
            Description = "Images per timed training epoch.",
            DefaultValueFactory = _ => defaults.TrainImages,
            HelpName = "N",
        };
        var threads = new Option<int>("--threads")
        {
            Description = "libtorch threads; 0 = one per core.",
            DefaultValueFactory = _ => defaults.Threads,
            HelpName = "N",
        };

        var precisions = new Option<Precision[]>("--precision")
        {
            Description = "Arithmetic to time training and prediction in (one or more): float32, bfloat16.",
            DefaultValueFactory = _ => [.. defaults.Precisions],
            AllowMultipleArgumentsPerToken = true,
            HelpName = "float32|bfloat16",
        };

        var onnxModels = new Option<string[]>("--onnx-models")
        {
            Description = "Architectures whose prediction is also timed on ONNX Runtime beside TorchSharp (images/s, one-image latency); 'none' for none.",
            DefaultValueFactory = _ => [.. defaults.OnnxModels],
            AllowMultipleArgumentsPerToken = true,
            HelpName = "NAME",
        };

        var command = new Command("bench", "Measure CSV loading, training and prediction speed on this machine (medians of several runs).")
        {
            runs, models, trainImages, threads, precisions, onnxModels,
        };
        command.SetAction(parse => CommandRunner.Run(console, cancellation =>
        {
            var options = defaults with
            {
                Runs = parse.GetValue(runs),
                Models = parse.GetValue(models)!.Where(m => m != "none").ToArray(),
                TrainImages = parse.GetValue(trainImages),
                Threads = parse.GetValue(threads),
                Precisions = parse.GetValue(precisions)!,
                OnnxModels = parse.GetValue(onnxModels)!.Where(m => m != "none").ToArray(),
            };
            var bfloat16 = BFloat16Support.IsNative ? $"bfloat16 in hardware ({string.Join(", ", BFloat16Support.Instructions)})" : X86Base.IsSupported ? "no bfloat16 instructions" : "bfloat16 instructions not detected (not an x86 CPU)";
            console.MarkupLineInterpolated($"Benchmarking on {Environment.ProcessorCount} cores, {bfloat16}, {options.Runs} runs each (medians)…");
            var progress = new SyncProgress<BenchmarkFigure>(figure =>
                console.MarkupLineInterpolated(
                    $"  {figure.Name,-40} [bold]{figure.Median,12:N2}[/] {figure.Unit,-9} {figure.Note} (runs {figure.Runs.Min():N2}–{figure.Runs.Max():N2})"));
            Benchmark.Run(options, progress, cancellation);
            return ExitCodes.Success;
        }));
        return command;
    }
}
