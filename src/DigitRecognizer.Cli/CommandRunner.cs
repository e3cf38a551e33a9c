using System.Runtime.InteropServices;
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

    /// <summary>Stopped by Ctrl+C (SIGINT): 128 + 2, as shells report it.</summary>
    public const int Cancelled = 130;

    /// <summary>Stopped by SIGTERM (docker stop, systemd, CI timeouts): 128 + 15.</summary>
    public const int Terminated = 143;
}

/// <summary>A command stopped by a signal that kept something to continue from: the message says what and how.</summary>
internal sealed class StoppedException(string message) : OperationCanceledException(message);

/// <summary>Runs a verb's body and turns every expected failure into one line on the console and an exit code.</summary>
internal static class CommandRunner
{
    public static int Run(IAnsiConsole console, Func<CancellationToken, int> body)
    {
        using var cancellation = new CancellationTokenSource();
        var exitCode = ExitCodes.Cancelled;
        // The first Ctrl+C or SIGTERM asks the work to stop at its next check (training: the next batch) and
        // keep what it can; a second one is left to the system, which ends the process at once.
        void Stop(PosixSignalContext context, int code)
        {
            if (cancellation.IsCancellationRequested) return;
            context.Cancel = true;
            exitCode = code;
            cancellation.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, ExitCodes.Cancelled));
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, ExitCodes.Terminated));
        try
        {
            return body(cancellation.Token);
        }
        catch (OperationCanceledException error)
        {
            console.MarkupLineInterpolated($"[yellow]{(error is StoppedException ? error.Message : "Cancelled; no output files were changed.")}[/]");
            return exitCode;
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
    }
}
