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
        var loadMedian = Median(loadSeconds);
        Add(new BenchmarkFigure("CSV load (60,000-row train.csv)", loadMedian, "s", loadSeconds,
            $"{megabytes / loadMedian:N0} MB/s, {train.Count / loadMedian:N0} rows/s, {megabytes:N0} MB"));

        var trainSlice = train.Take(options.TrainImages);
        foreach (var model in options.Models)
        {
            cancellation.ThrowIfCancellationRequested();
            var trainingOptions = new TrainingOptions
            {
                Model = model, Epochs = 1, BatchSize = options.BatchSize, ValidationFraction = 0, Threads = threads,
            };
            // A first, untimed epoch lets libtorch and the JIT warm up.
            Trainer.Train(trainSlice.Take(options.BatchSize * 4), trainingOptions, cancellation: cancellation).Dispose();
            var rates = Repeat(options.Runs, () =>
            {
                using var classifier = Trainer.Train(trainSlice, trainingOptions, cancellation: cancellation);
                return classifier.Metadata.Metrics.History[0].ImagesPerSecond;
            });
            Add(new BenchmarkFigure($"train {model} (batch {options.BatchSize})", Median(rates), "images/s", rates,
                $"{trainSlice.Count:N0} images per run; a 54,000-image epoch ≈ {54_000 / Median(rates):F1} s"));

            using var predictor = Trainer.Train(trainSlice.Take(options.BatchSize), trainingOptions, cancellation: cancellation);
            var inferenceData = test.Take(options.InferenceImages);
            predictor.Predict(inferenceData.Take(1000));
            var inference = Repeat(options.Runs, () => inferenceData.Count / Time(() => predictor.Predict(inferenceData, cancellation: cancellation)));
            Add(new BenchmarkFigure($"predict {model} (batch {Inference.DigitClassifier.DefaultBatchSize})", Median(inference), "images/s", inference,
                $"{inferenceData.Count:N0} images per run"));
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

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
