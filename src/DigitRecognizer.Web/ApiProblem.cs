namespace DigitRecognizer.Web;

/// <summary>
/// A request the API refuses, with the status and a sentence saying what to change. Thrown while reading
/// a request and turned into an <c>application/problem+json</c> answer by the endpoint.
/// </summary>
internal sealed class ApiProblem(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public IResult ToResult() => Results.Problem(detail: Message, statusCode: Status, title: Title);

    public static ApiProblem BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "The request is not valid", detail);

    public static ApiProblem EmptyDrawing() =>
        new(StatusCodes.Status400BadRequest, "Empty drawing", "The image holds no ink that stands out from its background: draw or photograph a digit.");

    public static ApiProblem TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"The body is larger than the {limit:N0} bytes accepted here.");

    /// <summary>
    /// Writes the 503 of a server that sheds load: problem+json with Retry-After, so clients and proxies know the
    /// refusal is temporary and when to come back. Used by the concurrency limiter and the request time limit.
    /// </summary>
    public static Task WriteBusyAsync(HttpContext context, ServeOptions options, string detail)
    {
        var response = context.Response;
        if (response.HasStarted) return Task.CompletedTask;
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "The server is busy")
            .ExecuteAsync(context);
    }

    public static ApiProblem UnsupportedType(string? contentType, string accepted) =>
        new(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
            $"Content-Type '{contentType ?? "(none)"}' is not accepted here; send {accepted}.");
}
