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
        IProgress<ServeBenchmarkResult>? progress = null, CancellationToken cancellation = default,
        IProgress<ServeOverloadResult>? overloadProgress = null)
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
            if (options.Overload && results.Count > 1)
            {
                var peak = results.Skip(1).Max(r => r.RequestsPerSecond);
                // Its own connections, as many as the server may hold plus the refusals in flight, so that requests
                // wait in the server (which must refuse them) rather than in the client's connection pool.
                var server = options.Server;
                using var openLoop = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = server.MaxConcurrentRequests + server.MaxQueuedRequests + 512 })
                {
                    BaseAddress = client.BaseAddress,
                    Timeout = TimeSpan.FromSeconds(30),
                };
                overloadProgress?.Report(await MeasureOverloadAsync(openLoop, bodies, peak * options.OverloadFactor,
                    TimeSpan.FromSeconds(options.OverloadSeconds), cancellation));
            }
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

    /// <summary>
    /// Open loop: request n is sent at n / <paramref name="rate"/> seconds whether or not earlier ones were answered
    /// (checked every millisecond), for <paramref name="duration"/>; then every answer is awaited.
    /// </summary>
    private static async Task<ServeOverloadResult> MeasureOverloadAsync(HttpClient client, byte[][] bodies, double rate,
        TimeSpan duration, CancellationToken cancellation)
    {
        static double ResidentMb() { using var process = Process.GetCurrentProcess(); return process.WorkingSet64 / 1e6; }
        var residentBefore = ResidentMb();
        var answered = new System.Collections.Concurrent.ConcurrentBag<double>();
        var refused = 0;
        var errors = 0;
        var pending = new List<Task>();

        async Task Send(int index)
        {
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var content = new ByteArrayContent(bodies[index % bodies.Length]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await client.PostAsync("api/predict", content, cancellation);
                await response.Content.LoadIntoBufferAsync(cancellation);
                if (response.IsSuccessStatusCode) answered.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                else if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null) Interlocked.Increment(ref refused);
                else Interlocked.Increment(ref errors);
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
            {
                Interlocked.Increment(ref errors);
            }
        }

        var clock = Stopwatch.StartNew();
        var count = 0;
        while (clock.Elapsed < duration)
        {
            var due = (int)(clock.Elapsed.TotalSeconds * rate);
            while (count < due)
            {
                var index = count++;
                pending.Add(Task.Run(() => Send(index), cancellation));
            }
            await Task.Delay(1, cancellation);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(pending);
        var sorted = answered.ToArray();
        Array.Sort(sorted);
        double Percentile(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new ServeOverloadResult(rate, count / seconds, sorted.Length / seconds, Percentile(0.50), Percentile(0.99), refused, errors,
            residentBefore, ResidentMb(), count, seconds);
    }

    /// <summary>Each digit as the JSON body a client would send: {"pixels":[784 integers 0–255]}.</summary>
    private static byte[][] RequestBodies(DigitDataset digits) =>
        Enumerable.Range(0, digits.Count).Select(i =>
        {
            var pixels = digits.Image(i).ToArray().Select(v => ((int)Math.Round(v * DigitImage.MaxPixelValue)).ToString());
            return Encoding.UTF8.GetBytes("{\"pixels\":[" + string.Join(",", pixels) + "]}");
        }).ToArray();
}
