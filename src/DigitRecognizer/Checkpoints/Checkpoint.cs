using System.Text.Json;
using DigitRecognizer.Engine;
using DigitRecognizer.Inference;
using DigitRecognizer.IO;
using DigitRecognizer.Models;

namespace DigitRecognizer.Checkpoints;

/// <summary>
/// Self-describing model files. One file holds the metadata (architecture and its arguments,
/// preprocessing, training options, metrics) and the weights, so loading needs nothing else.
/// The bytes are laid out as <see cref="CheckpointLayout"/> describes.
/// </summary>
public static class Checkpoint
{
    /// <summary>
    /// The layout version this build writes and the newest it reads. 2: the Conv → BatchNorm pairs of
    /// cnn-bn, cnn-fast and resnet are <see cref="ConvBnRelu"/> blocks, so their parameters have other
    /// names; version 1 files load through <see cref="Format1ParameterNames"/>.
    /// </summary>
    public const int FormatVersion = 2;

    /// <summary>The file name used inside a model folder (<c>train --output DIR</c> writes DIR/model.ckpt).</summary>
    public const string FileName = "model.ckpt";

    /// <summary>
    /// The checkpoint file <paramref name="path"/> names: the path itself, or <see cref="FileName"/> inside it
    /// when it is a folder.
    /// </summary>
    public static string Resolve(string path) =>
        Directory.Exists(path) ? Path.Combine(path, FileName) : path;

    /// <summary>
    /// The name a model file goes by: the folder of a <see cref="FileName"/> (<c>runs/cnn-s1/model.ckpt</c> →
    /// "cnn-s1"), or the file's own name without its extension.
    /// </summary>
    public static string ModelName(string path)
    {
        var full = Path.GetFullPath(path);
        return Path.GetFileName(full) == FileName
            ? Path.GetFileName(Path.GetDirectoryName(full)) ?? FileName
            : Path.GetFileNameWithoutExtension(full);
    }

    /// <summary>
    /// A short name for a model, for titles: its <see cref="ModelName"/> and the architecture, "cnn-s1 (cnn)";
    /// just "cnn" when the folder is named after its architecture.
    /// </summary>
    public static string Describe(string checkpointPath, string architecture)
    {
        var name = ModelName(checkpointPath);
        return name == architecture ? name : $"{name} ({architecture})";
    }

    /// <summary>Writes <paramref name="classifier"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(DigitClassifier classifier, string path)
    {
        var metadata = JsonSerializer.SerializeToUtf8Bytes(classifier.Metadata, JsonFormat.Options);
        var bytes = new CheckpointLayout(FormatVersion, metadata, CheckpointWeights.Write(classifier.Module)).ToBytes();
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Reads only the metadata of a checkpoint (still verifying the whole file).</summary>
    public static CheckpointMetadata ReadMetadata(string path) => ReadParts(Resolve(path)).Metadata;

    /// <summary>Loads a checkpoint file, or the <see cref="FileName"/> in a folder.</summary>
    /// <exception cref="CheckpointException">The file is missing, truncated, corrupt, foreign or from a newer version.</exception>
    public static DigitClassifier Load(string path)
    {
        var file = Resolve(path);
        var (version, metadata, weights) = ReadParts(file);
        TorchRuntime.EnsureLoaded();
        if (!ModelFactory.IsKnown(metadata.Architecture))
            throw new CheckpointException(file, $"it was written for model '{metadata.Architecture}', which this version does not know " +
                $"(it knows {string.Join(", ", ModelFactory.Names)} and ensembles of them)");

        TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> model;
        try
        {
            model = ModelFactory.Create(metadata.Architecture, metadata.ArchitectureArguments);
        }
        catch (ArgumentException error)
        {
            throw new CheckpointException(file, error.Message);
        }
        try
        {
            CheckpointWeights.Read(model, weights, version == 1
                ? name => Format1ParameterNames.ToCurrent(name, metadata.Architecture, metadata.ArchitectureArguments)
                : name => name);
        }
        catch (Exception error) when (error is ArgumentException or InvalidDataException or EndOfStreamException or IOException)
        {
            model.Dispose();
            throw new CheckpointException(file, $"its weights do not fit a '{metadata.Architecture}' network: {error.Message}");
        }
        return new DigitClassifier(model, metadata.Normalization, metadata);
    }

    private static (int Version, CheckpointMetadata Metadata, byte[] Weights) ReadParts(string file)
    {
        if (!File.Exists(file))
            throw new CheckpointException(file, Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(file)))
                ? "no such file (train a model with `digits train --output DIR`, then pass DIR or DIR/model.ckpt)"
                : "no such file or folder");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(file, $"cannot be read: {error.Message}");
        }

        var layout = CheckpointLayout.Parse(file, bytes, FormatVersion);
        CheckpointMetadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<CheckpointMetadata>(layout.Metadata, JsonFormat.Options);
        }
        catch (JsonException error)
        {
            throw new CheckpointException(file, $"its metadata is not valid: {error.Message}");
        }
        if (metadata is null)
            throw new CheckpointException(file, "its metadata is empty");
        return (layout.Version, metadata, layout.Weights);
    }
}

/// <summary>A checkpoint that cannot be used; the message names the file and says why.</summary>
public sealed class CheckpointException(string path, string problem) : Exception($"{path}: {problem}")
{
    /// <summary>The checkpoint file.</summary>
    public string Path { get; } = path;
}
