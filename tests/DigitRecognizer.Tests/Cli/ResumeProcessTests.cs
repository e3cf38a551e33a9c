using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Cli;
using DigitRecognizer.Data;
using DigitRecognizer.Tests.Training;
using DigitRecognizer.Training;

namespace DigitRecognizer.Tests.Cli;

/// <summary>The reference every interrupted run must end at: one uninterrupted run of <see cref="ResumeProcessTests.Arguments"/>.</summary>
public sealed class UninterruptedRun : IDisposable
{
    private readonly TempFolder folder = new();

    public UninterruptedRun()
    {
        KaggleCsvWriter.Write(TrainCsv, TestData.Synthetic(300));
        var run = DigitsProcess.Start(ResumeProcessTests.Arguments(TrainCsv, Checkpoint));
        run.WaitForExit();
        if (run.ExitCode != ExitCodes.Success) throw new InvalidOperationException($"the uninterrupted run failed:\n{run.Output}");
    }

    /// <summary>The uninterrupted run's folder.</summary>
    public string Checkpoint => folder.File("whole");

    /// <summary>The training data, as a Kaggle CSV.</summary>
    public string TrainCsv => folder.File("train.csv");

    /// <summary>A path in the scratch folder.</summary>
    public string File(string name) => folder.File(name);

    public void Dispose() => folder.Dispose();
}

/// <summary>
/// <c>digits train</c> in a child process, killed (SIGKILL) or stopped (SIGTERM) at several moments and resumed:
/// it must end with exactly the checkpoint of an uninterrupted run, history included (timings aside).
/// </summary>
public sealed class ResumeProcessTests(UninterruptedRun whole) : IClassFixture<UninterruptedRun>
{
    // An ensemble of two members (dense; cnn-bn: dropout and batch norm), three epochs each, with augmentation. The
    // slower member second, so that a kill once member 2 has begun lands before the run ends: with the dense one
    // second (a tenth of a second for its three epochs), a busy machine let the run finish first.
    public static string[] Arguments(string data, string output) =>
        ["train", "--data", data, "--model", "dense", "cnn-bn", "--epochs", "3", "--batch-size", "30", "--augment", "true",
         "--threads", "1", "--seed", "5", "--output", output];

    [Fact]
    public void SigkillDuringAnEpoch_DuringTheStateWrite_AndBetweenMembers_ThenResume_GivesTheUninterruptedModel()
    {
        var output = whole.File("killed");
        string[] resume = ["train", "--resume", output];

        // 1. During an epoch: member 1's second epoch is under way (the dense member being quick, a busy machine may be
        // further on when the kill lands), its first is saved.
        var first = DigitsProcess.Start(Arguments(whole.TrainCsv, output));
        first.WaitForLine("epoch 2/3");
        first.Kill();
        Assert.True(System.IO.File.Exists(Path.Combine(output, "resume.state")), first.Output);

        // 2. During the state write: the second state this process writes stops half-way (test hook).
        var second = DigitsProcess.Start(resume, (ResumeState.KillDuringWriteVariable, "2"));
        second.WaitForExit();
        Assert.NotEqual(ExitCodes.Success, second.ExitCode);
        // From member 1 after an epoch, or (a busy machine) from member 2.
        Assert.Matches(@"Resuming .*: (0 of 2 ensemble members and [12] epoch|1 of 2 ensemble members)", second.Output);
        Assert.NotEmpty(Directory.GetFiles(output, ".resume.state.*.tmp"));   // the half-written file, never moved into place

        // 3. In member 2: member 1 is finished and saved, member 2 has only just started (or is further on).
        var third = DigitsProcess.Start(resume);
        third.WaitForLine("Ensemble member 2/2");
        third.Kill();
        Assert.True(System.IO.File.Exists(Path.Combine(output, "resume.state")), $"the run ended before it could be killed in member 2:\n{third.Output}");

        var last = DigitsProcess.Start(resume);
        last.WaitForExit();

        Assert.True(last.ExitCode == ExitCodes.Success, last.Output);
        Assert.Contains("Resuming", last.Output);
        AssertSameCheckpoint(whole.Checkpoint, output);
        Assert.Empty(Directory.GetFiles(output, "*resume.state*"));
    }

    [Fact]
    public void Sigterm_StopsWithExitCode143_SayingHowToResume_AndTheResumedRunIsTheUninterruptedOne()
    {
        var output = whole.File("terminated");

        var stopped = DigitsProcess.Start(Arguments(whole.TrainCsv, output));
        stopped.WaitForLine("epoch 2/3");
        stopped.Signal(Sigterm);
        stopped.WaitForExit();
        var resumed = DigitsProcess.Start(["train", "--resume", output, "--threads", "1"]);
        resumed.WaitForExit();

        Assert.True(stopped.ExitCode == ExitCodes.Terminated, stopped.Output);
        Assert.Contains($"Continue it with: digits train --resume {output}", stopped.Output);
        Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.Output);
        AssertSameCheckpoint(whole.Checkpoint, output);
    }

    [Fact]
    public void Train_IntoAFolderWithAResumeState_IsRefused_AndAnotherThreadCountOnResumeToo()
    {
        var output = whole.File("refused");
        var stopped = DigitsProcess.Start(Arguments(whole.TrainCsv, output));
        stopped.WaitForLine("epoch 2/3");
        stopped.Kill();

        var again = CliRunner.Run(Arguments(whole.TrainCsv, output));
        var otherThreads = CliRunner.Run("train", "--resume", output, "--threads", "2");

        Assert.Equal(ExitCodes.Failure, again.ExitCode);
        Assert.Contains($"continue it with `digits train --resume {output}`, or start afresh with --restart", CliRunner.Unwrapped(again.Output));
        Assert.Equal(ExitCodes.Failure, otherThreads.ExitCode);
        Assert.Contains("threads 1 (given 2)", CliRunner.Unwrapped(otherThreads.Output));
        Assert.True(System.IO.File.Exists(Path.Combine(output, "resume.state")));   // refusing destroys nothing
    }

    private const int Sigterm = 15;

    private static void AssertSameCheckpoint(string expectedPath, string actualPath)
    {
        using var expected = Checkpoint.Load(expectedPath);
        using var actual = Checkpoint.Load(actualPath);
        ResumeTests.AssertSameModel(expected, actual);
    }
}

/// <summary>
/// The built <c>digits</c> command (copied beside the tests) running in a child process, its output collected.
/// Disposing kills it if it still runs.
/// </summary>
internal sealed class DigitsProcess : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly Process process;
    private readonly StringBuilder output = new();

    private DigitsProcess(Process process) => this.process = process;

    /// <summary>Everything it printed, with line breaks and runs of spaces as single spaces (long messages wrap).</summary>
    public string Output
    {
        get { lock (output) return System.Text.RegularExpressions.Regex.Replace(output.ToString(), @"\s+", " "); }
    }

    public int ExitCode => process.ExitCode;

    /// <summary>The child's process id (for /proc and signals).</summary>
    public int Id => process.Id;

    public static DigitsProcess Start(string[] arguments, params (string Name, string Value)[] environment) =>
        StartIn(Directory.GetCurrentDirectory(), arguments, environment);

    /// <summary>As <see cref="Start"/>, with <paramref name="workingFolder"/> as the current folder.</summary>
    public static DigitsProcess StartIn(string workingFolder, string[] arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingFolder,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "digits.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var child = new DigitsProcess(new Process { StartInfo = start });
        child.process.OutputDataReceived += (_, e) => child.Append(e.Data);
        child.process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        child.process.Start();
        child.process.BeginOutputReadLine();
        child.process.BeginErrorReadLine();
        return child;
    }

    public void WaitForLine(string text)
    {
        var clock = Stopwatch.StartNew();
        while (!Output.Contains(text))
        {
            if (process.HasExited) throw new InvalidOperationException($"digits exited ({process.ExitCode}) before printing '{text}':\n{Output}");
            if (clock.Elapsed > Patience) throw new TimeoutException($"no '{text}' after {Patience}:\n{Output}");
            Thread.Sleep(20);
        }
    }

    public void WaitForExit()
    {
        if (!process.WaitForExit(Patience)) { process.Kill(); throw new TimeoutException($"digits did not finish in {Patience}:\n{Output}"); }
        process.WaitForExit();   // drains the output
    }

    /// <summary>SIGKILL: no handler runs, nothing is flushed.</summary>
    public void Kill()
    {
        process.Kill();
        WaitForExit();
    }

    public bool HasExited => process.HasExited;

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
    }

    public void Signal(int signal)
    {
        if (SendSignal(process.Id, signal) != 0) throw new InvalidOperationException($"kill({process.Id}, {signal}) failed");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
