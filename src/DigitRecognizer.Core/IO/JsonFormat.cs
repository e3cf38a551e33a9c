using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DigitRecognizer.IO;

/// <summary>The one JSON style of every file this project writes: camelCase, indented, readable.</summary>
public static class JsonFormat
{
    /// <summary>Serializer options for checkpoints' metadata, metrics.json and reports.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // A diverged run has NaN losses; that must still be written and read back, not crash the save.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Writes <paramref name="value"/> as JSON to <paramref name="path"/>, atomically.</summary>
    public static void Write<T>(string path, T value) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, value, Options));
}
