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

    /// <summary>
    /// After the client rows, offer requests at a fixed rate (open loop: a new request is sent on schedule whether or
    /// not earlier ones were answered, as many independent users or a retry storm do) to see the server shed load.
    /// </summary>
    public bool Overload { get; init; } = true;

    /// <summary>The overload row's offered rate as a multiple of the best requests/s of the rows before it (1.5×).</summary>
    public double OverloadFactor { get; init; } = 1.5;

    /// <summary>Seconds the overload row offers requests for.</summary>
    public double OverloadSeconds { get; init; } = 10;

    /// <summary>The server's settings; it always listens on a free port of 127.0.0.1, whatever these say.</summary>
    public ServeOptions Server { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bound out of range.</summary>
    public void Validate()
    {
        if (Clients.Count == 0 || Clients.Any(c => c < 1)) throw new ArgumentException("--clients takes whole numbers of at least 1.");
        if (Requests < 1 || !(Seconds > 0)) throw new ArgumentException("--requests and --seconds must be positive.");
        if (!(OverloadSeconds > 0)) throw new ArgumentException("--overload-seconds must be positive.");
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

/// <summary>The overload row: requests offered at a fixed rate above what the server can answer.</summary>
/// <param name="TargetPerSecond">The rate asked for: <see cref="ServeBenchmarkOptions.OverloadFactor"/> × the best row.</param>
/// <param name="OfferedPerSecond">The rate actually sent (the load generator shares the cores with the server).</param>
/// <param name="AnsweredPerSecond">Requests answered 200 per second of the row.</param>
/// <param name="P50Ms">Median latency of the answered requests, milliseconds.</param>
/// <param name="P99Ms">99th-percentile latency of the answered requests, milliseconds.</param>
/// <param name="Refused">Requests answered 503 with Retry-After.</param>
/// <param name="Errors">Anything else: other statuses, a 503 without Retry-After, failed connections. Should be 0.</param>
/// <param name="ResidentBeforeMb">Resident memory of the process before the row, MB.</param>
/// <param name="ResidentAfterMb">Resident memory after it, MB.</param>
/// <param name="Sent">Requests sent.</param>
/// <param name="Seconds">How long requests were offered for.</param>
public sealed record ServeOverloadResult(double TargetPerSecond, double OfferedPerSecond, double AnsweredPerSecond, double P50Ms,
    double P99Ms, int Refused, int Errors, double ResidentBeforeMb, double ResidentAfterMb, int Sent, double Seconds);
