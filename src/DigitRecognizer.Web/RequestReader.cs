using System.Buffers;
using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace DigitRecognizer.Web;

/// <summary>
/// Reads prediction requests: checks the type and size of the body, then turns JSON pixel arrays into model
/// input. Every way a request can be wrong ends in an <see cref="ApiProblem"/> that says how.
/// </summary>
internal static class RequestReader
{
    public const string Json = "application/json";
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";

    /// <summary>What a body turned out to be.</summary>
    public enum BodyKind { Json, Image }

    /// <summary>Classifies the body by its Content-Type: JSON, an image, or (415) anything else.</summary>
    public static BodyKind Classify(HttpRequest request, bool imagesAllowed)
    {
        var accepted = imagesAllowed ? $"{Json}, {Png} or {Jpeg}" : Json;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || type.MediaType.Value is not { } mediaType)
            throw ApiProblem.UnsupportedType(request.ContentType, accepted);
        if (mediaType.Equals(Json, StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
            return BodyKind.Json;
        if (imagesAllowed && (mediaType.Equals(Png, StringComparison.OrdinalIgnoreCase) || mediaType.Equals(Jpeg, StringComparison.OrdinalIgnoreCase)
                              || mediaType.Equals("image/jpg", StringComparison.OrdinalIgnoreCase)))
            return BodyKind.Image;
        throw ApiProblem.UnsupportedType(request.ContentType, accepted);
    }

    /// <summary>Reads the whole body, refusing (413) as soon as it is known to exceed <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellation)
    {
        if (request.ContentLength > limit) throw ApiProblem.TooLarge(limit);
        using var body = new MemoryStream(request.ContentLength is > 0 and var length ? (int)length : 16 * 1024);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer, cancellation)) > 0)
            {
                if (body.Length + read > limit) throw ApiProblem.TooLarge(limit);
                body.Write(buffer, 0, read);
            }
        }
        catch (BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's own ceiling (just above ours) got there first.
            throw ApiProblem.TooLarge(limit);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return body.ToArray();
    }

    /// <summary>Parses a JSON body, or 400 saying where it breaks.</summary>
    public static JsonDocument ParseJson(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException error)
        {
            throw ApiProblem.BadRequest($"The body is not valid JSON: {error.Message}");
        }
    }

    /// <summary>
    /// Copies one image of 784 numbers 0–255 (MNIST's convention) into <paramref name="target"/> as [0, 1]
    /// model input; <paramref name="name"/> names the array in messages.
    /// </summary>
    public static void ReadPixels(JsonElement array, string name, Span<float> target)
    {
        if (array.ValueKind != JsonValueKind.Array)
            throw ApiProblem.BadRequest($"'{name}' must be an array of {DigitImage.PixelCount} numbers 0–255.");
        var length = array.GetArrayLength();
        if (length != DigitImage.PixelCount)
            throw ApiProblem.BadRequest($"'{name}' has {length} values; expected {DigitImage.PixelCount} (28×28, row-major).");
        var i = 0;
        foreach (var element in array.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value))
                throw ApiProblem.BadRequest($"'{name}[{i}]' is {Describe(element)}; expected a number 0–255.");
            if (value is < 0 or > DigitImage.MaxPixelValue)
                throw ApiProblem.BadRequest($"'{name}[{i}]' is {value}; pixel values go from 0 (background) to 255 (ink).");
            target[i++] = (float)(value / DigitImage.MaxPixelValue);
        }
    }

    /// <summary>The bytes of a base64 image (a data URL's prefix is skipped), or 400.</summary>
    public static byte[] DecodeBase64Image(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
            throw ApiProblem.BadRequest("'image' must be a string: a base64 PNG or JPEG.");
        var text = element.GetString()!;
        var comma = text.StartsWith("data:", StringComparison.Ordinal) ? text.IndexOf(',') : -1;
        try
        {
            return Convert.FromBase64String(comma >= 0 ? text[(comma + 1)..] : text);
        }
        catch (FormatException)
        {
            throw ApiProblem.BadRequest("'image' is not valid base64.");
        }
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Truncate(element.GetString()!)}\"",
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => Truncate(element.GetRawText()),
    };

    private static string Truncate(string text) => text.Length <= 20 ? text : text[..20] + "…";
}
