using System.Text.Json.Serialization;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Training;

namespace DigitRecognizer.Web;

/// <summary>
/// Body of <c>POST /api/predict</c> as JSON: exactly one of the two. (The same endpoint also takes a raw
/// <c>image/png</c> or <c>image/jpeg</c> body.)
/// </summary>
/// <param name="Pixels">784 numbers 0–255, row-major, already 28×28 in MNIST's convention (0 background, 255 ink).</param>
/// <param name="Image">A PNG or JPEG, base64 (a <c>data:image/png;base64,</c> URL works too): preprocessed like MNIST first.</param>
public sealed record PredictRequest(double[]? Pixels, string? Image);

/// <summary>Body of <c>POST /api/predict/batch</c>.</summary>
/// <param name="Images">Up to 1,000 images, each 784 numbers 0–255 as in <see cref="PredictRequest.Pixels"/>.</param>
public sealed record BatchPredictRequest(double[][] Images);

/// <summary>The answer for one image.</summary>
/// <param name="Label">The predicted digit.</param>
/// <param name="Probabilities">Ten probabilities, for the digits 0 to 9; they sum to 1.</param>
/// <param name="Model">The name of the model that answered.</param>
/// <param name="ElapsedMs">Time spent on the request in the server, milliseconds (queueing and preprocessing included).</param>
/// <param name="Input">
/// For an image: the 28×28 the model received after preprocessing, 784 numbers 0–255 (0 background, 255 ink).
/// Absent when the request gave pixels.
/// </param>
public sealed record PredictResponse(int Label, float[] Probabilities, string Model, double ElapsedMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int[]? Input = null);

/// <summary>One image's answer within a batch.</summary>
public sealed record BatchItem(int Label, float[] Probabilities);

/// <summary>The answer to a batch, in request order.</summary>
public sealed record BatchPredictResponse(IReadOnlyList<BatchItem> Predictions, string Model, double ElapsedMs);

/// <summary>What <c>GET /api/model</c> says about the model being served.</summary>
/// <param name="Name">The name answers carry.</param>
/// <param name="Architecture">Architecture name (<c>dense</c>, <c>cnn</c>).</param>
/// <param name="CreatedUtc">When the checkpoint was written.</param>
/// <param name="Metrics">What training measured: validation and test accuracy, epochs, time; the data set by name only.</param>
/// <param name="Training">The options the model was trained with.</param>
/// <param name="Checkpoint">The checkpoint's file name (never its folder), or null for a model that came from no file.</param>
/// <param name="Quantization">For an int8 ONNX file: how it was quantised (its metrics are then the int8 model's own, with no test accuracy); absent otherwise.</param>
/// <remarks>
/// Public: it says nothing of the server's folders. Checkpoints written before the embedded MNIST was recorded
/// by name hold the path it was read from; that is cut down to the data set's name here.
/// </remarks>
public sealed record ModelInfo(string Name, string Architecture, DateTimeOffset CreatedUtc, string CreatedBy,
    TrainingSummary Metrics, TrainingOptions Training, string? Checkpoint,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Quantization = null)
{
    public static ModelInfo From(ServedModel model)
    {
        var metadata = model.Metadata;
        return new ModelInfo(model.Name, metadata.Architecture, metadata.CreatedUtc, metadata.CreatedBy, Public(metadata.Metrics),
            metadata.Training, model.Path is null ? null : System.IO.Path.GetFileName(model.Path), model.Quantization);
    }

    private static TrainingSummary Public(TrainingSummary metrics) => metrics with
    {
        DataSource = DigitData.Describe(metrics.DataSource),
        Members = metrics.Members?.Select(Public).ToList(),
    };
}

/// <summary>What <c>GET /api/health</c> says.</summary>
/// <param name="Status">"ok" while the server answers.</param>
/// <param name="Model">The name of the model being served.</param>
/// <param name="UptimeSeconds">Seconds since the server started.</param>
public sealed record HealthResponse(string Status, string Model, double UptimeSeconds);
