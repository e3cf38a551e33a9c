using System.CommandLine;
using System.Globalization;
using DigitRecognizer.Cli.Commands;
using Spectre.Console;

namespace DigitRecognizer.Cli;

/// <summary>The <c>digits</c> command: one verb per class in Commands/, rendered through an injected console.</summary>
public static class DigitsApp
{
    // Figures print the same everywhere (1,234.5), with percentages as "99.12%" rather than the invariant "99.12 %".
    private static readonly CultureInfo DisplayCulture = CreateDisplayCulture();

    private static CultureInfo CreateDisplayCulture()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.PercentPositivePattern = 1;
        culture.NumberFormat.PercentNegativePattern = 1;
        return culture;
    }

    /// <summary>Builds the command tree.</summary>
    public static RootCommand CreateRootCommand(IAnsiConsole console) =>
        new("digits — train, predict and evaluate handwritten-digit recognizers (MNIST, Kaggle Digit Recognizer).")
        {
            TrainCommand.Create(console),
            PredictCommand.Create(console),
            ReadCommand.Create(console),
            CalibrateCommand.Create(console),
            BenchReadCommand.Create(console),
            EvaluateCommand.Create(console),
            ShowCommand.Create(console),
            ScoreCommand.Create(console),
            ExportCommand.Create(console),
            ExportOnnxCommand.Create(console),
            BenchCommand.Create(console),
            ServeCommand.Create(console),
            BenchServeCommand.Create(console),
        };

    /// <summary>Parses and runs <paramref name="args"/>; returns the process exit code (0 = success).</summary>
    public static int Run(string[] args, IAnsiConsole console, TextWriter? output = null, TextWriter? error = null)
    {
        CultureInfo.CurrentCulture = DisplayCulture;
        var configuration = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            // Failures are reported by CommandRunner as one clear line; no stack traces for users.
            EnableDefaultExceptionHandler = false,
        };
        return CreateRootCommand(console).Parse(args).Invoke(configuration);
    }
}
