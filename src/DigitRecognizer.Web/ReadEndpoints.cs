using System.Diagnostics;
using System.Text.Json;
using DigitRecognizer.Data;
using DigitRecognizer.Imaging;
using DigitRecognizer.Inference;
using DigitRecognizer.Reading;

namespace DigitRecognizer.Web;

/// <summary>Body of <c>POST /api/read</c> as JSON. (The endpoint also takes a raw <c>image/png</c> or <c>image/jpeg</c> body.)</summary>
/// <param name="Image">A PNG or JPEG of a number written on one line, base64 (a data URL works too).</param>
public sealed record ReadRequest(string Image);

/// <summary>Where a digit or mark is, in the pixels of the image sent.</summary>
public sealed record BoxInfo(int X, int Y, int Width, int Height)
{
    internal static BoxInfo From(PixelBox box) => new(box.X, box.Y, box.Width, box.Height);
}

/// <summary>One digit of the number read.</summary>
/// <param name="Label">The most probable digit (the best guess, also when unsure).</param>
/// <param name="Probabilities">Ten probabilities for the digits 0 to 9, as the model gave them.</param>
/// <param name="Confidence">The score the model's refusal rule compares with its threshold (the label's probability without a rule).</param>
/// <param name="Unsure">True when the confidence is below the model's threshold: the digit is shown as '?' in the text.</param>
public sealed record ReadDigitInfo(int Label, float[] Probabilities, double Confidence, BoxInfo Box, bool Unsure);

/// <summary>A mark on the line left out of the text: "speck", "dash", "slash", "line" (a rule of lined or squared paper, an underline) or "edge" (a strip along the image's edge: a sliver of desk, a scanner's shadow).</summary>
public sealed record MarkInfo(string Kind, BoxInfo Box);

/// <summary>The answer of <c>POST /api/read</c>.</summary>
/// <param name="Text">The digits left to right; '?' stands for an unsure digit.</param>
/// <param name="Unsure">True when some digit is unsure (or none could be read).</param>
/// <param name="Marks">Dots, dashes, slashes, specks and paper lines left out of the text.</param>
/// <param name="Model">The name of the model that answered.</param>
/// <param name="ElapsedMs">Time spent on the request in the server, milliseconds.</param>
public sealed record ReadResponse(string Text, IReadOnlyList<ReadDigitInfo> Digits, bool Unsure, IReadOnlyList<MarkInfo> Marks, string Model, double ElapsedMs);

/// <summary><c>POST /api/read</c>: reads a handwritten number in an image.</summary>
internal static class ReadEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/api/read", ReadAsync)
            .WithName("Read")
            .WithSummary("Read the handwritten number (1–12 digits on one line) in an image.")
            .WithDescription("Send JSON {\"image\":\"<base64 PNG or JPEG>\"} or a raw image/png or image/jpeg body. The digits are found " +
                             "(strokes of one digit joined, touching digits cut, dots, dashes, slashes, specks and the lines of ruled or squared paper skipped), each is " +
                             "preprocessed like a single digit and read; boxes are in the image's pixels. A digit below the model's " +
                             "refusal threshold is unsure and shows as '?' in 'text'. An image without ink or without digits is a 400.")
            .AddOpenApiOperationTransformer(PredictionEndpoints.RequestBody<ReadRequest>(RequestReader.Png, RequestReader.Jpeg))
            .Produces<ReadResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            // Under the same limits as /api/predict: a read is the heavier request, and must not queue without bound.
            .RequireRateLimiting(DigitsServer.PredictionPolicy)
            .WithRequestTimeout(DigitsServer.PredictionPolicy);
    }

    private static async Task<IResult> ReadAsync(HttpRequest request, ServerState state, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var kind = RequestReader.Classify(request, imagesAllowed: true);
            var body = await RequestReader.ReadBodyAsync(request, state.Options.MaxBodyBytes, cancellation);
            var image = kind == RequestReader.BodyKind.Image ? body : ImageFromJson(body);
            // An ONNX Runtime session may be called from every request's thread at once: the reader asks it directly,
            // without a blocking round trip through the queue per pass. A TorchSharp module is only used by the
            // queue's worker, so its reads share batches with every other request.
            IDigitClassifier classifier = state.Predictor.Classifier is IConcurrentDigitClassifier concurrent
                ? concurrent
                : new QueuedClassifier(state.Predictor, cancellation);
            var reader = state.Model.Metadata.NumberReader(classifier);
            NumberReading reading;
            try
            {
                // The reader asks the shared queue for each batch of digits; it waits on a worker thread, not the request's.
                await state.ReadSlots.WaitAsync(cancellation);
                try
                {
                    reading = await Task.Run(() => reader.Read(image, cancellation), cancellation);
                }
                finally
                {
                    state.ReadSlots.Release();
                }
            }
            catch (InvalidImageException error)
            {
                throw ApiProblem.BadRequest($"The image cannot be used: {error.Message}.");
            }
            if (reading.NoDigits) throw NoDigits(reading);
            var digits = reading.Digits
                .Select(d => new ReadDigitInfo(d.Label, d.Probabilities, d.Confidence, BoxInfo.From(d.Box), d.Unsure)).ToList();
            var marks = reading.Marks.Select(m => new MarkInfo(m.Kind.ToString().ToLowerInvariant(), BoxInfo.From(m.Box))).ToList();
            return Results.Ok(new ReadResponse(reading.Text, digits, reading.Unsure, marks, state.Model.Name, clock.Elapsed.TotalMilliseconds));
        }
        catch (ApiProblem problem)
        {
            return problem.ToResult();
        }
    }

    private static ApiProblem NoDigits(NumberReading reading) => reading.Marks.Count == 0
        ? ApiProblem.EmptyDrawing()
        : new ApiProblem(StatusCodes.Status400BadRequest, "No digits found",
            $"The image holds {reading.Marks.Count} mark(s), all too small or too thin to be digits: write or photograph a number.");

    private static byte[] ImageFromJson(byte[] body)
    {
        using var json = RequestReader.ParseJson(body);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("image", out var image))
            throw ApiProblem.BadRequest("The body must be a JSON object with 'image' (base64 PNG or JPEG of the number); 28×28 'pixels' hold one digit: use /api/predict.");
        return RequestReader.DecodeBase64Image(image);
    }

    /// <summary>The server's batching queue seen as a classifier, so the reader's digits share batches with every other request.</summary>
    private sealed class QueuedClassifier(BatchingPredictor predictor, CancellationToken requestAborted) : IDigitClassifier
    {
        public string Architecture => predictor.Classifier.Architecture;

        public PredictionSet Predict(DigitDataset data, int batchSize = PredictionSet.DefaultBatchSize, IProgress<int>? progress = null,
            CancellationToken cancellation = default) =>
            predictor.PredictAsync(data.Pixels, cancellation.CanBeCanceled ? cancellation : requestAborted).GetAwaiter().GetResult();
    }
}
