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
    /// Clients of the <c>POST /api/read</c> row (8, the figure issue 15 sets its target at), each sending PNGs of
    /// 4-digit numbers one after another; 0 skips the row.
    /// </summary>
    public int ReadClients { get; init; } = 8;

    /// <summary>Width and height of the /api/read row's images, pixels (600 × 200: a number photographed or drawn on a wide canvas).</summary>
    public (int Width, int Height) ReadImage { get; init; } = (600, 200);

    /// <summary>
    /// After the client rows, offer requests at a fixed rate (open loop: a new request is sent on schedule whether or
    /// not earlier ones were answered, as many independent users or a retry storm do) to see the server shed load.
    /// </summary>
    public bool Overload { get; init; } = true;

    /// <summary>The overload row's offered rate as a multiple of the best /api/predict requests/s of the rows before it (1.5×).</summary>
    public double OverloadFactor { get; init; } = 1.5;

    /// <summary>
    /// Most overload rows: while a row draws no 503 (the closed-loop peak was set by its clients, not by the server),
    /// the next offers twice the rate. 3 rows reach 6× the peak.
    /// </summary>
    public int OverloadRows { get; init; } = 3;

    /// <summary>Seconds each overload row offers requests for.</summary>
    public double OverloadSeconds { get; init; } = 10;

    /// <summary>The server's settings; it always listens on a free port of 127.0.0.1, whatever these say.</summary>
    public ServeOptions Server { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bound out of range.</summary>
    public void Validate()
    {
        if (Clients.Any(c => c < 1)) throw new ArgumentException("--clients takes whole numbers of at least 1.");
        if (Clients.Count == 0 && ReadClients == 0) throw new ArgumentException("Nothing to measure: give --clients, or keep the /api/read row.");
        if (ReadClients < 0) throw new ArgumentException("--read-clients must be 0 (no /api/read row) or more.");
        if (Requests < 1 || !(Seconds > 0)) throw new ArgumentException("--requests and --seconds must be positive.");
        if (!(OverloadSeconds > 0)) throw new ArgumentException("--overload-seconds must be positive.");
        if (!(OverloadFactor > 0) || OverloadRows < 1) throw new ArgumentException("The overload factor must be positive and at least one overload row run.");
        if (ReadImage.Width < 100 || ReadImage.Height < 50) throw new ArgumentException("The /api/read images must be at least 100 × 50 pixels.");
    }
}

/// <summary>One closed-loop measurement: throughput, latency percentiles and the process's memory around it.</summary>
/// <param name="Name">What was measured ("warm-up", "8 clients", "read, 8 clients").</param>
/// <param name="Path">The endpoint ("api/predict", "api/read").</param>
/// <param name="Requests">Requests answered.</param>
/// <param name="Errors">Answers other than 200.</param>
/// <param name="RequestsPerSecond">Answered requests per second of wall time.</param>
/// <param name="P50Ms">Median latency, milliseconds (client side: send to last byte).</param>
/// <param name="P99Ms">99th-percentile latency, milliseconds.</param>
/// <param name="MaxMs">Slowest request, milliseconds.</param>
/// <param name="CpuMsPerRequest">
/// CPU time of the whole process (server and clients, all threads) per request answered, milliseconds: less
/// sensitive than requests/s to other work on a shared machine; the cores divided by it bound the requests/s.
/// </param>
/// <param name="ResidentBeforeMb">Resident memory of the whole process (server and clients) before it, MB.</param>
/// <param name="ResidentMb">Resident memory of the whole process afterwards, MB.</param>
/// <param name="TotalRequests">Requests answered since the server started, warm-up included.</param>
public sealed record ServeBenchmarkResult(string Name, string Path, int Requests, int Errors, double RequestsPerSecond,
    double P50Ms, double P99Ms, double MaxMs, double CpuMsPerRequest, double ResidentBeforeMb, double ResidentMb, long TotalRequests);

/// <summary>An overload row: <c>POST /api/predict</c> offered at a fixed rate above what the server can answer.</summary>
/// <param name="PeakPerSecond">The best /api/predict requests/s of the closed-loop rows.</param>
/// <param name="Factor">The multiple of <paramref name="PeakPerSecond"/> asked for.</param>
/// <param name="TargetPerSecond">The rate asked for: <paramref name="Factor"/> × <paramref name="PeakPerSecond"/>.</param>
/// <param name="OfferedPerSecond">The rate actually sent (the load generator shares the cores with the server).</param>
/// <param name="AnsweredPerSecond">Requests answered 200 per second of the row.</param>
/// <param name="P50Ms">Median latency of the answered requests, milliseconds.</param>
/// <param name="P99Ms">99th-percentile latency of the answered requests, milliseconds.</param>
/// <param name="Refused">Requests answered 503 with Retry-After.</param>
/// <param name="RefusedWithoutRetryAfter">503s without a Retry-After header: an error. Should be 0.</param>
/// <param name="OtherStatus">Answers other than 200 and 503: errors. Should be 0.</param>
/// <param name="Failed">Requests that got no answer (connection refused or reset, client time-out): errors. Should be 0.</param>
/// <param name="ResidentBeforeMb">Resident memory of the process before the row, MB.</param>
/// <param name="ResidentHalfwayMb">Resident memory half-way through offering, MB.</param>
/// <param name="ResidentAfterMb">Resident memory after the last answer, MB.</param>
/// <param name="Sent">Requests sent.</param>
/// <param name="Seconds">How long requests were offered for.</param>
public sealed record ServeOverloadResult(double PeakPerSecond, double Factor, double TargetPerSecond, double OfferedPerSecond,
    double AnsweredPerSecond, double P50Ms, double P99Ms, int Refused, int RefusedWithoutRetryAfter, int OtherStatus, int Failed,
    double ResidentBeforeMb, double ResidentHalfwayMb, double ResidentAfterMb, int Sent, double Seconds)
{
    /// <summary>Every answer that was neither a 200 nor a 503 with Retry-After, and every request left unanswered.</summary>
    public int Errors => RefusedWithoutRetryAfter + OtherStatus + Failed;
}
