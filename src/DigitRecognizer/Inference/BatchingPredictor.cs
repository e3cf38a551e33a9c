using System.Threading.Channels;
using DigitRecognizer.Data;

namespace DigitRecognizer.Inference;

/// <summary>
/// Lets many threads predict with one classifier at once (a TorchSharp <see cref="DigitClassifier"/> or an ONNX model). TorchSharp modules and dispose
/// scopes are not made for unsynchronised concurrent use, so one worker thread owns the model: callers queue
/// their images, and each time the worker is free it runs everything that queued meanwhile as one forward
/// pass (micro-batching), then hands each caller its own rows. There is no waiting window: a lone request
/// goes straight through, and under load many requests share a pass, which costs little more than one.
/// With <c>maxBatch</c> 1 it is the same as a lock around the model. The classifier stays the caller's to dispose.
/// </summary>
public sealed class BatchingPredictor : IDisposable
{
    private readonly IDigitClassifier classifier;
    private readonly int maxBatch;
    private readonly Channel<Job> queue = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread worker;

    /// <param name="classifier">The model; from now on only the worker thread may use it, until this is disposed.</param>
    /// <param name="maxBatch">Most images in one forward pass (a single larger request still goes as one).</param>
    public BatchingPredictor(IDigitClassifier classifier, int maxBatch = DefaultMaxBatch)
    {
        if (maxBatch < 1) throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "The largest batch must be at least 1 image.");
        this.classifier = classifier;
        this.maxBatch = maxBatch;
        worker = new Thread(Work) { IsBackground = true, Name = "digits-predictor" };
        worker.Start();
    }

    /// <summary>
    /// Images per forward pass at most. Past ~64, waiting requests gain little (the CNN's per-image cost is
    /// already near its batch-256 figure) while the last of them waits longer; see README, `digits serve`.
    /// </summary>
    public const int DefaultMaxBatch = 64;

    /// <summary>The classifier (read its metadata from any thread: it is immutable; predict only through this queue).</summary>
    public IDigitClassifier Classifier => classifier;

    /// <summary>Predicts <c>pixels.Length / 784</c> images of [0, 1] pixels, from any thread.</summary>
    public Task<PredictionSet> PredictAsync(float[] pixels, CancellationToken cancellation = default)
    {
        if (pixels.Length == 0 || pixels.Length % DigitImage.PixelCount != 0)
            throw new ArgumentException($"Expected whole images of {DigitImage.PixelCount} pixels, got {pixels.Length} values.", nameof(pixels));
        var job = new Job(pixels, new TaskCompletionSource<PredictionSet>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!queue.Writer.TryWrite(job)) throw new ObjectDisposedException(nameof(BatchingPredictor));
        return job.Done.Task.WaitAsync(cancellation);
    }

    private void Work()
    {
        var batch = new List<Job>();
        while (queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            var images = 0;
            while (queue.Reader.TryPeek(out var next) && (batch.Count == 0 || images + next.Count <= maxBatch))
            {
                queue.Reader.TryRead(out _);
                batch.Add(next);
                images += next.Count;
            }
            try
            {
                var pixels = batch.Count == 1 ? batch[0].Pixels : batch.SelectMany(job => job.Pixels).ToArray();
                var predictions = classifier.Predict(new DigitDataset(pixels, null, "requests"));
                var row = 0;
                foreach (var job in batch)
                {
                    var slice = predictions.Probabilities.AsSpan(row * DigitImage.ClassCount, job.Count * DigitImage.ClassCount).ToArray();
                    job.Done.TrySetResult(new PredictionSet(slice));
                    row += job.Count;
                }
            }
            catch (Exception error)
            {
                foreach (var job in batch) job.Done.TrySetException(error);
            }
        }
    }

    /// <summary>Finishes the queued work, then stops the worker thread.</summary>
    public void Dispose()
    {
        queue.Writer.TryComplete();
        worker.Join();
    }

    private sealed record Job(float[] Pixels, TaskCompletionSource<PredictionSet> Done)
    {
        public int Count => Pixels.Length / DigitImage.PixelCount;
    }
}
