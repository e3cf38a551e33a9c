using DigitRecognizer.Inference;

namespace DigitRecognizer.Web;

/// <summary>How <c>digits serve</c> listens and what it accepts.</summary>
public sealed record ServeOptions
{
    /// <summary>Where to listen. Loopback only by default: the page and API are for this machine unless asked otherwise.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5000";

    /// <summary>Largest body of <c>POST /api/predict</c>, in bytes (2 MiB): a phone photo re-encoded, or a canvas drawing many times over.</summary>
    public long MaxBodyBytes { get; init; } = 2 * 1024 * 1024;

    /// <summary>Most images in one <c>POST /api/predict/batch</c>.</summary>
    public int MaxBatchImages { get; init; } = 1_000;

    /// <summary>
    /// Largest body of <c>POST /api/predict/batch</c>, in bytes (4 MiB): 1,000 images of 784 three-digit numbers
    /// with commas take 3.1 MB, so the 2 MiB of a single prediction would refuse a full batch.
    /// </summary>
    public long MaxBatchBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// libtorch threads for the model (process-wide, so the command applies it; 0 = one per core). One, because
    /// libtorch's OpenMP workers spin-wait after every operation and then fight Kestrel and the clients for the
    /// cores: measured on 2 cores with the CNN at 8 clients, 2 threads gave 57 requests/s (p99 216 ms), 1 thread
    /// 1,636 requests/s (p99 10.5 ms). Batching, not intra-op threads, is what uses the cores under load.
    /// </summary>
    public int Threads { get; init; } = 1;

    /// <summary>Most images the model runs in one forward pass when requests pile up (1 = one at a time, like a lock).</summary>
    public int MaxBatch { get; init; } = BatchingPredictor.DefaultMaxBatch;

    /// <summary>
    /// Prediction requests inside the server at once (waiting for the model or being computed); more wait for a
    /// place, up to <see cref="MaxQueuedRequests"/>. 256, because 256 clients that each wait for their answer were
    /// served well on 2 cores (no request beyond them waits behind more than four passes of <see cref="MaxBatch"/>).
    /// </summary>
    public int MaxConcurrentRequests { get; init; } = 256;

    /// <summary>
    /// Prediction requests that may wait for a place; one more is answered 503 with Retry-After at once, instead
    /// of joining a queue that grows without limit. Together with <see cref="MaxConcurrentRequests"/> this bounds
    /// the wait: 512 requests at the CNN's 1,600 requests/s (2 cores) are 0.3 s of work, well inside
    /// <see cref="RequestTimeout"/>. 0 = refuse at once whenever all places are taken.
    /// </summary>
    public int MaxQueuedRequests { get; init; } = 256;

    /// <summary>
    /// Numbers read at once (<c>POST /api/read</c>); further reads wait their turn, first come first served, without
    /// holding a thread. 0 = chosen by the model's engine: one per core when the reader runs the model on its own thread
    /// (ONNX Runtime), where a ninth read on two cores only slows the other eight (measured with `digits bench-serve
    /// --model models/best.onnx`, 8 clients: p99 96–99 ms with 2 at once against 106–110 ms with 8, the same
    /// requests/s); no extra limit for a TorchSharp model, whose reads wait for the shared batching queue without
    /// using a core (2 at once: 104–108 requests/s against 133–137 with 8).
    /// </summary>
    public int MaxConcurrentReads { get; init; }

    /// <summary>
    /// Each prediction request's time limit, waiting included (2 s). A request past it is answered 503 with
    /// Retry-After, and its images are dropped from the model's queue if their pass has not begun.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Seconds a refused client is told to wait before trying again (the Retry-After header).</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>
    /// How long a stopping server (Ctrl+C, SIGTERM) lets requests already in flight finish, after it has stopped
    /// taking new connections. Longer than <see cref="RequestTimeout"/>, so no request is cut off mid-answer.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
