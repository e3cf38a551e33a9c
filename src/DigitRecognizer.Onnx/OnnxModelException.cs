namespace DigitRecognizer.Onnx;

/// <summary>An ONNX file that cannot be used as a digit classifier; the message names the file and says why.</summary>
public sealed class OnnxModelException(string path, string problem, Exception? inner = null) : Exception($"{path}: {problem}", inner)
{
    /// <summary>The ONNX file.</summary>
    public string Path { get; } = path;
}
