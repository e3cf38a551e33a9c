using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Engine;
using DigitRecognizer.Onnx;
using Spectre.Console;

namespace DigitRecognizer.Cli;

/// <summary>Exit codes of the <c>digits</c> command.</summary>
public static class ExitCodes
{
    /// <summary>The work was done.</summary>
    public const int Success = 0;

    /// <summary>Bad input, a bad option value, a missing or unusable file: the message says which.</summary>
    public const int Failure = 1;

    /// <summary>A bug: something failed that should not have.</summary>
    public const int InternalError = 70;

    /// <summary>Stopped by Ctrl+C.</summary>
    public const int Cancelled = 130;
}

/// <summary>Runs a verb's body and turns every expected failure into one line on the console and an exit code.</summary>
internal static class CommandRunner
{
    public static int Run(IAnsiConsole console, Func<CancellationToken, int> body)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return body(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("[yellow]Cancelled; no output files were changed.[/]");
            return ExitCodes.Cancelled;
        }
        catch (Exception error) when (error is DataFormatException or CheckpointException or OnnxModelException or EngineUnavailableException
                                          or ArgumentException or FileNotFoundException or DirectoryNotFoundException
                                          or UnauthorizedAccessException or IOException)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {error.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception error)
        {
            console.MarkupLineInterpolated($"[red]internal error ({error.GetType().Name}):[/] {error.Message}");
            if (Environment.GetEnvironmentVariable("DIGITS_DEBUG") == "1")
                console.WriteException(error);
            else
                console.MarkupLine("[grey]Set DIGITS_DEBUG=1 to see the stack trace.[/]");
            return ExitCodes.InternalError;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
