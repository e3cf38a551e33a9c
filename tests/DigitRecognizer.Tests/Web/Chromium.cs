using Xunit.Abstractions;

namespace DigitRecognizer.Tests.Web;

/// <summary>
/// Where the browser tests find Chromium, and what they do without it. A machine with only the .NET SDK must pass
/// the README's test command, so there a browser test reports itself skipped (with the reason and the install
/// command) instead of failing; CI installs Chromium and sets <see cref="RequireVariable"/> so that a browser
/// that went missing fails the run rather than quietly skipping every browser test.
/// </summary>
internal static class Chromium
{
    /// <summary>Debian's Chromium; Playwright's own browser download is never used.</summary>
    public const string DefaultPath = "/usr/bin/chromium";

    /// <summary>Environment variable naming another Chromium executable (tests of the skip point it at a missing file).</summary>
    public const string PathVariable = "DIGITS_CHROMIUM";

    /// <summary>Environment variable that, set to 1 (.ci/run sets it), turns a missing browser from a skip into a failure.</summary>
    public const string RequireVariable = "DIGITS_REQUIRE_BROWSER";

    /// <summary>What installs it on Debian and Ubuntu.</summary>
    public const string InstallCommand = "sudo apt-get install -y chromium";

    /// <summary>The executable the browser tests launch: <see cref="PathVariable"/> if set, else <see cref="DefaultPath"/>.</summary>
    public static string Path => Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path ? path : DefaultPath;

    /// <summary>
    /// The browser's path when it is installed; otherwise skips the calling <c>[SkippableFact]</c> test, or fails it
    /// where <see cref="RequireVariable"/> is 1.
    /// </summary>
    public static string Require() => Require(Path, Environment.GetEnvironmentVariable(RequireVariable) == "1");

    /// <summary><see cref="Require()"/> for a given path and requirement.</summary>
    public static string Require(string path, bool required)
    {
        if (File.Exists(path)) return path;
        if (required) Assert.Fail($"{MissingReason(path)} ({RequireVariable}=1 makes a missing browser a failure, not a skip.)");
        throw new SkipException(MissingReason(path));
    }

    /// <summary>Why the browser tests cannot run, and what to do about it.</summary>
    public static string MissingReason(string path) =>
        $"Chromium is not installed at {path}; install it with `{InstallCommand}` to run the browser tests.";
}

/// <summary>
/// Says once per test class, at the default verbosity of <c>dotnet test</c>, why its browser tests are skipped:
/// the runner names each skipped test but prints skip reasons only at higher verbosity. Diagnostic messages are
/// shown because xunit.runner.json turns them on.
/// </summary>
public sealed class ChromiumNotice
{
    public ChromiumNotice(IMessageSink diagnostics)
    {
        if (!File.Exists(Chromium.Path))
            diagnostics.OnMessage(new Xunit.Sdk.DiagnosticMessage($"Browser tests skipped: {Chromium.MissingReason(Chromium.Path)}"));
    }
}
