using System.Diagnostics;
using DigitRecognizer.Data;
using DigitRecognizer.Engine;
using DigitRecognizer.Training;

namespace DigitRecognizer.Benchmarking;

/// <summary>
/// Measures where a user waits: loading a Kaggle CSV, a training epoch, and prediction. Every figure is
/// the median of several runs; the caller prints them. Never used as a timed assertion in tests.
/// </summary>
public static class Benchmark
{
    private const int KaggleTestRows = 28_000;

    /// <summary>Runs every measurement, reporting each figure as soon as it is known.</summary>
    public static IReadOnlyList<BenchmarkFigure> Run(BenchmarkOptions options, IProgress<BenchmarkFigure>? progress = null,
        CancellationToken cancellation = default)
    {
        var figures = new List<BenchmarkFigure>();
        void Add(BenchmarkFigure figure)
        {
            figures.Add(figure);
            progress?.Report(figure);
        }

        var threads = TorchRuntime.UseThreads(options.Threads);
        var mnist = DigitData.DefaultFolder();
        var train = MnistFiles.Load(mnist, MnistSplit.Train);
        var test = MnistFiles.Load(mnist, MnistSplit.Test);

        var csv = Path.Combine(options.WorkFolder, "train.csv");
        if (!File.Exists(csv)) KaggleCsvWriter.Write(csv, train);
        var megabytes = new FileInfo(csv).Length / 1e6;
        var loadSeconds = Repeat(options.Runs, () => Time(() => KaggleCsvReader.Read(csv)));
        var loadMedian = Statistics.Median(loadSeconds);
        Add(new BenchmarkFigure("CSV load (60,000-row train.csv)", loadMedian, "s", loadSeconds,
            $"{megabytes / loadMedian:N0} MB/s, {train.Count / loadMedian:N0} rows/s, {megabytes:N0} MB"));

        // Kaggle's test.csv has 28,000 unlabelled rows; MNIST's training images stand in for them.
        var testCsv = Path.Combine(options.WorkFolder, "test.csv");
        if (!File.Exists(testCsv)) KaggleCsvWriter.Write(testCsv, train.Take(KaggleTestRows), includeLabels: false);
        var submission = Path.Combine(options.WorkFolder, "submission.csv");

        var trainSlice = train.Take(options.TrainImages);
        foreach (var model in options.Models)
        foreach (var precision in options.Precisions)
        {
            cancellation.ThrowIfCancellationRequested();
            var label = precision == Precision.Float32 ? model : $"{model} {precision.ToString().ToLowerInvariant()}";
            var trainingOptions = new TrainingOptions
            {
                Model = model, Epochs = 1, BatchSize = options.BatchSize, ValidationFraction = 0, Threads = threads, Precision = precision,
            };
            // A first, untimed epoch lets libtorch and the JIT warm up.
            Trainer.Train(trainSlice.Take(options.BatchSize * 4), trainingOptions, cancellation: cancellation).Dispose();
            var rates = Repeat(options.Runs, () =>
            {
                using var classifier = Trainer.Train(trainSlice, trainingOptions, cancellation: cancellation);
                return classifier.Metadata.Metrics.History[0].ImagesPerSecond;
            });
            var rate = Statistics.Median(rates);
            Add(new BenchmarkFigure($"train {label} (batch {options.BatchSize})", rate, "images/s", rates,
                $"{trainSlice.Count:N0} images per run; a 54,000-image epoch ≈ {54_000 / rate:F1} s"));

            using var predictor = Trainer.Train(trainSlice.Take(options.BatchSize), trainingOptions, cancellation: cancellation);
            predictor.Precision = precision;
            var inferenceData = test.Take(options.InferenceImages);
            predictor.Predict(inferenceData.Take(1000));
            var inference = Repeat(options.Runs, () => inferenceData.Count / Time(() => predictor.Predict(inferenceData, cancellation: cancellation)));
            Add(new BenchmarkFigure($"predict {label} (batch {Inference.DigitClassifier.DefaultBatchSize})", Statistics.Median(inference), "images/s", inference,
                $"{inferenceData.Count:N0} images per run"));

            // What `digits predict --input test.csv` does after start-up: read, predict in batches, write.
            var endToEnd = Repeat(options.Runs, () => Time(() =>
            {
                var rows = KaggleCsvReader.Read(testCsv);
                SubmissionWriter.Write(submission, predictor.Predict(rows, cancellation: cancellation).Labels);
            }));
            var endToEndMedian = Statistics.Median(endToEnd);
            Add(new BenchmarkFigure($"predict {label}: {KaggleTestRows:N0}-row test.csv end to end", endToEndMedian, "s", endToEnd,
                $"load, predict, write the submission: {KaggleTestRows / endToEndMedian:N0} rows/s"));
        }

        foreach (var model in options.OnnxModels)
        {
            cancellation.ThrowIfCancellationRequested();
            OnnxBenchmark.Run(model, options, threads, train, test, Add, cancellation);
        }

        using var process = Process.GetCurrentProcess();
        var peak = process.PeakWorkingSet64 / 1e6;
        Add(new BenchmarkFigure("peak resident memory", peak, "MB", [peak], $"{threads} threads, {Environment.ProcessorCount} cores"));
        return figures;
    }

    private static double[] Repeat(int runs, Func<double> measure) =>
        Enumerable.Range(0, Math.Max(1, runs)).Select(_ => measure()).ToArray();

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }
}
