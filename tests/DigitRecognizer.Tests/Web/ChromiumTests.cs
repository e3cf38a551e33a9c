using System.Diagnostics;

namespace DigitRecognizer.Tests.Web;

/// <summary>What a browser test does when Chromium is absent: skip with the reason, or fail where CI requires it.</summary>
[Trait("Category", "Fast")]
public sealed class ChromiumTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Require_WithoutTheBrowser_SkipsNamingThePathAndTheInstallCommand()
    {
        var missing = folder.File("no-chromium");

        var skip = Assert.Throws<SkipException>(() => Chromium.Require(missing, required: false));

        Assert.Contains(missing, skip.Message);
        Assert.Contains(Chromium.InstallCommand, skip.Message);
    }

    [Fact]
    public void Require_WithoutTheBrowserWhereCiRequiresIt_Fails()
    {
        var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Chromium.Require(folder.File("no-chromium"), required: true));

        Assert.IsNotType<SkipException>(failure);
        Assert.Contains(Chromium.RequireVariable, failure.Message);
    }

    [Fact]
    public void Require_WithTheBrowser_ReturnsItsPath()
    {
        var present = folder.File("chromium");
        File.WriteAllText(present, "");

        Assert.Equal(present, Chromium.Require(present, required: true));
    }
}

/// <summary>
/// The page tests (both modes) run in a child <c>dotnet test</c> pointed at a missing Chromium: it must pass, and its output must
/// name every skipped test and how to install the browser — or fail when <see cref="Chromium.RequireVariable"/> is 1.
/// </summary>
[Trait("Category", "Cli")]
public sealed class BrowserTestsWithoutChromiumTests : IDisposable
{
    private static readonly string[] PageTestNames =
    [
        $"{typeof(PageTests).FullName}.{nameof(PageTests.DrawingASevenWithTheMouse_ShowsSevenAndTenBars)}",
        $"{typeof(PageTests).FullName}.{nameof(PageTests.DrawingAOneWithTheKeyboard_ShowsOne)}",
        $"{typeof(PageTests).FullName}.{nameof(PageTests.UploadingAPhotoOfADigit_ShowsItsLabel)}",
        $"{typeof(PageTests).FullName}.{nameof(PageTests.AnEmptyDrawing_SaysSo_InsteadOfGuessing)}",
        $"{typeof(NumberPageTests).FullName}.{nameof(NumberPageTests.WritingSeventeenWithTheMouse_ReadsIt_AndBoxesEachDigitWhereItWasDrawn)}",
        $"{typeof(NumberPageTests).FullName}.{nameof(NumberPageTests.UploadingAPhotoOfANumber_ReadsIt_WithEachBoxOverItsDigitInTheImageShown)}",
        $"{typeof(NumberPageTests).FullName}.{nameof(NumberPageTests.APhotoOnLinedPaper_SaysTheRulesWereTakenOut_AndBoxesTheDigitsOnly)}",
        $"{typeof(NumberPageTests).FullName}.{nameof(NumberPageTests.AnEmptyDrawingInNumberMode_SaysNothingIsReadable)}",
        $"{typeof(NumberPageTests).FullName}.{nameof(NumberPageTests.AFileThatIsNotAnImage_InNumberMode_SaysWhyNothingIsReadable_AndDrawingStillWorks)}",
        $"{typeof(NumberPageTests).FullName}.{nameof(NumberPageTests.AnUnsureDigit_IsAQuestionMarkInADashedBox_AndASkippedMarkIsBoxedApart)}",
    ];

    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void PageTests_WithoutChromium_AreReportedSkippedByName()
    {
        var (exitCode, output) = RunPageTests(folder.File("no-chromium"), required: false);

        Assert.True(exitCode == 0, output);
        Assert.Matches($@"Skipped:\s+{PageTestNames.Length},", output);
        foreach (var name in PageTestNames) Assert.Contains($"Skipped {name}", output);
        Assert.Contains(Chromium.InstallCommand, output);
    }

    [Fact]
    public void PageTests_WithoutChromiumWhereRequired_Fail()
    {
        var (exitCode, output) = RunPageTests(folder.File("no-chromium"), required: true);

        Assert.True(exitCode != 0, output);
        Assert.Matches($@"Failed:\s+{PageTestNames.Length},", output);
        Assert.Contains(Chromium.RequireVariable, output);
    }

    /// <summary>Runs this test assembly's page tests (both modes) in a child <c>dotnet test</c>; returns its exit code and output.</summary>
    private static (int ExitCode, string Output) RunPageTests(string chromium, bool required)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "test", typeof(PageTests).Assembly.Location, "--filter",
                     $"FullyQualifiedName~{typeof(PageTests).FullName}|FullyQualifiedName~{typeof(NumberPageTests).FullName}" })
            start.ArgumentList.Add(argument);
        start.Environment[Chromium.PathVariable] = chromium;
        start.Environment[Chromium.RequireVariable] = required ? "1" : "0";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
