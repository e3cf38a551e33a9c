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
            Description = "Seconds each overload row offers requests for.",
            DefaultValueFactory = _ => defaults.OverloadSeconds,
            HelpName = "S",
        };
        var readClients = new Option<int>("--read-clients")
        {
            Description = $"Clients of the POST /api/read row ({defaults.ReadImage.Width}×{defaults.ReadImage.Height} PNGs of 4-digit numbers); 0 skips it.",
            DefaultValueFactory = _ => defaults.ReadClients,
            HelpName = "N",
        };

        var command = new Command("bench-serve", "Load-test digits serve on 127.0.0.1: POST /api/predict at several client counts, POST /api/read, then /api/predict under overload.")
        {
            serving.Model, clients, requests, seconds, readClients, overload, overloadSeconds, serving.Threads, serving.MaxBatch,
        };
        foreach (var limit in serving.Limits) command.Options.Add(limit);
        command.SetAction(parse => CommandRunner.Run(console, cancellation =>
        {
            var options = defaults with
            {
                Clients = parse.GetValue(clients)!,
                Requests = parse.GetValue(requests),
                Seconds = parse.GetValue(seconds),
                ReadClients = parse.GetValue(readClients),
                Overload = parse.GetValue(overload),
                OverloadSeconds = parse.GetValue(overloadSeconds),
            };
            options.Validate();
            var (served, server, threadCount) = serving.Apply(parse, options.Server, console);
            options = options with { Server = server };
            var classifier = served.Classifier;
            using var _ = classifier as IDisposable;
            console.MarkupLineInterpolated(
                $"digits serve on 127.0.0.1 with [bold]{served.Name}[/] ({classifier.Architecture}); {Environment.ProcessorCount} cores shared by server and clients, {threadCount} {(classifier is DigitClassifier ? "libtorch" : "ONNX Runtime")} threads, max batch {options.Server.MaxBatch}; at most {options.Requests:N0} requests or {options.Seconds:N0} s per row.");
            console.MarkupLine("POST /api/predict, JSON pixels of MNIST test digits:");
            var readShown = false;
            var progress = new SyncProgress<ServeBenchmarkResult>(r =>
            {
                if (r.Path == "api/read" && !readShown)
                {
                    console.MarkupLineInterpolated($"POST /api/read, {options.ReadImage.Width}×{options.ReadImage.Height} PNGs of 4-digit numbers built from MNIST test digits:");
                    readShown = true;
                }
                console.MarkupLineInterpolated(
                    $"  {r.Name,-16} {r.RequestsPerSecond,8:N0} requests/s   p50 {r.P50Ms,6:F2} ms   p99 {r.P99Ms,6:F2} ms   max {r.MaxMs,7:F1} ms   CPU {r.CpuMsPerRequest,5:F2} ms/request   {r.Requests,6:N0} requests, {r.Errors} errors   resident {r.ResidentBeforeMb,5:N0} → {r.ResidentMb,5:N0} MB ({r.TotalRequests:N0} requests so far)");
            });
            var overloadShown = false;
            var overloadProgress = new SyncProgress<ServeOverloadResult>(r =>
            {
                if (!overloadShown)
                {
                    console.MarkupLineInterpolated(
                        $"POST /api/predict under overload, open loop (limits: {options.Server.MaxConcurrentRequests} in, {options.Server.MaxQueuedRequests} waiting, {options.Server.RequestTimeout.TotalSeconds:0.###} s per request):");
                    overloadShown = true;
                }
                console.MarkupLineInterpolated(
                    $"  overload {r.Factor:0.#}× peak  offered {r.OfferedPerSecond:N0} requests/s (asked {r.TargetPerSecond:N0}, peak {r.PeakPerSecond:N0}) for {r.Seconds:F0} s: {r.AnsweredPerSecond:N0} answered/s   p50 {r.P50Ms:F2} ms   p99 {r.P99Ms:F2} ms   {r.Refused:N0} × 503 with Retry-After   {r.Errors} other errors{ErrorDetail(r)}   resident {r.ResidentBeforeMb:N0} → {r.ResidentHalfwayMb:N0} (half-way) → {r.ResidentAfterMb:N0} MB");
                if (r.Refused == 0 && r.Errors == 0)
                    console.MarkupLine("  [yellow]nothing was refused: the server answered all that was offered[/]");
            });
            ServeBenchmark.RunAsync(served, options, progress, cancellation, overloadProgress).GetAwaiter().GetResult();
            return ExitCodes.Success;
        }));
        return command;
    }

    private static string ErrorDetail(ServeOverloadResult r) => r.Errors == 0 ? ""
        : $" ({r.RefusedWithoutRetryAfter} × 503 without Retry-After, {r.OtherStatus} other statuses, {r.Failed} unanswered)";
}
