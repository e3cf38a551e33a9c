using DigitRecognizer.Inference;
using System.CommandLine;
using DigitRecognizer.Cli.Rendering;
using DigitRecognizer.Web.Benchmarking;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary><c>digits bench-serve</c>: a bounded loopback load test of the prediction API.</summary>
internal static class BenchServeCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var defaults = new ServeBenchmarkOptions();
        var serving = new ServingOptions();
        var clients = new Option<int[]>("--clients")
        {
            Description = "Concurrent clients; one measurement per value.",
            DefaultValueFactory = _ => [.. defaults.Clients],
            AllowMultipleArgumentsPerToken = true,
            HelpName = "N",
        };
        var requests = new Option<int>("--requests")
        {
            Description = "Requests per measurement, at most.",
            DefaultValueFactory = _ => defaults.Requests,
            HelpName = "N",
        };
        var seconds = new Option<double>("--seconds")
        {
            Description = "Seconds per measurement, at most (whichever bound comes first).",
            DefaultValueFactory = _ => defaults.Seconds,
            HelpName = "S",
        };

        var overload = new Option<bool>("--overload")
        {
            Description = $"Finish with an open-loop row: requests offered at {defaults.OverloadFactor}× the best rate measured before it, " +
                          "to show the server refusing the excess with 503 + Retry-After (--overload false to skip).",
            DefaultValueFactory = _ => defaults.Overload,
        };
        var overloadSeconds = new Option<double>("--overload-seconds")
        {
            Description = "Seconds the overload row offers requests for.",
            DefaultValueFactory = _ => defaults.OverloadSeconds,
            HelpName = "S",
        };

        var command = new Command("bench-serve", "Load-test POST /api/predict on 127.0.0.1: requests/s and p50/p99 latency at several client counts, then under overload.")
        {
            serving.Model, clients, requests, seconds, overload, overloadSeconds, serving.Threads, serving.MaxBatch,
        };
        foreach (var limit in serving.Limits) command.Options.Add(limit);
        command.SetAction(parse => CommandRunner.Run(console, cancellation =>
        {
            var options = defaults with
            {
                Clients = parse.GetValue(clients)!,
                Requests = parse.GetValue(requests),
                Seconds = parse.GetValue(seconds),
                Overload = parse.GetValue(overload),
                OverloadSeconds = parse.GetValue(overloadSeconds),
            };
            options.Validate();
            var (served, server, threadCount) = serving.Apply(parse, options.Server, console);
            options = options with { Server = server };
            var classifier = served.Classifier;
            using var _ = classifier as IDisposable;
            console.MarkupLineInterpolated(
                $"POST /api/predict (JSON pixels) on 127.0.0.1 with [bold]{served.Name}[/] ({classifier.Architecture}); {Environment.ProcessorCount} cores shared by server and clients, {threadCount} {(classifier is DigitClassifier ? "libtorch" : "ONNX Runtime")} threads, max batch {options.Server.MaxBatch}; at most {options.Requests:N0} requests or {options.Seconds:N0} s per row.");
            var progress = new SyncProgress<ServeBenchmarkResult>(r => console.MarkupLineInterpolated(
                $"  {r.Name,-10} {r.RequestsPerSecond,8:N0} requests/s   p50 {r.P50Ms,6:F2} ms   p99 {r.P99Ms,6:F2} ms   max {r.MaxMs,7:F1} ms   {r.Requests,6:N0} requests, {r.Errors} errors   resident {r.ResidentMb,5:N0} MB after {r.TotalRequests:N0} requests"));
            var overloadProgress = new SyncProgress<ServeOverloadResult>(r => console.MarkupLineInterpolated(
                $"  overload   offered {r.OfferedPerSecond:N0} requests/s (asked {r.TargetPerSecond:N0}) for {r.Seconds:F0} s: {r.AnsweredPerSecond,8:N0} answered/s   p50 {r.P50Ms,6:F2} ms   p99 {r.P99Ms,6:F2} ms   {r.Refused:N0} × 503 with Retry-After, {r.Errors} other errors   resident {r.ResidentBeforeMb:N0} → {r.ResidentAfterMb:N0} MB   (limits: {options.Server.MaxConcurrentRequests} in, {options.Server.MaxQueuedRequests} waiting, {options.Server.RequestTimeout.TotalSeconds:0.#} s per request)"));
            ServeBenchmark.RunAsync(served, options, progress, cancellation, overloadProgress).GetAwaiter().GetResult();
            return ExitCodes.Success;
        }));
        return command;
    }
}
