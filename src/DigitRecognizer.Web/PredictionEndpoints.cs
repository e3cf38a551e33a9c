using System.Diagnostics;
using System.Text.Json;
using DigitRecognizer.Imaging;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DigitRecognizer.Web;

/// <summary><c>POST /api/predict</c> and <c>POST /api/predict/batch</c>.</summary>
internal static class PredictionEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/api/predict", PredictAsync)
            .WithName("Predict")
            .WithSummary("Predict the digit in one image.")
            .WithDescription("Send JSON {\"pixels\":[784 numbers 0–255]} (28×28, MNIST's convention: 0 background, 255 ink), " +
                             "JSON {\"image\":\"<base64 PNG or JPEG>\"}, or a raw image/png or image/jpeg body. Images are " +
                             "preprocessed like MNIST (ink found against the background, cropped, scaled to 20 px, centred by " +
                             "mass in 28×28) and the answer carries that 28×28 as 'input'. An image without ink is a 400.")
            .AddOpenApiOperationTransformer(RequestBody<PredictRequest>(RequestReader.Png, RequestReader.Jpeg))
            .Produces<PredictResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        app.MapPost("/api/predict/batch", PredictBatchAsync)
            .WithName("PredictBatch")
            .WithSummary("Predict up to 1,000 images of 28×28 pixels at once.")
            .WithDescription("Send JSON {\"images\":[[784 numbers 0–255], …]}; answers come in the same order.")
            .AddOpenApiOperationTransformer(RequestBody<BatchPredictRequest>())
            .Produces<BatchPredictResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    /// <summary>
    /// Documents the request body: the JSON schema of <typeparamref name="T"/>, plus raw image types. Declared here
    /// rather than with <c>Accepts</c>, whose routing check would answer a wrong Content-Type with a bare 415
    /// before the endpoint could say what it accepts.
    /// </summary>
    internal static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> RequestBody<T>(params string[] imageTypes) =>
        async (operation, context, cancellation) =>
        {
            var content = new Dictionary<string, OpenApiMediaType>
            {
                [RequestReader.Json] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(T), cancellationToken: cancellation) },
            };
            foreach (var type in imageTypes)
                content[type] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = content };
        };

    private static async Task<IResult> PredictAsync(HttpRequest request, ServerState state, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var kind = RequestReader.Classify(request, imagesAllowed: true);
            var body = await RequestReader.ReadBodyAsync(request, state.Options.MaxBodyBytes, cancellation);
            var (pixels, input) = kind == RequestReader.BodyKind.Image ? Prepare(state, body) : ReadJson(state, body);
            var prediction = await state.Predictor.PredictAsync(pixels, cancellation);
            return Results.Ok(new PredictResponse(prediction.Labels[0], prediction.Probabilities, state.Model.Name,
                clock.Elapsed.TotalMilliseconds, input));
        }
        catch (ApiProblem problem)
        {
            return problem.ToResult();
        }
    }

    private static async Task<IResult> PredictBatchAsync(HttpRequest request, ServerState state, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            RequestReader.Classify(request, imagesAllowed: false);
            var body = await RequestReader.ReadBodyAsync(request, state.Options.MaxBatchBodyBytes, cancellation);
            using var json = RequestReader.ParseJson(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("images", out var images)
                                                                   || images.ValueKind != JsonValueKind.Array)
                throw ApiProblem.BadRequest("The body must be a JSON object {\"images\": [[784 numbers 0–255], …]}.");
            var count = images.GetArrayLength();
            if (count < 1 || count > state.Options.MaxBatchImages)
                throw ApiProblem.BadRequest($"'images' holds {count} images; send 1 to {state.Options.MaxBatchImages:N0}.");
            var pixels = new float[count * DigitImage.PixelCount];
            var i = 0;
            foreach (var image in images.EnumerateArray())
            {
                RequestReader.ReadPixels(image, $"images[{i}]", pixels.AsSpan(i * DigitImage.PixelCount, DigitImage.PixelCount));
                i++;
            }
            var predictions = await state.Predictor.PredictAsync(pixels, cancellation);
            var items = Enumerable.Range(0, predictions.Count)
                .Select(n => new BatchItem(predictions.Labels[n], predictions.Row(n).ToArray()))
                .ToList();
            return Results.Ok(new BatchPredictResponse(items, state.Model.Name, clock.Elapsed.TotalMilliseconds));
        }
        catch (ApiProblem problem)
        {
            return problem.ToResult();
        }
    }

    private static (float[] Pixels, int[]? Input) ReadJson(ServerState state, byte[] body)
    {
        using var json = RequestReader.ParseJson(body);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw ApiProblem.BadRequest("The body must be a JSON object with 'pixels' (784 numbers 0–255) or 'image' (base64 PNG or JPEG).");
        var hasPixels = root.TryGetProperty("pixels", out var pixelsElement);
        var hasImage = root.TryGetProperty("image", out var imageElement);
        if (hasPixels == hasImage)
            throw ApiProblem.BadRequest("Give exactly one of 'pixels' (784 numbers 0–255) and 'image' (base64 PNG or JPEG).");
        if (hasImage) return Prepare(state, RequestReader.DecodeBase64Image(imageElement));
        var pixels = new float[DigitImage.PixelCount];
        RequestReader.ReadPixels(pixelsElement, "pixels", pixels);
        return (pixels, null);
    }

    /// <summary>MNIST-style preprocessing of an encoded image: the model input, and the same as 0–255 for the answer.</summary>
    private static (float[] Pixels, int[]? Input) Prepare(ServerState state, byte[] image)
    {
        PreparedDigit digit;
        try
        {
            digit = state.Preprocessor.FromEncoded(image);
        }
        catch (InvalidImageException error)
        {
            throw ApiProblem.BadRequest($"The image cannot be used: {error.Message}.");
        }
        if (digit.IsEmpty) throw ApiProblem.EmptyDrawing();
        return (digit.Pixels, digit.Pixels.Select(v => (int)Math.Round(v * DigitImage.MaxPixelValue)).ToArray());
    }
}
