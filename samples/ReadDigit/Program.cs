// ReadDigit: prints the digit in an image file, using a model exported by `digits export-onnx`.
// It needs only DigitRecognizer.Onnx (ONNX Runtime + the same MNIST-style preprocessing as `digits serve`).
//
//   dotnet run --project samples/ReadDigit -- digit.png [model.onnx]
//
// Without a model path it uses models/best.onnx, looked for from the current folder upwards.
using DigitRecognizer.Imaging;
using DigitRecognizer.Onnx;

const string DefaultModel = "models/best.onnx";

if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine($"usage: ReadDigit IMAGE [MODEL.onnx]   (default model: {DefaultModel})");
    return 2;
}
var imagePath = args[0];
var modelPath = args.Length == 2 ? args[1] : FindUpwards(DefaultModel) ?? DefaultModel;

try
{
    using var model = OnnxDigitClassifier.Load(modelPath);
    var reading = model.Read(imagePath);
    if (reading.Input.IsEmpty)
    {
        Console.WriteLine($"{imagePath}: no digit (no ink stands out from the background)");
        return 1;
    }
    Console.WriteLine($"{imagePath}: {reading.Label}  ({reading.Confidence:P1} sure, model {model.Architecture} from {modelPath})");
    Console.WriteLine(string.Join("  ", reading.Probabilities.Select((p, digit) => $"{digit}: {p:F3}")));
    return 0;
}
catch (Exception error) when (error is OnnxModelException or InvalidImageException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {error.Message}");
    return 1;
}

// The shipped model lives in the repository's models/ folder; walk up so the sample runs from anywhere inside it.
static string? FindUpwards(string relative)
{
    for (var folder = new DirectoryInfo(Directory.GetCurrentDirectory()); folder is not null; folder = folder.Parent)
    {
        var candidate = Path.Combine(folder.FullName, relative);
        if (File.Exists(candidate)) return candidate;
    }
    return null;
}
