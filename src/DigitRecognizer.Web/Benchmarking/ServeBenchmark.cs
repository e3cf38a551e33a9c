using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using DigitRecognizer.Data;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace DigitRecognizer.Web.Benchmarking;

/// <summary>
/// A bounded load test of <c>POST /api/predict</c> over real loopback sockets: the server on a free port of
/// 127.0.0.1, and N clients in the same process each sending MNIST test digits as JSON pixels, one request
/// after another. Reports throughput, latency percentiles and resident memory per client count.
/// Clients and server share the machine's cores, as they would on one box; never used as a timed test.
/// </summary>
public static class ServeBenchmark
{
    public static async Task<IReadOnlyList<ServeBenchmarkResult>> RunAsync(ServedModel model, ServeBenchmarkOptions options,
        IProgress<ServeBenchmarkResult>? progress = null, CancellationToken cancellation = default)
    {
        var bodies = RequestBodies(MnistFiles.Load(DigitData.DefaultFolder(), MnistSplit.Test).Take(500));
        var app = DigitsServer.Build(model, options.Server with { Urls = "http://127.0.0.1:0" });
        await app.StartAsync(cancellation);
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(8, options.Clients.DefaultIfEmpty(1).Max()) })
            {
                BaseAddress = new Uri(address + "/"),
                Timeout = TimeSpan.FromSeconds(30),
            };
            var results = new List<ServeBenchmarkResult>();
            long total = 0;
            async Task Measure(string name, int clients, int requests)
            {
                var result = await MeasureAsync(client, bodies, name, clients, requests, TimeSpan.FromSeconds(options.Seconds), total, cancellation);
                total = result.TotalRequests;
                results.Add(result);
                progress?.Report(result);
            }
            await Measure("warm-up", 8, options.WarmupRequests);
            foreach (var clients in options.Clients)
                await Measure(clients == 1 ? "1 client" : $"{clients} clients", clients, options.Requests);
            return results;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    private static async Task<ServeBenchmarkResult> MeasureAsync(HttpClient client, byte[][] bodies, string name, int clients,
        int maxRequests, TimeSpan maxTime, long totalBefore, CancellationToken cancellation)
    {
        var latencies = new double[maxRequests];
        var started = -1;
        var completed = 0;
        var errors = 0;
        var clock = Stopwatch.StartNew();

        async Task Client()
        {
            while (true)
            {
                var index = Interlocked.Increment(ref started);
                if (index >= maxRequests || clock.Elapsed > maxTime) return;
                cancellation.ThrowIfCancellationRequested();
                var sent = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(bodies[index % bodies.Length]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await client.PostAsync("api/predict", content, cancellation);
                await response.Content.LoadIntoBufferAsync(cancellation);
                var latency = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
                latencies[Interlocked.Increment(ref completed) - 1] = latency;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client, cancellation)));
        var seconds = clock.Elapsed.TotalSeconds;
        var sorted = latencies[..completed];
        Array.Sort(sorted);
        double Percentile(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        using var process = Process.GetCurrentProcess();
        return new ServeBenchmarkResult(name, completed, errors, completed / seconds, Percentile(0.50), Percentile(0.99),
            sorted.Length == 0 ? double.NaN : sorted[^1], process.WorkingSet64 / 1e6, totalBefore + completed);
    }

    /// <summary>Each digit as the JSON body a client would send: {"pixels":[784 integers 0–255]}.</summary>
    private static byte[][] RequestBodies(DigitDataset digits) =>
        Enumerable.Range(0, digits.Count).Select(i =>
        {
            var pixels = digits.Image(i).ToArray().Select(v => ((int)Math.Round(v * DigitImage.MaxPixelValue)).ToString());
            return Encoding.UTF8.GetBytes("{\"pixels\":[" + string.Join(",", pixels) + "]}");
        }).ToArray();
}
