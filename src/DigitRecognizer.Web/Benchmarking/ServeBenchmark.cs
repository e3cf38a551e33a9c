using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DigitRecognizer.Data;
using DigitRecognizer.Reading;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace DigitRecognizer.Web.Benchmarking;

/// <summary>
/// A bounded load test of <c>digits serve</c> over real loopback sockets: the server on a free port of 127.0.0.1,
/// and clients in the same process. Closed-loop rows (N clients, each sending its next request when the last is
/// answered) of <c>POST /api/predict</c> with MNIST test digits as JSON pixels, a row of <c>POST /api/read</c> with
/// PNGs of 4-digit numbers, and an open-loop overload row. Reports throughput, latency percentiles and resident
/// memory. Clients and server share the machine's cores, as they would on one box; never used as a timed test.
/// </summary>
public static class ServeBenchmark
{
    private const string PredictPath = "api/predict";
    private const string ReadPath = "api/read";

    /// <summary>Runs the rows <paramref name="options"/> asks for, reporting each as it is measured.</summary>
    /// <param name="progress">Each closed-loop row (warm-up, client counts, /api/read).</param>
    /// <param name="overloadProgress">Each overload row (more than one when the first did not overload the server).</param>
    public static async Task<IReadOnlyList<ServeBenchmarkResult>> RunAsync(ServedModel model, ServeBenchmarkOptions options,
        IProgress<ServeBenchmarkResult>? progress = null, CancellationToken cancellation = default,
        IProgress<ServeOverloadResult>? overloadProgress = null)
    {
        options.Validate();
        var digits = MnistFiles.Load(DigitData.DefaultFolder(), MnistSplit.Test).Take(500);
        var predictBodies = new RequestBodies(PredictPath, RequestReader.Json, PixelBodies(digits));
        var app = DigitsServer.Build(model, options.Server with { Urls = "http://127.0.0.1:0" });
        await app.StartAsync(cancellation);
        try
        {
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/");
            var mostClients = Math.Max(8, Math.Max(options.ReadClients, options.Clients.DefaultIfEmpty(1).Max()));
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = mostClients })
            {
                BaseAddress = address,
                Timeout = TimeSpan.FromSeconds(30),
            };
            var results = new List<ServeBenchmarkResult>();
            long total = 0;
            async Task Measure(RequestBodies bodies, string name, int clients, int requests)
            {
                var result = await MeasureAsync(client, bodies, name, clients, requests, TimeSpan.FromSeconds(options.Seconds), total, cancellation);
                total = result.TotalRequests;
                results.Add(result);
                progress?.Report(result);
            }
            await Measure(predictBodies, "warm-up", 8, options.WarmupRequests);
            foreach (var clients in options.Clients)
                await Measure(predictBodies, clients == 1 ? "1 client" : $"{clients} clients", clients, options.Requests);
            if (options.ReadClients > 0)
            {
                var numbers = new RequestBodies(ReadPath, RequestReader.Png, NumberBodies(digits, options.ReadImage));
                // Its own short warm-up: the reader's code paths are not the ones /api/predict warmed.
                await MeasureAsync(client, numbers, "read warm-up", options.ReadClients, 100, TimeSpan.FromSeconds(options.Seconds), 0, cancellation);
                await Measure(numbers, $"read, {options.ReadClients} clients", options.ReadClients, options.Requests);
            }
            if (options.Overload && options.Clients.Count > 0)
                await OverloadAsync(address, predictBodies, results.Where(r => r.Path == PredictPath).Skip(1).Max(r => r.RequestsPerSecond),
                    options, overloadProgress, cancellation);
            return results;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    /// <summary>
    /// Overload rows at <see cref="ServeBenchmarkOptions.OverloadFactor"/> × <paramref name="peak"/>, then, while a row
    /// drew no 503 (the closed-loop rows' clients, not the server, set that peak; or the generator could not offer
    /// more than the server answers), again at twice the rate, up to <see cref="ServeBenchmarkOptions.OverloadRows"/> rows.
    /// </summary>
    private static async Task OverloadAsync(Uri address, RequestBodies bodies, double peak, ServeBenchmarkOptions options,
        IProgress<ServeOverloadResult>? progress, CancellationToken cancellation)
    {
        // Its own connections, as many as the server may hold plus the refusals in flight, so that requests wait
        // in the server (which must refuse them) rather than in the client's connection pool.
        var server = options.Server;
        using var openLoop = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = server.MaxConcurrentRequests + server.MaxQueuedRequests + 512 })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var factor = options.OverloadFactor;
        for (var row = 1; row <= options.OverloadRows; row++, factor *= 2)
        {
            var result = await MeasureOverloadAsync(openLoop, bodies, peak, factor, TimeSpan.FromSeconds(options.OverloadSeconds), cancellation);
            progress?.Report(result);
            if (result.Refused > 0 || result.Errors > 0) return;
        }
    }

    private static async Task<ServeBenchmarkResult> MeasureAsync(HttpClient client, RequestBodies bodies, string name, int clients,
        int maxRequests, TimeSpan maxTime, long totalBefore, CancellationToken cancellation)
    {
        var residentBefore = ResidentMb();
        var cpuBefore = ProcessorTime();
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
                using var response = await client.PostAsync(bodies.Path, bodies.Content(index), cancellation);
                await response.Content.LoadIntoBufferAsync(cancellation);
                var latency = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
                latencies[Interlocked.Increment(ref completed) - 1] = latency;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client, cancellation)));
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuMs = (ProcessorTime() - cpuBefore).TotalMilliseconds;
        var sorted = latencies[..completed];
        Array.Sort(sorted);
        return new ServeBenchmarkResult(name, bodies.Path, completed, errors, completed / seconds, Percentile(sorted, 0.50), Percentile(sorted, 0.99),
            sorted.Length == 0 ? double.NaN : sorted[^1], cpuMs / Math.Max(1, completed), residentBefore, ResidentMb(), totalBefore + completed);
    }

    /// <summary>
    /// Open loop: request n is sent at n / rate seconds whether or not earlier ones were answered (checked every
    /// millisecond), for <paramref name="duration"/>; then every answer is awaited. Resident memory is read before,
    /// half-way and after, so a growing queue would show as growth between the last two.
    /// </summary>
    private static async Task<ServeOverloadResult> MeasureOverloadAsync(HttpClient client, RequestBodies bodies, double peak, double factor,
        TimeSpan duration, CancellationToken cancellation)
    {
        var rate = peak * factor;
        var residentBefore = ResidentMb();
        double? residentHalfway = null;
        var answered = new ConcurrentBag<double>();
        int refused = 0, refusedWithoutRetryAfter = 0, otherStatus = 0, failed = 0;
        var pending = new List<Task>();

        async Task Send(int index)
        {
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.PostAsync(bodies.Path, bodies.Content(index), cancellation);
                await response.Content.LoadIntoBufferAsync(cancellation);
                if (response.IsSuccessStatusCode) answered.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                else if (response.StatusCode != HttpStatusCode.ServiceUnavailable) Interlocked.Increment(ref otherStatus);
                else if (response.Headers.RetryAfter is null) Interlocked.Increment(ref refusedWithoutRetryAfter);
                else Interlocked.Increment(ref refused);
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
            {
                Interlocked.Increment(ref failed);
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
            if (residentHalfway is null && clock.Elapsed > duration / 2) residentHalfway = ResidentMb();
            await Task.Delay(1, cancellation);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(pending);
        var sorted = answered.ToArray();
        Array.Sort(sorted);
        return new ServeOverloadResult(peak, factor, rate, count / seconds, sorted.Length / seconds, Percentile(sorted, 0.50), Percentile(sorted, 0.99),
            refused, refusedWithoutRetryAfter, otherStatus, failed, residentBefore, residentHalfway ?? ResidentMb(), ResidentMb(), count, seconds);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static TimeSpan ProcessorTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static double ResidentMb()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64 / 1e6;
    }

    /// <summary>Where requests go and the bodies they carry, taken in turn.</summary>
    private sealed record RequestBodies(string Path, string MediaType, byte[][] Bodies)
    {
        public ByteArrayContent Content(int index)
        {
            var content = new ByteArrayContent(Bodies[index % Bodies.Length]);
            content.Headers.ContentType = new MediaTypeHeaderValue(MediaType);
            return content;
        }
    }

    /// <summary>Each digit as the JSON body a client would send: {"pixels":[784 integers 0–255]}.</summary>
    private static byte[][] PixelBodies(DigitDataset digits) =>
        Enumerable.Range(0, digits.Count).Select(i =>
        {
            var pixels = digits.Image(i).ToArray().Select(v => ((int)Math.Round(v * DigitImage.MaxPixelValue)).ToString());
            return Encoding.UTF8.GetBytes("{\"pixels\":[" + string.Join(",", pixels) + "]}");
        }).ToArray();

    /// <summary>PNGs of 4-digit numbers built from <paramref name="digits"/> on paper, the size <paramref name="size"/> says.</summary>
    private static byte[][] NumberBodies(DigitDataset digits, (int Width, int Height) size) =>
        SyntheticNumbers.Generate(digits, count: 50, seed: 1, new SyntheticNumberOptions
        {
            MinDigits = 4,
            MaxDigits = 4,
            Size = size,
            // Small enough that four digits and their gaps fit 600 px, large enough to be read as a photo would be.
            FrameSide = (size.Height / 5, size.Height * 2 / 5),
            JpegShare = 0,
        }).Select(number => number.Encoded).ToArray();
}
