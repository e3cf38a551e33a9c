using DigitRecognizer.Cli;
using Spectre.Console;

var console = AnsiConsole.Console;
// Redirected output (logs, CI) has no width; Spectre would wrap at 80 columns and break every line.
if (Console.IsOutputRedirected) console.Profile.Width = 160;
return DigitsApp.Run(args, console);
