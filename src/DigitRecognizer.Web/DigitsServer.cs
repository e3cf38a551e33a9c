using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace DigitRecognizer.Web;

/// <summary>
/// Builds the web app of <c>digits serve</c>: the drawing page at <c>/</c> (embedded, so it works offline and
/// from an installed tool), the prediction API under <c>/api</c> and its OpenAPI document at
/// <c>/openapi/v1.json</c>. Errors are <c>application/problem+json</c> without stack traces.
/// </summary>
public static class DigitsServer
{
    /// <summary>The rate-limiting and time-limit policy of the prediction endpoints.</summary>
    internal const string PredictionPolicy = "predictions";

    /// <summary>Where the OpenAPI document is served.</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    /// <summary>
    /// Builds (does not start) the app serving <paramref name="model"/>. <paramref name="configure"/> may adjust the
    /// builder before the app is built: the CLI adds console logging, tests swap Kestrel for an in-memory server.
    /// </summary>
    public static WebApplication Build(ServedModel model, ServeOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // Production always: the development exception page would show stack traces to clients.
            EnvironmentName = Environments.Production,
            ApplicationName = typeof(DigitsServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.Urls);
        // Our own limits (checked while reading) answer 413 with a message; Kestrel's sits just above them as a backstop.
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Limits.MaxRequestBodySize = Math.Max(options.MaxBodyBytes, options.MaxBatchBodyBytes) + 1);
        configure?.Invoke(builder);

        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            // A diverged training run records NaN losses; /api/model must still answer.
            json.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        });
        builder.Services.AddSingleton(_ => new ServerState(model, options));
        AddLoadShedding(builder.Services, options);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Time limit first: its token also cancels a wait in the limiter's queue.
        app.UseRequestTimeouts();
        app.UseRateLimiter();
        app.Use(async (context, next) =>
        {
            // Everything the page needs comes from this server; nothing else may be loaded or framed.
            context.Response.Headers.ContentSecurityPolicy =
                "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            await next(context);
        });
        var page = new EmbeddedFileProvider(typeof(DigitsServer).Assembly, "DigitRecognizer.Web.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = page });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = page });
        app.MapOpenApi(OpenApiPath);
        PredictionEndpoints.Map(app);
        ReadEndpoints.Map(app);
        ModelEndpoints.Map(app);
        return app;
    }

    /// <summary>
    /// Bounded work, with ASP.NET Core's own parts: a concurrency limiter with a bounded queue in front of the
    /// prediction endpoints (one more request is a 503 at once), a time limit per request whose token reaches the
    /// model's queue (a request whose time ran out or whose client left is never computed), and a shutdown that
    /// lets requests in flight finish. The page, /api/model and /api/health stay unlimited, so a busy server still
    /// says what it is.
    /// </summary>
    private static void AddLoadShedding(IServiceCollection services, ServeOptions options)
    {
        if (options.MaxConcurrentRequests < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxConcurrentRequests, "At least one request must be allowed in at once.");
        if (options.MaxConcurrentReads < 0) throw new ArgumentOutOfRangeException(nameof(options), options.MaxConcurrentReads, "The number of reads at once cannot be negative (0 = one per core).");
        if (options.MaxQueuedRequests < 0) throw new ArgumentOutOfRangeException(nameof(options), options.MaxQueuedRequests, "The queue limit cannot be negative.");
        if (options.RequestTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), options.RequestTimeout, "The request time limit must be positive.");
        services.AddRateLimiter(limiter =>
        {
            limiter.AddConcurrencyLimiter(PredictionPolicy, concurrency =>
            {
                concurrency.PermitLimit = options.MaxConcurrentRequests;
                concurrency.QueueLimit = options.MaxQueuedRequests;
                concurrency.QueueProcessingOrder = System.Threading.RateLimiting.QueueProcessingOrder.OldestFirst;
            });
            limiter.OnRejected = (context, _) => new ValueTask(ApiProblem.WriteBusyAsync(context.HttpContext, options,
                $"{options.MaxConcurrentRequests:N0} prediction requests are being answered and {options.MaxQueuedRequests:N0} more are waiting; " +
                $"try again in {options.RetryAfterSeconds} s."));
        });
        services.AddRequestTimeouts(timeouts => timeouts.AddPolicy(PredictionPolicy, new Microsoft.AspNetCore.Http.Timeouts.RequestTimeoutPolicy
        {
            Timeout = options.RequestTimeout,
            TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
            WriteTimeoutResponse = context => ApiProblem.WriteBusyAsync(context, options,
                $"The request was not answered within its {options.RequestTimeout.TotalSeconds:0.###} s time limit; try again in {options.RetryAfterSeconds} s."),
        }));
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
    }
}
