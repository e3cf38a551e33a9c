using DigitRecognizer.Data;
using DigitRecognizer.Tests.Imaging;
using DigitRecognizer.Web;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DigitRecognizer.Tests.Web;

/// <summary>
/// The real page in headless Chromium against the real server, in single-digit mode, with the small model the
/// tests train (see <see cref="PageHost"/>; Number mode: <see cref="NumberPageTests"/>).
/// Without Chromium each test reports itself skipped, saying how to install it (see <see cref="Chromium"/>).
/// </summary>
[Trait("Category", "Browser")]
public sealed class PageTests : IAsyncLifetime, IClassFixture<ChromiumNotice>
{
    private PageHost host = null!;
    private readonly TempFolder folder = new();

    public async Task InitializeAsync()
    {
        // PageHost skips the test without Chromium; xUnit does not dispose of a class whose InitializeAsync threw.
        try { host = await PageHost.StartAsync(new ServedModel(TestModels.Mnist, "test-model")); }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        // After a skip nothing was started but the folder.
        if (host is not null) await host.DisposeAsync();
        folder.Dispose();
    }

    [SkippableFact]
    public async Task DrawingASevenWithTheMouse_ShowsSevenAndTenBars()
    {
        var page = await host.OpenAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 900, Height = 640 } });
        var At = PageHost.Within((await page.Locator("#pad").BoundingBoxAsync())!);

        // A 7: the bar, then the downstroke, in one stroke of the pen.
        await PageHost.Stroke(page, At(0.28, 0.22), At(0.72, 0.22), At(0.45, 0.82));

        await Expect(page.Locator("#label")).ToHaveTextAsync("7");
        await Expect(page.Locator("#bars li")).ToHaveCountAsync(10);
        await Expect(page.Locator("#bars li.best")).ToHaveAttributeAsync("data-digit", "7");
        var widths = await page.Locator("#bars .fill").EvaluateAllAsync<string[]>("fills => fills.map(f => f.style.width)");
        Assert.Equal(10, widths.Length);
        Assert.All(widths, w => Assert.EndsWith("%", w));
        Assert.True(double.Parse(widths[7].TrimEnd('%')) > 50, string.Join(", ", widths));
        // The 28×28 the model received is shown: some of its pixels are lit.
        var lit = await page.EvaluateAsync<int>("() => [...document.getElementById('seen').getContext('2d').getImageData(0, 0, 28, 28).data].filter((v, i) => i % 4 === 0 && v > 128).length");
        Assert.InRange(lit, 20, 400);
        await PageHost.Keep(page, "serve-drawing.png");

        // Clear empties the answer; undo of the only stroke does too.
        await page.ClickAsync("#clear");
        await Expect(page.Locator("#label")).ToHaveTextAsync("?");
        await PageHost.Stroke(page, At(0.5, 0.15), At(0.5, 0.85));
        await Expect(page.Locator("#label")).ToHaveTextAsync("1");
        await page.Keyboard.PressAsync("Control+z");
        await Expect(page.Locator("#label")).ToHaveTextAsync("?");
    }

    [SkippableFact]
    public async Task DrawingAOneWithTheKeyboard_ShowsOne()
    {
        var page = await host.OpenAsync();

        await page.FocusAsync("#pad");
        await Expect(page.Locator("#cursor")).ToBeVisibleAsync();
        for (var i = 0; i < 6; i++) await page.Keyboard.PressAsync("ArrowUp");
        await page.Keyboard.PressAsync("Space");
        for (var i = 0; i < 12; i++) await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("Space");

        await Expect(page.Locator("#label")).ToHaveTextAsync("1");
        await PageHost.Keep(page, "serve-keyboard.png");
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#label")).ToHaveTextAsync("?");
    }

    [SkippableFact]
    public async Task UploadingAPhotoOfADigit_ShowsItsLabel()
    {
        var digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test).Take(1);   // a 7
        var photo = folder.File("digit.png");
        await File.WriteAllBytesAsync(photo, PaperDigits.Render(digits, seed: 2).Single().Encoded);
        var page = await host.OpenAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 900 }, DeviceScaleFactor = 1 });

        await page.Locator("#upload").SetInputFilesAsync(photo);

        await Expect(page.Locator("#label")).ToHaveTextAsync(digits.Labels![0].ToString());
        await Expect(page.Locator("#status")).ToContainTextAsync("reads a");
        await PageHost.Keep(page, "serve-phone-upload.png");
    }

    [SkippableFact]
    public async Task AnEmptyDrawing_SaysSo_InsteadOfGuessing()
    {
        var page = await host.OpenAsync();

        await page.Locator("#upload").SetInputFilesAsync(PageHost.WriteBlankPng(folder.File("blank.png"), 100, 100));

        await Expect(page.Locator("#status")).ToHaveTextAsync("Nothing to read yet: draw a digit.");
        await Expect(page.Locator("#label")).ToHaveTextAsync("?");
    }
}
