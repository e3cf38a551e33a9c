using System.Text.Json;
using DigitRecognizer.Data;
using DigitRecognizer.Reading;
using DigitRecognizer.Web;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DigitRecognizer.Tests.Web;

/// <summary>
/// The page's Number mode in headless Chromium against the real server (see <see cref="PageHost"/>), answering with
/// the shipped models/cnn.ckpt (99.14% on MNIST's test set): drawn strokes are read by a model that reads them
/// reliably, not by the tests' small dense model. Without Chromium each test reports itself skipped.
/// </summary>
[Trait("Category", "Browser")]
public sealed class NumberPageTests : IAsyncLifetime, IClassFixture<ChromiumNotice>
{
    // A wait limit, not a speed check: on a loaded 2-core machine the first reading (model warm-up) can take seconds.
    private static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = 30_000 };

    private ServedModel? model;
    private PageHost host = null!;
    private readonly TempFolder folder = new();
    private readonly List<string> pageErrors = [];

    public async Task InitializeAsync()
    {
        // Skip before loading the model; xUnit does not dispose of a class whose InitializeAsync threw, so the folder
        // made with it goes first.
        try { Chromium.Require(); }
        catch
        {
            folder.Dispose();
            throw;
        }
        model = ServedModel.Load(TestData.ShippedCnn);
        host = await PageHost.StartAsync(model);
    }

    public async Task DisposeAsync()
    {
        // After a skip nothing was started but the folder.
        if (host is not null) await host.DisposeAsync();
        (model?.Classifier as IDisposable)?.Dispose();
        folder.Dispose();
    }

    [SkippableFact]
    public async Task WritingSeventeenWithTheMouse_ReadsIt_AndBoxesEachDigitWhereItWasDrawn()
    {
        var page = await OpenAsync();
        await page.ClickAsync("label[for=mode-number]");
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Number" })).ToBeCheckedAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Write a number");
        var padBox = (await page.Locator("#pad").BoundingBoxAsync())!;
        Assert.True(padBox.Width > 3 * padBox.Height, $"the number pad is {padBox.Width}×{padBox.Height}");
        var at = PageHost.Within(padBox);

        // A 1, one downstroke; then a 7: the bar and the downstroke in one stroke of the pen.
        (float X, float Y)[] one = [at(0.25, 0.15), at(0.25, 0.85)];
        (float X, float Y)[] seven = [at(0.42, 0.2), at(0.62, 0.2), at(0.48, 0.85)];
        await PageHost.Stroke(page, one);
        await PageHost.Stroke(page, seven);

        await Expect(page.Locator("#number")).ToHaveTextAsync("17", Patient);
        await Expect(page.Locator("#number-status")).ToHaveTextAsync("The model reads 17.");
        await Expect(page.Locator("#boxes rect.digit")).ToHaveCountAsync(2);
        await Expect(page.Locator("#boxes rect.unsure")).ToHaveCountAsync(0);
        await Expect(page.Locator("#boxes text")).ToHaveTextAsync(["1", "7"]);
        await Expect(page.Locator("#digits li")).ToHaveCountAsync(2);
        // Each box is drawn over its own digit's strokes, in the page's pixels (the pad's CSS size is not its pixel size).
        var boxes = page.Locator("#boxes rect.digit");
        AssertEncloses((await boxes.Nth(0).BoundingBoxAsync())!, one);
        AssertEncloses((await boxes.Nth(1).BoundingBoxAsync())!, seven);
        await PageHost.Keep(page, "serve-number.png");

        await page.ClickAsync("#clear");
        await Expect(page.Locator("#number")).ToHaveTextAsync("?");
        await Expect(page.Locator("#boxes rect")).ToHaveCountAsync(0);
        // Back to one digit: the square pad, answered by /api/predict.
        await page.ClickAsync("label[for=mode-digit]");
        await Expect(page.Locator("#pad")).ToHaveAttributeAsync("width", "280");
        await Expect(page.Locator("#pad")).ToHaveAttributeAsync("height", "280");
        await Expect(page.Locator("#number-result")).ToBeHiddenAsync();
        Assert.Empty(pageErrors);
    }

    [SkippableFact]
    public async Task UploadingAPhotoOfANumber_ReadsIt_WithEachBoxOverItsDigitInTheImageShown()
    {
        var digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test).Take(100);
        // 3:1 on the 3.5:1 pad: the photo is shown scaled and centred, and the boxes must follow.
        var options = new SyntheticNumberOptions { MinDigits = 3, MaxDigits = 3, FrameSide = (150, 170), Size = (600, 200), TouchingShare = 0, JpegShare = 0 };
        var number = SyntheticNumbers.Generate(digits, 1, seed: 3, options).Single();
        var photo = folder.File("number.png");
        await File.WriteAllBytesAsync(photo, number.Encoded);
        var page = await OpenAsync("#number");

        await page.Locator("#upload").SetInputFilesAsync(photo);

        await Expect(page.Locator("#number")).ToHaveTextAsync(number.Text, Patient);
        await Expect(page.Locator("#boxes rect.digit")).ToHaveCountAsync(number.Text.Length);
        var padBox = (await page.Locator("#pad").BoundingBoxAsync())!;
        var (padWidth, padHeight) = (await page.Locator("#pad").GetAttributeAsync("width"), await page.Locator("#pad").GetAttributeAsync("height"));
        var shown = ShownOn(padBox, int.Parse(padWidth!), int.Parse(padHeight!), number.Width, number.Height);
        for (var i = 0; i < number.Boxes.Count; i++)
        {
            var drawn = ToPixels((await page.Locator("#boxes rect.digit").Nth(i).BoundingBoxAsync())!);
            var expected = shown(number.Boxes[i]);
            Assert.True(drawn.IntersectionOverUnion(expected) >= 0.5, $"digit {i}: drawn at {drawn}, its ink is at {expected} on the page");
        }
        await PageHost.Keep(page, "serve-number-upload.png");
        Assert.Empty(pageErrors);
    }

    [SkippableFact]
    public async Task APhotoOnLinedPaper_SaysTheRulesWereTakenOut_AndBoxesTheDigitsOnly()
    {
        var digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test).Take(100);
        var options = new SyntheticNumberOptions
        {
            MinDigits = 3, MaxDigits = 3, FrameSide = (150, 170), Size = (600, 200), TouchingShare = 0, JpegShare = 0, Paper = PaperKind.Ruled,
        };
        var number = SyntheticNumbers.Generate(digits, 1, seed: 3, options).Single();
        var photo = folder.File("ruled.png");
        await File.WriteAllBytesAsync(photo, number.Encoded);
        var page = await OpenAsync("#number");

        await page.Locator("#upload").SetInputFilesAsync(photo);

        await Expect(page.Locator("#number-status")).ToContainTextAsync("line(s) of the paper were taken out", new() { Timeout = Patient.Timeout });
        await Expect(page.Locator("#boxes rect.digit")).ToHaveCountAsync(number.Text.Length);
        Assert.True(await page.Locator("#boxes rect.mark").CountAsync() >= 1);
        Assert.Empty(pageErrors);
    }

    [SkippableFact]
    public async Task AnEmptyDrawingInNumberMode_SaysNothingIsReadable()
    {
        var page = await OpenAsync("#number");
        await Expect(page.Locator("#number-status")).ToHaveTextAsync("Write a number to see what the model reads.");

        await page.Locator("#upload").SetInputFilesAsync(PageHost.WriteBlankPng(folder.File("blank.png"), 400, 120));

        await Expect(page.Locator("#number-status")).ToHaveTextAsync("Nothing to read yet: write a number.", Patient);
        await Expect(page.Locator("#number-status")).ToHaveClassAsync("status error");
        await Expect(page.Locator("#number")).ToHaveTextAsync("?");
        await Expect(page.Locator("#boxes rect")).ToHaveCountAsync(0);
        Assert.Empty(pageErrors);
    }

    [SkippableFact]
    public async Task AFileThatIsNotAnImage_InNumberMode_SaysWhyNothingIsReadable_AndDrawingStillWorks()
    {
        var page = await OpenAsync("#number");
        var notAnImage = folder.File("notes.png");
        await File.WriteAllTextAsync(notAnImage, "not a picture");

        await page.Locator("#upload").SetInputFilesAsync(notAnImage);

        await Expect(page.Locator("#number-status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Nothing readable\\. The image cannot be used: .+"), Patient);
        await Expect(page.Locator("#number")).ToHaveTextAsync("?");
        var at = PageHost.Within((await page.Locator("#pad").BoundingBoxAsync())!);
        await PageHost.Stroke(page, at(0.5, 0.15), at(0.5, 0.85));
        await Expect(page.Locator("#number")).ToHaveTextAsync("1", Patient);
        Assert.Empty(pageErrors);
    }

    [SkippableFact]
    public async Task AnUnsureDigit_IsAQuestionMarkInADashedBox_AndASkippedMarkIsBoxedApart()
    {
        // The server's own answer type, with the second digit below the model's threshold and a dash skipped: which
        // digit a real model is unsure of is the model's business; how the page shows one is this test's.
        float[] Sure(int label) => [.. Enumerable.Range(0, 10).Select(d => d == label ? 0.99f : 0.001f)];
        var answer = new ReadResponse("4?", [
                new ReadDigitInfo(4, Sure(4), 0.99, new BoxInfo(100, 40, 90, 160), Unsure: false),
                new ReadDigitInfo(9, [0.1f, 0, 0, 0, 0.35f, 0, 0, 0, 0, 0.55f], 0.2, new BoxInfo(300, 40, 90, 160), Unsure: true)],
            Unsure: true, [new MarkInfo("dash", new BoxInfo(220, 110, 40, 10))], "cnn", 1.0);
        var page = await OpenAsync("#number");
        await page.RouteAsync("**/api/read", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 200, ContentType = "application/json", Body = JsonSerializer.Serialize(answer, new JsonSerializerOptions(JsonSerializerDefaults.Web)),
        }));
        var at = PageHost.Within((await page.Locator("#pad").BoundingBoxAsync())!);

        await PageHost.Stroke(page, at(0.2, 0.2), at(0.2, 0.8));

        await Expect(page.Locator("#number")).ToHaveTextAsync("4?", Patient);
        await Expect(page.Locator("#number .unsure")).ToHaveTextAsync("?");
        await Expect(page.Locator("#number-status")).ToContainTextAsync("not sure");
        await Expect(page.Locator("#boxes rect.digit")).ToHaveCountAsync(2);
        await Expect(page.Locator("#boxes rect.digit.unsure")).ToHaveCountAsync(1);
        await Expect(page.Locator("#boxes rect.mark")).ToHaveCountAsync(1);
        await Expect(page.Locator("#boxes text")).ToHaveTextAsync(["4", "?"]);
        await Expect(page.Locator("#digits li.unsure")).ToContainTextAsync("maybe a 9");
        // The unsure box is dashed, the sure one solid, as the browser draws them.
        var dashes = await page.Locator("#boxes rect.digit").EvaluateAllAsync<string[]>("rects => rects.map(r => getComputedStyle(r).strokeDasharray)");
        Assert.Equal("none", dashes[0]);
        Assert.NotEqual("none", dashes[1]);
        // The drawing was sent as the pad's own pixels, so a box sits where the answer says, scaled to the pad's CSS size.
        var padBox = (await page.Locator("#pad").BoundingBoxAsync())!;
        var shown = ShownOn(padBox, 840, 240, 840, 240);
        var drawn = ToPixels((await page.Locator("#boxes rect.digit").Nth(1).BoundingBoxAsync())!);
        Assert.True(drawn.IntersectionOverUnion(shown(new PixelBox(300, 40, 90, 160))) >= 0.9, $"drawn at {drawn}");
        Assert.Empty(pageErrors);
    }

    private async Task<IPage> OpenAsync(string path = "")
    {
        var page = await host.OpenAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 900, Height = 720 } }, path);
        page.PageError += (_, error) => pageErrors.Add(error);
        return page;
    }

    private static void AssertEncloses(LocatorBoundingBoxResult box, (float X, float Y)[] stroke)
    {
        const float slack = 2;   // rounding of the box to whole image pixels, then to CSS pixels
        foreach (var (x, y) in stroke)
            Assert.True(x >= box.X - slack && x <= box.X + box.Width + slack && y >= box.Y - slack && y <= box.Y + box.Height + slack,
                $"({x}, {y}) lies outside the box drawn at ({box.X}, {box.Y}, {box.Width}×{box.Height})");
    }

    /// <summary>
    /// Where a box in an image's pixels lands on the page when the image is shown as the pad shows it: scaled to fit
    /// the pad's pixels, centred, then the pad scaled to its CSS size inside its 2-px border.
    /// </summary>
    private static Func<PixelBox, PixelBox> ShownOn(LocatorBoundingBoxResult pad, int padWidth, int padHeight, int imageWidth, int imageHeight)
    {
        const double border = 2;
        var scale = Math.Min((double)padWidth / imageWidth, (double)padHeight / imageHeight);
        var (left, top) = ((padWidth - imageWidth * scale) / 2, (padHeight - imageHeight * scale) / 2);
        var css = (pad.Width - 2 * border) / padWidth;
        return box => Rounded(pad.X + border + (left + box.X * scale) * css, pad.Y + border + (top + box.Y * scale) * css,
            box.Width * scale * css, box.Height * scale * css);
    }

    private static PixelBox ToPixels(LocatorBoundingBoxResult box) => Rounded(box.X, box.Y, box.Width, box.Height);

    private static PixelBox Rounded(double x, double y, double width, double height) =>
        new((int)Math.Round(x), (int)Math.Round(y), (int)Math.Round(width), (int)Math.Round(height));
}
