namespace DigitRecognizer.Web.Benchmarking;

/// <summary>What <see cref="ServeBenchmark"/> measures, and its bounds: every measurement stops at a count and a time.</summary>
public sealed record ServeBenchmarkOptions
{
    /// <summary>Concurrent clients, one measurement each; each client sends its next request when the last is answered.</summary>
    public IReadOnlyList<int> Clients { get; init; } = [1, 8, 32];

    /// <summary>Requests per measurement, at most.</summary>
    public int Requests { get; init; } = 10_000;

    /// <summary>Seconds per measurement, at most: a measurement ends at whichever bound comes first.</summary>
    public double Seconds { get; init; } = 20;

    /// <summary>Untimed requests first (8 clients), so the JIT, libtorch and the connection pool are warm.</summary>
    public int WarmupRequests { get; init; } = 1_000;

    /// <summary>The server's settings; it always listens on a free port of 127.0.0.1, whatever these say.</summary>
    public ServeOptions Server { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bound out of range.</summary>
    public void Validate()
    {
        if (Clients.Count == 0 || Clients.Any(c => c < 1)) throw new ArgumentException("--clients takes whole numbers of at least 1.");
        if (Requests < 1 || !(Seconds > 0)) throw new ArgumentException("--requests and --seconds must be positive.");
    }
}

/// <summary>One measurement: throughput, latency percentiles and the process's memory after it.</summary>
/// <param name="Name">What was measured ("warm-up", "8 clients").</param>
/// <param name="Requests">Requests answered.</param>
/// <param name="Errors">Answers other than 200.</param>
/// <param name="RequestsPerSecond">Answered requests per second of wall time.</param>
/// <param name="P50Ms">Median latency, milliseconds (client side: send to last byte).</param>
/// <param name="P99Ms">99th-percentile latency, milliseconds.</param>
/// <param name="MaxMs">Slowest request, milliseconds.</param>
/// <param name="ResidentMb">Resident memory of the whole process (server and clients) afterwards, MB.</param>
/// <param name="TotalRequests">Requests answered since the server started, warm-up included.</param>
public sealed record ServeBenchmarkResult(string Name, int Requests, int Errors, double RequestsPerSecond,
    double P50Ms, double P99Ms, double MaxMs, double ResidentMb, long TotalRequests);
