using DigitRecognizer.Data;
using DigitRecognizer.Tests.Imaging;
using DigitRecognizer.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DigitRecognizer.Tests.Web;

/// <summary>
/// The real page in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright; Playwright's own
/// browser download is never used) against the real server on a free loopback port.
/// Without Chromium each test reports itself skipped, saying how to install it (see <see cref="Chromium"/>).
/// Set DIGITS_SCREENSHOTS to a folder to keep screenshots of what it saw (docs/ holds the committed ones).
/// </summary>
[Trait("Category", "Browser")]
public sealed class PageTests : IAsyncLifetime, IClassFixture<ChromiumNotice>
{
    private WebApplication app = null!;
    private string address = null!;
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;
    private readonly TempFolder folder = new();

    public async Task InitializeAsync()
    {
        // Thrown here, the skip still reaches the test: SkippableFact turns the failure it causes into "skipped".
        var chromium = Chromium.Require();
        app = DigitsServer.Build(new ServedModel(TestModels.Mnist, "test-model"), new ServeOptions { Urls = "http://127.0.0.1:0" });
        await app.StartAsync();
        address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        // After a skip nothing was started but the folder.
        if (browser is not null) await browser.DisposeAsync();
        playwright?.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        folder.Dispose();
    }

    [SkippableFact]
    public async Task DrawingASevenWithTheMouse_ShowsSevenAndTenBars()
    {
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 900, Height = 640 } });
        await page.GotoAsync(address);
        var box = (await page.Locator("#pad").BoundingBoxAsync())!;
        (float X, float Y) At(double x, double y) => ((float)(box.X + x * box.Width), (float)(box.Y + y * box.Height));

        // A 7: the bar, then the downstroke, in one stroke of the pen.
        await Stroke(page, At(0.28, 0.22), At(0.72, 0.22), At(0.45, 0.82));

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
        await Keep(page, "serve-drawing.png");

        // Clear empties the answer; undo of the only stroke does too.
        await page.ClickAsync("#clear");
        await Expect(page.Locator("#label")).ToHaveTextAsync("?");
        await Stroke(page, At(0.5, 0.15), At(0.5, 0.85));
        await Expect(page.Locator("#label")).ToHaveTextAsync("1");
        await page.Keyboard.PressAsync("Control+z");
        await Expect(page.Locator("#label")).ToHaveTextAsync("?");
    }

    [SkippableFact]
    public async Task DrawingAOneWithTheKeyboard_ShowsOne()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(address);

        await page.FocusAsync("#pad");
        await Expect(page.Locator("#cursor")).ToBeVisibleAsync();
        for (var i = 0; i < 6; i++) await page.Keyboard.PressAsync("ArrowUp");
        await page.Keyboard.PressAsync("Space");
        for (var i = 0; i < 12; i++) await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("Space");

        await Expect(page.Locator("#label")).ToHaveTextAsync("1");
        await Keep(page, "serve-keyboard.png");
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#label")).ToHaveTextAsync("?");
    }

    [SkippableFact]
    public async Task UploadingAPhotoOfADigit_ShowsItsLabel()
    {
        var digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test).Take(1);   // a 7
        var photo = folder.File("digit.png");
        await File.WriteAllBytesAsync(photo, PaperDigits.Render(digits, seed: 2).Single().Encoded);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 900 }, DeviceScaleFactor = 1 });
        await page.GotoAsync(address);

        await page.Locator("#upload").SetInputFilesAsync(photo);

        await Expect(page.Locator("#label")).ToHaveTextAsync(digits.Labels![0].ToString());
        await Expect(page.Locator("#status")).ToContainTextAsync("reads a");
        await Keep(page, "serve-phone-upload.png");
    }

    [SkippableFact]
    public async Task AnEmptyDrawing_SaysSo_InsteadOfGuessing()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(address);
        var blank = folder.File("blank.png");
        using (var bitmap = new SkiaSharp.SKBitmap(100, 100))
        {
            bitmap.Erase(SkiaSharp.SKColors.White);
            await File.WriteAllBytesAsync(blank, bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100).ToArray());
        }

        await page.Locator("#upload").SetInputFilesAsync(blank);

        await Expect(page.Locator("#status")).ToHaveTextAsync("Nothing to read yet: draw a digit.");
        await Expect(page.Locator("#label")).ToHaveTextAsync("?");
    }

    private static async Task Stroke(IPage page, params (float X, float Y)[] points)
    {
        await page.Mouse.MoveAsync(points[0].X, points[0].Y);
        await page.Mouse.DownAsync();
        foreach (var (x, y) in points.Skip(1)) await page.Mouse.MoveAsync(x, y, new MouseMoveOptions { Steps = 12 });
        await page.Mouse.UpAsync();
    }

    private static async Task Keep(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("DIGITS_SCREENSHOTS") is not { Length: > 0 } screenshots) return;
        Directory.CreateDirectory(screenshots);
        await page.WaitForTimeoutAsync(300); // let the bars finish their 150-ms transition
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, name), FullPage = true });
    }
}
