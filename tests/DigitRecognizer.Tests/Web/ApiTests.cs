using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DigitRecognizer.Data;
using DigitRecognizer.Inference;
using DigitRecognizer.Tests.Imaging;
using DigitRecognizer.Training;
using DigitRecognizer.Web;
using SkiaSharp;

namespace DigitRecognizer.Tests.Web;

/// <summary>
/// Every endpoint and every refusal of the prediction API, in process; run against the same trained model
/// served from its checkpoint (<see cref="CheckpointApiTests"/>) and from its exported ONNX file
/// (<see cref="OnnxApiTests"/>). Expected answers come from the classifier being served.
/// </summary>
[Trait("Category", "Server")]
public abstract class ApiTests : IAsyncLifetime
{
    private static readonly DigitDataset Digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test).Take(300);
    private ApiHost host = null!;

    /// <summary>The classifier the server answers with.</summary>
    protected abstract IDigitClassifier Served { get; }

    public async Task InitializeAsync() => host = await ApiHost.StartAsync(Served);

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Predict_WithPixels_AnswersWhatTheClassifierAnswers()
    {
        var expected = Served.Predict(Digits.Take(1));

        using var response = await host.Client.PostAsJsonAsync("/api/predict", new { pixels = Raw(0) });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(expected.Labels[0], root.GetProperty("label").GetInt32());
        var probabilities = root.GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()).ToArray();
        Assert.Equal(10, probabilities.Length);
        Assert.Equal(1.0, probabilities.Sum(), 4);
        Assert.Equal(expected.Probabilities[..10], probabilities);
        Assert.Equal("test-model", root.GetProperty("model").GetString());
        Assert.False(root.TryGetProperty("input", out _)); // pixels need no preprocessing to show
    }

    [Fact]
    public async Task Predict_ReportsTheMillisecondsTheServerHeldTheRequest_BodyReadingIncluded()
    {
        // The body arrives in two halves 500 ms apart: the server's figure must include most of that wait (so it is
        // milliseconds, and its clock starts before the body is read) and fit inside the client's round trip. Only
        // most: on a busy machine the endpoint may start a little after the first half arrived.
        // Over a real socket: the in-memory test server hands the app a body only once it is complete.
        await using var server = await LoopbackServer.StartAsync();
        var pause = TimeSpan.FromMilliseconds(500);
        using var content = new SlowContent(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { pixels = Raw(0) })), pause);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using var response = await server.Client.PostAsync("/api/predict", content);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var roundTrip = clock.Elapsed.TotalMilliseconds;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(json.RootElement.GetProperty("elapsedMs").GetDouble(), pause.TotalMilliseconds * 0.5, roundTrip);
    }

    [Theory]
    [InlineData("base64")]
    [InlineData("data-url")]
    [InlineData("image/png")]
    [InlineData("image/jpeg")]
    public async Task Predict_WithAnImage_PreprocessesItAndShowsTheModelInput(string how)
    {
        var rendering = PaperDigits.Render(Digits.Take(1), seed: 5).Single();
        var image = Reencode(rendering.Encoded, how == "image/jpeg" ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png);
        HttpContent content = how switch
        {
            "base64" => JsonContent.Create(new { image = Convert.ToBase64String(image) }),
            "data-url" => JsonContent.Create(new { image = "data:image/png;base64," + Convert.ToBase64String(image) }),
            _ => Bytes(image, how),
        };

        using var response = await host.Client.PostAsync("/api/predict", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var input = json.RootElement.GetProperty("input").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.Equal(784, input.Length);
        Assert.All(input, v => Assert.InRange(v, 0, 255));
        Assert.Equal(255, input.Max());
        // The answer is the model's answer for exactly the 28×28 it reports.
        var expected = Served.Predict(new DigitDataset(input.Select(v => v / 255f).ToArray(), null, "input"));
        Assert.Equal(expected.Labels[0], json.RootElement.GetProperty("label").GetInt32());
        Assert.Equal(Digits.Labels![0], json.RootElement.GetProperty("label").GetInt32());
    }

    [Fact]
    public async Task PredictBatch_AnswersEveryImageInOrder()
    {
        var expected = Served.Predict(Digits.Take(25));

        using var response = await host.Client.PostAsJsonAsync("/api/predict/batch", new { images = Enumerable.Range(0, 25).Select(Raw).ToArray() });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var predictions = json.RootElement.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(25, predictions.Count);
        for (var i = 0; i < 25; i++)
        {
            Assert.Equal(expected.Labels[i], predictions[i].GetProperty("label").GetInt32());
            Assert.Equal(expected.Row(i).ToArray(), predictions[i].GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()).ToArray());
        }
        Assert.Equal("test-model", json.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task PredictBatch_TakesAThousandImages_InOneRequest()
    {
        var images = Enumerable.Range(0, 1000).Select(i => Raw(i % Digits.Count)).ToArray();

        using var response = await host.Client.PostAsJsonAsync("/api/predict/batch", new { images });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1000, json.RootElement.GetProperty("predictions").GetArrayLength());
    }

    [Fact]
    public async Task Model_DescribesArchitectureMetricsAndDate()
    {
        using var json = JsonDocument.Parse(await host.Client.GetStringAsync("/api/model"));

        var root = json.RootElement;
        Assert.Equal("test-model", root.GetProperty("name").GetString());
        Assert.Equal("dense", root.GetProperty("architecture").GetString());
        Assert.Equal(TestModels.Mnist.Metadata.CreatedUtc, root.GetProperty("createdUtc").GetDateTimeOffset());
        Assert.Equal(TestModels.MnistImages, root.GetProperty("metrics").GetProperty("trainImages").GetInt32());
        Assert.Equal("cosine", root.GetProperty("training").GetProperty("schedule").GetString());
    }

    [Fact]
    public async Task Model_NamesItsDataAndCheckpoint_WithoutTheServersPaths()
    {
        // TestModels.Mnist was trained on MNIST read from a path, as checkpoints written before data sets were
        // recorded by name were: that path must not reach a client, nor the folder of the checkpoint file.
        Assert.Contains(TestData.MnistFolder, TestModels.Mnist.Metadata.Metrics.DataSource);
        const string checkpoint = "/srv/private-folder/runs/cnn/model.ckpt";
        await using var served = await ApiHost.StartAsync(checkpointPath: checkpoint);

        var body = await served.Client.GetStringAsync("/api/model");

        using var json = JsonDocument.Parse(body);
        Assert.Equal("the MNIST training set", json.RootElement.GetProperty("metrics").GetProperty("dataSource").GetString());
        Assert.Equal("model.ckpt", json.RootElement.GetProperty("checkpoint").GetString());
        Assert.DoesNotContain(TestData.MnistFolder, body);
        Assert.DoesNotContain("private-folder", body);
        Assert.DoesNotContain(AppContext.BaseDirectory.TrimEnd('/'), body);
    }

    [Fact]
    [Trait("Category", "Model")]
    public async Task Model_SaysWhenItIsAnInt8File_AndGivesThatFilesOwnFigures()
    {
        using var int8 = Onnx.OnnxDigitClassifier.Load(Path.Combine(TestData.ModelsFolder, "best-int8.onnx"));
        await using var served = await ApiHost.StartAsync(int8);

        using var json = JsonDocument.Parse(await served.Client.GetStringAsync("/api/model"));
        using var plain = JsonDocument.Parse(await host.Client.GetStringAsync("/api/model"));

        Assert.Contains("int8", json.RootElement.GetProperty("quantization").GetString());
        var metrics = json.RootElement.GetProperty("metrics");
        Assert.Equal(int8.ValidationAccuracy!.Value, metrics.GetProperty("validationAccuracy").GetDouble(), 1e-12);
        Assert.True(!metrics.TryGetProperty("testAccuracy", out var test) || test.ValueKind == JsonValueKind.Null);
        Assert.False(plain.RootElement.TryGetProperty("quantization", out _));
    }

    [Fact]
    public async Task Health_SaysOk()
    {
        using var json = JsonDocument.Parse(await host.Client.GetStringAsync("/api/health"));

        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("test-model", json.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task ThePage_AndItsAssets_AreServedFromTheServerItself()
    {
        using var page = await host.Client.GetAsync("/");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<canvas", html);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        foreach (var asset in new[] { "/app.js", "/app.css", "/favicon.svg" })
        {
            using var response = await host.Client.GetAsync(asset);
            Assert.True(response.StatusCode == HttpStatusCode.OK, asset);
            var text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("https://", text); // nothing from a CDN: the page works offline
        }
        Assert.DoesNotContain("https://", html);
    }

    [Fact]
    public async Task OpenApiDocument_ListsEveryEndpoint()
    {
        using var json = JsonDocument.Parse(await host.Client.GetStringAsync("/openapi/v1.json"));

        var paths = json.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/predict", "/api/predict/batch", "/api/model", "/api/health" })
            Assert.True(paths.TryGetProperty(path, out _), path);
        var content = paths.GetProperty("/api/predict").GetProperty("post").GetProperty("requestBody").GetProperty("content");
        Assert.True(content.TryGetProperty("image/png", out _));
    }

    public static TheoryData<string, string, string, int, string> BadRequests() => new()
    {
        // endpoint, content type, body, status, words the detail must contain
        { "/api/predict", "application/json", "{\"pixels\": [1, 2,", 400, "not valid JSON" },
        { "/api/predict", "application/json", "[1, 2, 3]", 400, "JSON object" },
        { "/api/predict", "application/json", "{}", 400, "exactly one of" },
        { "/api/predict", "application/json", "{\"pixels\": [1, 2, 3]}", 400, "has 3 values; expected 784" },
        { "/api/predict", "application/json", Pixels("300"), 400, "'pixels[5]' is 300" },
        { "/api/predict", "application/json", Pixels("-1"), 400, "'pixels[5]' is -1" },
        { "/api/predict", "application/json", Pixels("\"7\""), 400, "the string \"7\"" },
        { "/api/predict", "application/json", "{\"image\": \"***\"}", 400, "not valid base64" },
        { "/api/predict", "application/json", "{\"image\": \"aGVsbG8=\"}", 400, "not an image" },
        { "/api/predict", "image/png", "definitely not a PNG", 400, "not an image" },
        { "/api/predict", "text/plain", "7", 415, "'text/plain' is not accepted" },
        { "/api/predict", "", "7", 415, "(none)" },
        { "/api/predict/batch", "image/png", "x", 415, "send application/json" },
        { "/api/predict/batch", "application/json", "{\"images\": []}", 400, "holds 0 images" },
        { "/api/predict/batch", "application/json", "{\"images\": [[1]]}", 400, "'images[0]' has 1 values" },
        { "/api/predict/batch", "application/json", "{\"pixels\": []}", 400, "\"images\"" },
        { "/api/read", "image/png", "", 400, "not an image" },
        { "/api/read", "image/png", "definitely not a PNG", 400, "not an image" },
        { "/api/read", "application/json", "{\"image\": \"aGVsbG8=\"}", 400, "not an image" },
        { "/api/read", "application/json", "{\"image\": \"***\"}", 400, "not valid base64" },
        { "/api/read", "application/json", "{\"pixels\": []}", 400, "use /api/predict" },
        { "/api/read", "text/plain", "2026", 415, "'text/plain' is not accepted" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadRequests_AreProblemDetails_SayingWhatIsWrong(string path, string contentType, string body, int status, string detail)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType != "") content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await host.Client.PostAsync(path, content);

        await AssertProblem(response, status, detail);
    }

    [Fact]
    public async Task AnEmptyDrawing_IsRefused_NotGuessed()
    {
        using var blank = new SKBitmap(280, 280);
        blank.Erase(SKColors.White);
        using var png = blank.Encode(SKEncodedImageFormat.Png, 100);

        using var response = await host.Client.PostAsync("/api/predict", Bytes(png.ToArray(), "image/png"));

        await AssertProblem(response, 400, "no ink");
        Assert.Contains("Empty drawing", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Read_WithOneReadAtATime_AnswersConcurrentReadsInTurn_AndABadImageGivesItsPlaceBack()
    {
        // One place for reads: six at once must all be answered (each waits for the one before), and a read refused
        // as not an image must free its place too, or every read after it would wait until its time ran out.
        await using var single = await ApiHost.StartAsync(Served, new ServeOptions { MaxConcurrentReads = 1 });
        var options = new DigitRecognizer.Reading.SyntheticNumberOptions { MinDigits = 3, MaxDigits = 3, JpegShare = 0 };
        var numbers = DigitRecognizer.Reading.SyntheticNumbers.Generate(Digits, 6, seed: 8, options).ToList();

        using var bad = await single.Client.PostAsync("/api/read", Bytes(Encoding.UTF8.GetBytes("not a PNG"), "image/png"));
        var answers = await Task.WhenAll(numbers.Select(n => single.Client.PostAsync("/api/read", Bytes(n.Encoded, "image/png"))));

        await AssertProblem(bad, 400, "not an image");
        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        foreach (var answer in answers)
        {
            using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            Assert.NotEmpty(json.RootElement.GetProperty("text").GetString()!);
            Assert.NotEqual(0, json.RootElement.GetProperty("digits").GetArrayLength());
            answer.Dispose();
        }
    }

    [Fact]
    public void Serving_WithANegativeNumberOfReadsAtOnce_IsRefused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            DigitsServer.Build(new ServedModel(Served, "test-model", null), new ServeOptions { MaxConcurrentReads = -1 }));
        Assert.Contains("reads at once", error.Message);
    }

    [Fact]
    public async Task Read_AnImageWithoutDigits_IsRefused_AndTheServerGoesOnReading()
    {
        byte[] Page(bool specks)
        {
            using var page = new SKBitmap(300, 100);
            page.Erase(SKColors.White);
            using var canvas = new SKCanvas(page);
            using var ink = new SKPaint { Color = SKColors.Black };
            // Two dots, far too small beside the page to be digits, and a dash: marks, not a number.
            if (specks) canvas.DrawRect(40, 50, 3, 3, ink);
            if (specks) canvas.DrawRect(260, 40, 3, 3, ink);
            if (specks) canvas.DrawRect(120, 50, 40, 6, ink);
            using var png = page.Encode(SKEncodedImageFormat.Png, 100);
            return png.ToArray();
        }
        var options = new DigitRecognizer.Reading.SyntheticNumberOptions { MinDigits = 2, MaxDigits = 2, TouchingShare = 0 };
        var number = DigitRecognizer.Reading.SyntheticNumbers.Generate(Digits, 1, seed: 3, options).Single();

        using var blank = await host.Client.PostAsync("/api/read", Bytes(Page(specks: false), "image/png"));
        using var marks = await host.Client.PostAsync("/api/read", Bytes(Page(specks: true), "image/png"));
        using var read = await host.Client.PostAsync("/api/read", Bytes(number.Encoded, number.Jpeg ? "image/jpeg" : "image/png"));

        await AssertProblem(blank, 400, "no ink");
        await AssertProblem(marks, 400, "too small or too thin to be digits");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var json = JsonDocument.Parse(await read.Content.ReadAsStringAsync());
        Assert.Equal(2, json.RootElement.GetProperty("digits").GetArrayLength());
        Assert.Equal(2, json.RootElement.GetProperty("text").GetString()!.Length);
    }

    [Fact]
    public async Task MoreThanAThousandImages_AreRefused()
    {
        var images = Enumerable.Range(0, 1001).Select(_ => new int[784]).ToArray();

        using var response = await host.Client.PostAsJsonAsync("/api/predict/batch", new { images });

        await AssertProblem(response, 400, "holds 1001 images; send 1 to 1,000");
    }

    [Theory]
    [InlineData("/api/predict", "image/png", 2 * 1024 * 1024 + 1)]
    [InlineData("/api/predict", "application/json", 3 * 1024 * 1024)]
    [InlineData("/api/predict/batch", "application/json", 4 * 1024 * 1024 + 1)]
    [InlineData("/api/read", "image/png", 2 * 1024 * 1024 + 1)]
    public async Task BodiesOverTheLimit_Are413(string path, string contentType, int size)
    {
        using var response = await host.Client.PostAsync(path, Bytes(new byte[size], contentType));

        await AssertProblem(response, 413, "bytes accepted");
    }

    [Fact]
    public async Task AnUnknownPath_IsAProblemToo()
    {
        using var response = await host.Client.GetAsync("/api/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AFailingModel_Gives500_WithoutAStackTrace()
    {
        var broken = Trainer.Train(TestData.Synthetic(20), new TrainingOptions { Model = "dense", Epochs = 1, ValidationFraction = 0 });
        broken.Dispose(); // its weights are gone: every prediction throws inside TorchSharp
        await using var failing = await ApiHost.StartAsync(broken);

        using var response = await failing.Client.PostAsJsonAsync("/api/predict", new { pixels = Raw(0) });

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(" at ", body);
        Assert.DoesNotContain("Exception", body);
    }

    [Fact]
    public async Task TwoHundredParallelRequests_EachGetTheirOwnAnswer()
    {
        var expected = Served.Predict(Digits.Take(200));

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            // Some clients send one image, some a small batch starting with theirs: requests of both kinds share forward passes.
            if (i % 4 == 0)
            {
                using var batch = await host.Client.PostAsJsonAsync("/api/predict/batch", new { images = new[] { Raw(i), Raw((i + 1) % 200), Raw((i + 2) % 200) } });
                using var batchJson = JsonDocument.Parse(await batch.Content.ReadAsStringAsync());
                var first = batchJson.RootElement.GetProperty("predictions")[0];
                return (i, first.GetProperty("label").GetInt32(), first.GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()).ToArray());
            }
            using var response = await host.Client.PostAsJsonAsync("/api/predict", new { pixels = Raw(i) });
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return (i, json.RootElement.GetProperty("label").GetInt32(), json.RootElement.GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()).ToArray());
        }));

        foreach (var (i, label, probabilities) in answers)
        {
            Assert.Equal(expected.Labels[i], label);
            var row = expected.Row(i).ToArray();
            for (var d = 0; d < 10; d++) Assert.Equal(row[d], probabilities[d], 1e-5f);
        }
    }

    private static async Task AssertProblem(HttpResponseMessage response, int status, string detail)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(status, json.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("title").GetString()));
        Assert.Contains(detail, json.RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain(" at ", body.Replace("at most", ""));
    }

    /// <summary>Digit <paramref name="index"/> as the API takes it: 784 integers 0–255.</summary>
    private static int[] Raw(int index) => Digits.Image(index).ToArray().Select(v => (int)Math.Round(v * 255)).ToArray();

    private static string Pixels(string sixth) =>
        "{\"pixels\": [" + string.Join(",", Enumerable.Range(0, 784).Select(i => i == 5 ? sixth : "0")) + "]}";

    private static ByteArrayContent Bytes(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private static byte[] Reencode(byte[] encoded, SKEncodedImageFormat format)
    {
        using var bitmap = SKBitmap.Decode(encoded);
        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }
}

/// <summary>The API suite against a checkpoint, on TorchSharp.</summary>
public sealed class CheckpointApiTests : ApiTests
{
    protected override IDigitClassifier Served => TestModels.Mnist;
}

/// <summary>The API suite against the same model exported to ONNX, on ONNX Runtime.</summary>
public sealed class OnnxApiTests : ApiTests
{
    protected override IDigitClassifier Served => TestModels.OnnxMnist;
}
