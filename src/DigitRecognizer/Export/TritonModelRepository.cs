using System.Text;
using DigitRecognizer.Inference;
using DigitRecognizer.IO;

namespace DigitRecognizer.Export;

/// <summary>
/// A model folder for Triton Inference Server's ONNX Runtime backend, for users who outgrow one
/// <c>digits serve</c>: <c>DIR/NAME/config.pbtxt</c> and <c>DIR/NAME/1/model.onnx</c>
/// (<c>tritonserver --model-repository DIR</c> serves it as model NAME, version 1).
/// </summary>
public static class TritonModelRepository
{
    /// <summary>The version folder written (Triton serves the highest one).</summary>
    public const string Version = "1";

    /// <summary>
    /// Largest batch Triton's dynamic batcher may form. 256 is the batch <c>predict</c> measured fastest
    /// (<see cref="PredictionSet.DefaultBatchSize"/>); the graph itself takes any N.
    /// </summary>
    public const int DefaultMaxBatchSize = PredictionSet.DefaultBatchSize;

    /// <summary>The config.pbtxt for model <paramref name="name"/>: the interface of <see cref="OnnxContract"/> in Triton's terms.</summary>
    public static string Config(string name, int maxBatchSize = DefaultMaxBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        // With max_batch_size > 0 Triton adds the batch dimension itself: dims are per image.
        return new StringBuilder()
            .Append("# Written by `digits export-onnx --triton`: the ONNX file in ").Append(Version).Append("/model.onnx, served by ONNX Runtime.\n")
            .Append("name: \"").Append(name).Append("\"\n")
            .Append("platform: \"onnxruntime_onnx\"\n")
            .Append("max_batch_size: ").Append(maxBatchSize).Append('\n')
            .Append("input [\n  {\n    name: \"").Append(OnnxContract.InputName).Append("\"\n    data_type: TYPE_FP32\n")
            .Append("    dims: [ 1, ").Append(DigitImage.Side).Append(", ").Append(DigitImage.Side).Append(" ]\n  }\n]\n")
            .Append("output [\n  {\n    name: \"").Append(OnnxContract.OutputName).Append("\"\n    data_type: TYPE_FP32\n")
            .Append("    dims: [ ").Append(DigitImage.ClassCount).Append(" ]\n  }\n]\n")
            .Append("dynamic_batching { }\n")
            .ToString();
    }

    /// <summary>Refuses a model name that cannot be a folder, or a repository path that is a file.</summary>
    /// <exception cref="ArgumentException">What is wrong, naming the path or name.</exception>
    public static void Check(string repository, string name)
    {
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || name.StartsWith('.'))
            throw new ArgumentException($"Triton model name '{name}' must be letters, digits, '-', '_' or '.' (it becomes a folder name).");
        if (File.Exists(repository))
            throw new ArgumentException($"--triton {repository} is a file; it must be a folder (Triton's model repository).");
    }

    /// <summary>Writes the model folder <paramref name="repository"/>/<paramref name="name"/> (each file atomically).</summary>
    /// <returns>The folder written.</returns>
    public static string Write(string repository, string name, byte[] onnxModel, int maxBatchSize = DefaultMaxBatchSize)
    {
        Check(repository, name);
        var folder = Path.Combine(repository, name);
        var config = Config(name, maxBatchSize);
        AtomicFile.WriteBytes(Path.Combine(folder, Version, "model.onnx"), onnxModel);
        AtomicFile.WriteText(Path.Combine(folder, "config.pbtxt"), writer => writer.Write(config));
        return folder;
    }
}
