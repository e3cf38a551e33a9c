using System.CommandLine;
using DigitRecognizer.Inference;
using DigitRecognizer.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary><c>digits serve</c>: the drawing page and prediction API for a model, until Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var defaults = new ServeOptions();
        var serving = new ServingOptions();
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen (semicolon-separated for several). Loopback only by default; port 0 picks a free one.",
            DefaultValueFactory = _ => defaults.Urls,
            HelpName = "URL",
        };

        var shutdownTimeout = new Option<double>("--shutdown-timeout")
        {
            Description = "On Ctrl+C or SIGTERM, seconds the requests in flight may take to finish after new connections are refused.",
            DefaultValueFactory = _ => defaults.ShutdownTimeout.TotalSeconds,
            HelpName = "S",
        };

        var command = new Command("serve", "Serve a web page to draw or upload digits on, and a prediction API (OpenAPI at /openapi/v1.json).")
        {
            serving.Model, urls, serving.Threads, serving.MaxBatch, shutdownTimeout,
        };
        foreach (var limit in serving.Limits) command.Options.Add(limit);
        command.SetAction(parse => CommandRunner.Run(console, cancellation =>
        {
            var shutdown = parse.GetValue(shutdownTimeout);
            if (!(shutdown >= 0)) throw new ArgumentException($"--shutdown-timeout must be 0 or more seconds (got {shutdown}).");
            var (served, options, threads) = serving.Apply(parse,
                defaults with { Urls = parse.GetValue(urls)!, ShutdownTimeout = TimeSpan.FromSeconds(shutdown) }, console);
            return Run(console, served, options, threads, cancellation);
        }));
        return command;
    }

    private static int Run(IAnsiConsole console, ServedModel served, ServeOptions options, int threadCount, CancellationToken cancellation)
    {
        var classifier = served.Classifier;
        using var _ = classifier as IDisposable;
        var app = DigitsServer.Build(served, options, builder =>
            builder.Logging.AddSimpleConsole(format => format.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
                // A failure to start (such as a port in use) is reported once, by CommandRunner, without the host's stack trace.
                .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None));
        try
        {
            app.StartAsync(cancellation).GetAwaiter().GetResult();
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            var accuracy = served.Metadata.Metrics.TestAccuracy ?? served.Metadata.Metrics.ValidationAccuracy;
            var engine = classifier is DigitClassifier ? "libtorch" : "ONNX Runtime";
            console.MarkupLineInterpolated(
                $"Serving [bold]{served.Name}[/] ({classifier.Architecture}{(accuracy is { } a ? $", {a:P2} accuracy" : "")}) from {served.Path}, {threadCount} {engine} threads.");
            foreach (var address in addresses)
                console.MarkupLineInterpolated($"  page: [bold link]{address}/[/]   API: {address}/api/predict   OpenAPI: {address}{DigitsServer.OpenApiPath}");
            console.MarkupLineInterpolated(
                $"  limits: {options.MaxConcurrentRequests} prediction requests at once, {options.MaxQueuedRequests} waiting, {options.RequestTimeout.TotalSeconds:0.###} s each; beyond them: 503 with Retry-After.");
            console.MarkupLine("Press Ctrl+C to stop (SIGTERM too: requests in flight are finished first).");
            app.WaitForShutdownAsync(cancellation).GetAwaiter().GetResult();
        }
        finally
        {
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        // Stopped by a signal: exit 130 (Ctrl+C) or 143 (SIGTERM) like every verb, after the requests in flight were answered.
        if (cancellation.IsCancellationRequested) throw new StoppedException("Stopped.");
        console.MarkupLine("Stopped.");
        return ExitCodes.Success;
    }
}
