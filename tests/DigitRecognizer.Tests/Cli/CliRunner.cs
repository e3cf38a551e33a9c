using DigitRecognizer.Cli;
using Spectre.Console;

namespace DigitRecognizer.Tests.Cli;

/// <summary>Runs the <c>digits</c> command in-process with a captured, non-interactive console.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 200;
        var exitCode = DigitsApp.Run(args, console, writer, writer);
        return (exitCode, writer.ToString());
    }

    /// <summary>The output with its line wrapping (and any run of spaces) undone, for messages longer than the console is wide.</summary>
    public static string Unwrapped(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");
}
