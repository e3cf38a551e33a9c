using System.Globalization;
using DigitRecognizer.Data;
using DigitRecognizer.Imaging;
using DigitRecognizer.Inference;
using Microsoft.ML.OnnxRuntime;

namespace DigitRecognizer.Onnx;

/// <summary>
/// A digit classifier exported by <c>digits export-onnx</c>, run by ONNX Runtime: no TorchSharp, no libtorch.
/// It reads images with the same MNIST-style preprocessing as <c>digits serve</c> (<see cref="MnistPreprocessor"/>)
/// and answers for 784 prepared pixels or whole datasets.
/// Safe to call from any number of threads at once: it holds one <see cref="InferenceSession"/>, whose Run
/// ONNX Runtime documents as thread-safe, and nothing else that changes (unlike a TorchSharp module, which
/// <c>BatchingPredictor</c> must give to one thread).
/// </summary>
public sealed class OnnxDigitClassifier : IConcurrentDigitClassifier, IDisposable
{
    private static readonly string[] InputNames = [OnnxContract.InputName];
    private static readonly string[] OutputNames = [OnnxContract.OutputName];

    private readonly InferenceSession session;
    private readonly MnistPreprocessor preprocessor;

    private OnnxDigitClassifier(InferenceSession session, string path, MnistPreprocessor preprocessor)
    {
        this.session = session;
        this.preprocessor = preprocessor;
        Path = path;
        var metadata = session.ModelMetadata;
        Metadata = new Dictionary<string, string>(metadata.CustomMetadataMap);
        Producer = $"{metadata.ProducerName}".Trim();
        Architecture = Metadata.GetValueOrDefault(OnnxContract.Metadata.Architecture) ?? "onnx";
    }

    /// <summary>Loads an exported model and checks it has the interface of <see cref="OnnxContract"/>.</summary>
    /// <param name="settings">Threads and graph optimisation; <see cref="OnnxSessionSettings.Default"/> when null.</param>
    /// <param name="preprocessing">How images are turned into 28×28 input; the defaults are <c>serve</c>'s.</param>
    /// <exception cref="OnnxModelException">The file is missing, not ONNX, or has another interface.</exception>
    public static OnnxDigitClassifier Load(string path, OnnxSessionSettings? settings = null, PreprocessingOptions? preprocessing = null)
    {
        if (!File.Exists(path))
            throw new OnnxModelException(path, "no such file (export one with `digits export-onnx --model CHECKPOINT --output FILE.onnx`)");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new OnnxModelException(path, $"cannot be read: {error.Message}", error);
        }
        return FromBytes(bytes, System.IO.Path.GetFullPath(path), settings, preprocessing);
    }

    /// <summary>
    /// A model held in memory (embedded in a program, or just exported); <paramref name="name"/> stands for its
    /// file in <see cref="Path"/> and in errors.
    /// </summary>
    /// <exception cref="OnnxModelException">The bytes are not ONNX, or the model has another interface.</exception>
    public static OnnxDigitClassifier FromBytes(byte[] bytes, string name, OnnxSessionSettings? settings = null,
        PreprocessingOptions? preprocessing = null)
    {
        var path = name;
        InferenceSession session;
        using (var options = (settings ?? OnnxSessionSettings.Default).ToSessionOptions())
        {
            try
            {
                session = new InferenceSession(bytes, options);
            }
            catch (OnnxRuntimeException error)
            {
                throw new OnnxModelException(path, $"not a model ONNX Runtime can load: {error.Message}", error);
            }
        }
        try
        {
            CheckInterface(path, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
        return new OnnxDigitClassifier(session, path, new MnistPreprocessor(preprocessing));
    }

    /// <summary>The file the model came from (for a model loaded from bytes, the name it was given).</summary>
    public string Path { get; }

    /// <summary>The architecture the file's metadata names ("cnn", "cnn-bn+resnet", ...; "onnx" when it names none).</summary>
    public string Architecture { get; }

    /// <summary>The file's metadata properties (keys in <see cref="OnnxContract.Metadata"/>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The program that wrote the file.</summary>
    public string Producer { get; }

    /// <summary>Validation accuracy (0-1) the checkpoint recorded, if any.</summary>
    public double? ValidationAccuracy => Number(OnnxContract.Metadata.ValidationAccuracy);

    /// <summary>Test-set accuracy (0-1) the checkpoint recorded, if any.</summary>
    public double? TestAccuracy => Number(OnnxContract.Metadata.TestAccuracy);

    /// <summary>Reads the digit in a PNG or JPEG file.</summary>
    /// <exception cref="InvalidImageException">The file is not a readable image.</exception>
    public DigitReading Read(string imagePath) => Read(preprocessor.FromFile(imagePath));

    /// <summary>Reads the digit in encoded image bytes (PNG, JPEG, a canvas drawing).</summary>
    /// <exception cref="InvalidImageException">The bytes are not a readable image.</exception>
    public DigitReading ReadEncoded(ReadOnlySpan<byte> encoded) => Read(preprocessor.FromEncoded(encoded));

    /// <summary>Reads 784 pixels already in MNIST form (0..1, 0 background, 1 ink, row-major).</summary>
    public DigitReading ReadPixels(float[] pixels)
    {
        if (pixels.Length != DigitImage.PixelCount)
            throw new ArgumentException($"Expected {DigitImage.PixelCount} pixels (28×28), got {pixels.Length}.", nameof(pixels));
        return Read(new PreparedDigit { Pixels = pixels });
    }

    private DigitReading Read(PreparedDigit input)
    {
        var probabilities = Run(input.Pixels, 1);
        var label = 0;
        for (var digit = 1; digit < probabilities.Length; digit++)
            if (probabilities[digit] > probabilities[label]) label = digit;
        return new DigitReading { Label = label, Probabilities = probabilities, Input = input };
    }

    /// <inheritdoc />
    public PredictionSet Predict(DigitDataset data, int batchSize = PredictionSet.DefaultBatchSize, IProgress<int>? progress = null,
        CancellationToken cancellation = default)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be at least 1.");
        var probabilities = new float[data.Count * DigitImage.ClassCount];
        for (var start = 0; start < data.Count; start += batchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            var size = Math.Min(batchSize, data.Count - start);
            Run(data.Pixels.AsMemory(start * DigitImage.PixelCount, size * DigitImage.PixelCount), size)
                .CopyTo(probabilities, start * DigitImage.ClassCount);
            progress?.Report(start + size);
        }
        return new PredictionSet(probabilities);
    }

    // One forward pass over count images, straight from the caller's memory (ONNX Runtime only reads it).
    private float[] Run(Memory<float> pixels, int count)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pixels,
            [count, 1, DigitImage.Side, DigitImage.Side]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, InputNames, [input], OutputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private double? Number(string key) =>
        Metadata.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    // A file exported by another program may have any interface: say which part does not fit instead of failing at Run.
    private static void CheckInterface(string path, InferenceSession session)
    {
        static string Shape(NodeMetadata node) => $"[{string.Join(",", node.Dimensions)}]";
        if (!session.InputMetadata.TryGetValue(OnnxContract.InputName, out var input) || session.InputMetadata.Count != 1)
            throw new OnnxModelException(path, $"expected one input '{OnnxContract.InputName}', found: {string.Join(", ", session.InputMetadata.Keys)}");
        if (input.ElementType != typeof(float) || input.Dimensions is not [_, 1, DigitImage.Side, DigitImage.Side])
            throw new OnnxModelException(path, $"input '{OnnxContract.InputName}' must be float32 [N,1,28,28]; it is {input.ElementType.Name} {Shape(input)}");
        if (!session.OutputMetadata.TryGetValue(OnnxContract.OutputName, out var output))
            throw new OnnxModelException(path, $"expected an output '{OnnxContract.OutputName}', found: {string.Join(", ", session.OutputMetadata.Keys)}");
        if (output.ElementType != typeof(float) || output.Dimensions is not [_, DigitImage.ClassCount])
            throw new OnnxModelException(path, $"output '{OnnxContract.OutputName}' must be float32 [N,10]; it is {output.ElementType.Name} {Shape(output)}");
    }

    /// <inheritdoc />
    public void Dispose() => session.Dispose();
}
