using DigitRecognizer.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace DigitRecognizer.Tests.Web;

/// <summary>
/// The real server on a free loopback port and headless Chromium (Debian's /usr/bin/chromium, driven by Playwright;
/// Playwright's own browser download is never used), for the page tests. Without Chromium, starting one skips the
/// calling test (see <see cref="Chromium"/>). Set DIGITS_SCREENSHOTS to a folder to keep screenshots of what the
/// tests saw (docs/ holds the committed ones).
/// </summary>
internal sealed class PageHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly IPlaywright playwright;
    private readonly IBrowser browser;

    private PageHost(WebApplication app, string address, IPlaywright playwright, IBrowser browser)
    {
        (this.app, Address, this.playwright, this.browser) = (app, address, playwright, browser);
    }

    /// <summary>The server's address, http://127.0.0.1:port.</summary>
    public string Address { get; }

    /// <summary>Starts the server answering with <paramref name="model"/>, then the browser; skips the test without Chromium.</summary>
    public static async Task<PageHost> StartAsync(ServedModel model)
    {
        // Thrown here, the skip still reaches the test: SkippableFact turns the failure it causes into "skipped".
        var chromium = Chromium.Require();
        var app = DigitsServer.Build(model, new ServeOptions { Urls = "http://127.0.0.1:0" });
        IPlaywright? playwright = null;
        try
        {
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            playwright = await Playwright.CreateAsync();
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            return new PageHost(app, address, playwright, browser);
        }
        catch
        {
            playwright?.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new page (tab) showing the server's page.</summary>
    public async Task<IPage> OpenAsync(BrowserNewPageOptions? options = null, string path = "")
    {
        var page = await browser.NewPageAsync(options);
        await page.GotoAsync(Address + path);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>Draws one stroke with the mouse through <paramref name="points"/> (page pixels).</summary>
    public static async Task Stroke(IPage page, params (float X, float Y)[] points)
    {
        await page.Mouse.MoveAsync(points[0].X, points[0].Y);
        await page.Mouse.DownAsync();
        foreach (var (x, y) in points.Skip(1)) await page.Mouse.MoveAsync(x, y, new MouseMoveOptions { Steps = 12 });
        await page.Mouse.UpAsync();
    }

    /// <summary>Maps fractions of an element's box (0–1 across, 0–1 down) to page pixels.</summary>
    public static Func<double, double, (float X, float Y)> Within(LocatorBoundingBoxResult box) =>
        (x, y) => ((float)(box.X + x * box.Width), (float)(box.Y + y * box.Height));

    /// <summary>Keeps a screenshot named <paramref name="name"/> in DIGITS_SCREENSHOTS, if that is set.</summary>
    public static async Task Keep(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("DIGITS_SCREENSHOTS") is not { Length: > 0 } screenshots) return;
        Directory.CreateDirectory(screenshots);
        await page.WaitForTimeoutAsync(300); // let the bars finish their 150-ms transition
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, name), FullPage = true });
    }

    /// <summary>Writes a white PNG of the given size to <paramref name="path"/> (an upload without ink); returns the path.</summary>
    public static string WriteBlankPng(string path, int width, int height)
    {
        using var bitmap = new SkiaSharp.SKBitmap(width, height);
        bitmap.Erase(SkiaSharp.SKColors.White);
        using var png = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, png.ToArray());
        return path;
    }
}
