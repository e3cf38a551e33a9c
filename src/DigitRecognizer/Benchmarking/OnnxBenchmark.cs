using System.Diagnostics;
using DigitRecognizer.Data;
using DigitRecognizer.Export;
using DigitRecognizer.Inference;
using DigitRecognizer.Onnx;
using DigitRecognizer.Training;
using Microsoft.ML.OnnxRuntime;

namespace DigitRecognizer.Benchmarking;

/// <summary>
/// ONNX Runtime against TorchSharp on the same network, in one run: images/s at <c>predict</c>'s batch size,
/// the latency of one image (median and p99), ONNX Runtime's session settings side by side, how far the
/// two engines' probabilities are apart on the test images, and the same for the network's int8 export.
/// </summary>
internal static class OnnxBenchmark
{
    /// <summary>The session settings compared: the default, then each of its choices changed.</summary>
    private static readonly (string Name, OnnxSessionSettings Settings)[] SessionVariants =
    [
        ("default: 1 thread", OnnxSessionSettings.Default),
        ("a thread per core", OnnxSessionSettings.Default with { Threads = 0 }),
        ("basic graph opt.", OnnxSessionSettings.Default with { Optimization = GraphOptimizationLevel.ORT_ENABLE_BASIC }),
    ];

    public static void Run(string model, BenchmarkOptions options, int threads, DigitDataset train, DigitDataset test,
        Action<BenchmarkFigure> add, CancellationToken cancellation)
    {
        // Speed does not depend on the weights; a short training gives batch norm real statistics.
        var trainingOptions = new TrainingOptions { Model = model, Epochs = 1, BatchSize = options.BatchSize, ValidationFraction = 0, Threads = threads };
        using var torch = Trainer.Train(train.Take(options.BatchSize * 4), trainingOptions, cancellation: cancellation);
        var path = Path.Combine(options.WorkFolder, $"{model}.onnx");
        OnnxExporter.Export(torch, path);
        var data = test.Take(options.InferenceImages);
        var singles = Enumerable.Range(0, options.LatencyImages).Select(i => test.Select([i % test.Count])).ToArray();

        var expected = torch.Predict(data);
        Throughput($"predict {model} TorchSharp", torch, data, options, add, cancellation);
        Latency($"latency {model} TorchSharp", torch, singles, add);
        foreach (var (name, settings) in SessionVariants)
        {
            using var onnx = OnnxDigitClassifier.Load(path, settings);
            Throughput($"predict {model} ONNX Runtime ({name})", onnx, data, options, add, cancellation);
            Latency($"latency {model} ONNX Runtime ({name})", onnx, singles, add);
            if (settings != OnnxSessionSettings.Default) continue;
            var actual = onnx.Predict(data);
            var difference = expected.Probabilities.Zip(actual.Probabilities, (a, b) => (double)Math.Abs(a - b)).Max();
            var labelsDiffer = expected.Labels.Zip(actual.Labels).Count(pair => pair.First != pair.Second);
            add(new BenchmarkFigure($"agreement {model} ONNX vs TorchSharp", difference, "max |Δp|", [difference],
                $"{difference:E2} over {data.Count:N0} test images; {labelsDiffer} labels differ"));
        }

        // The same network with 8-bit integer convolutions (export-onnx --quantize int8), in the default session.
        var quantized = OnnxExporter.ToQuantizedBytes(torch, train.Take(1000), "training images", cancellation);
        using (var int8 = OnnxDigitClassifier.FromBytes(quantized.Bytes, $"{model} int8"))
        {
            Throughput($"predict {model} ONNX Runtime int8", int8, data, options, add, cancellation);
            Latency($"latency {model} ONNX Runtime int8", int8, singles, add);
            var labelsDiffer = expected.Labels.Zip(int8.Predict(data).Labels).Count(pair => pair.First != pair.Second);
            add(new BenchmarkFigure($"agreement {model} ONNX int8 vs TorchSharp", labelsDiffer, "labels differ", [labelsDiffer],
                $"of {data.Count:N0} test images (a network trained one short epoch, unsure of many: trained ones differ far less, docs/onnx.md); " +
                $"file {quantized.Bytes.Length / 1024.0:N0} KB against {new FileInfo(path).Length / 1024.0:N0} KB in float32"));
        }
    }

    private static void Throughput(string name, IDigitClassifier classifier, DigitDataset data, BenchmarkOptions options,
        Action<BenchmarkFigure> add, CancellationToken cancellation)
    {
        classifier.Predict(data.Take(1000));
        var rates = Enumerable.Range(0, Math.Max(1, options.Runs))
            .Select(_ => data.Count / Time(() => classifier.Predict(data, PredictionSet.DefaultBatchSize, cancellation: cancellation)))
            .ToArray();
        add(new BenchmarkFigure($"{name} (batch {PredictionSet.DefaultBatchSize})", Statistics.Median(rates), "images/s", rates,
            $"{data.Count:N0} images per run"));
    }

    // One image per call, as a server answering one request at a time sees it.
    private static void Latency(string name, IDigitClassifier classifier, DigitDataset[] singles, Action<BenchmarkFigure> add)
    {
        foreach (var image in singles.Take(50)) classifier.Predict(image);
        var milliseconds = singles.Select(image => Time(() => classifier.Predict(image)) * 1000).ToArray();
        Array.Sort(milliseconds);
        var p99 = milliseconds[Math.Min(milliseconds.Length - 1, (int)Math.Ceiling(0.99 * milliseconds.Length) - 1)];
        add(new BenchmarkFigure(name, Statistics.Median(milliseconds), "ms median", [milliseconds[0], milliseconds[^1]],
            $"p99 {p99:F3} ms over {milliseconds.Length:N0} single images"));
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }
}
