using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DigitRecognizer.Engine;
using DigitRecognizer.Inference;
using DigitRecognizer.IO;
using DigitRecognizer.Models;

namespace DigitRecognizer.Checkpoints;

/// <summary>
/// Self-describing model files. One file holds the metadata (architecture and its arguments,
/// preprocessing, training options, metrics) and the weights, so loading needs nothing else.
/// </summary>
/// <remarks>
/// Layout, all integers little-endian:
/// <code>
/// "DIGITCKP"              8 bytes   magic
/// format version          int32
/// metadata length M       int64
/// metadata                M bytes   UTF-8 JSON (CheckpointMetadata)
/// weights length W        int64
/// weights                 W bytes   TorchSharp Module.save stream
/// SHA-256                 32 bytes  of everything above: catches truncation and corruption
/// </code>
/// </remarks>
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

    private static readonly byte[] Magic = "DIGITCKP"u8.ToArray();
    private const int HashLength = 32;
    private const int MinimumLength = 8 + 4 + 8 + 8 + HashLength;

    /// <summary>
    /// The checkpoint file <paramref name="path"/> names: the path itself, or <see cref="FileName"/> inside it
    /// when it is a folder.
    /// </summary>
    public static string Resolve(string path) =>
        Directory.Exists(path) ? Path.Combine(path, FileName) : path;

    /// <summary>
    /// A short name for a model, for titles: the folder of a <see cref="FileName"/> (or the file's own name)
    /// and the architecture, "cnn-s1 (cnn)"; just "cnn" when the folder is named after its architecture.
    /// </summary>
    public static string Describe(string checkpointPath, string architecture)
    {
        var full = Path.GetFullPath(checkpointPath);
        var name = Path.GetFileName(full) == FileName
            ? Path.GetFileName(Path.GetDirectoryName(full)) ?? FileName
            : Path.GetFileNameWithoutExtension(full);
        return name == architecture ? name : $"{name} ({architecture})";
    }

    /// <summary>Writes <paramref name="classifier"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(DigitClassifier classifier, string path)
    {
        var metadata = JsonSerializer.SerializeToUtf8Bytes(classifier.Metadata, JsonFormat.Options);
        var weights = CheckpointWeights.Write(classifier.Module);

        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write((long)metadata.Length);
            writer.Write(metadata);
            writer.Write((long)weights.Length);
            writer.Write(weights);
        }
        var hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        AtomicFile.Write(path, stream =>
        {
            stream.Write(body.GetBuffer(), 0, (int)body.Length);
            stream.Write(hash);
        });
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

        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new CheckpointException(file, "not a DigitRecognizer checkpoint (it does not start with \"DIGITCKP\")");
        if (bytes.Length < MinimumLength)
            throw new CheckpointException(file, $"truncated: {bytes.Length} bytes is shorter than any checkpoint");

        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        if (version > FormatVersion || version < 1)
            throw new CheckpointException(file, $"format version {version}; this build reads versions 1 to {FormatVersion} (a newer DigitRecognizer wrote it?)");

        var bodyLength = bytes.Length - HashLength;
        var metadataLength = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(12));
        var weightsAt = 20 + metadataLength;
        if (metadataLength < 0 || weightsAt + 8 > bodyLength)
            throw new CheckpointException(file, "truncated or corrupt: the metadata runs past the end of the file");
        var weightsLength = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)weightsAt));
        if (weightsLength < 0 || weightsAt + 8 + weightsLength != bodyLength)
            throw new CheckpointException(file, $"truncated or corrupt: expected {weightsAt + 8 + Math.Max(0, weightsLength) + HashLength} bytes, found {bytes.Length}");

        var expectedHash = SHA256.HashData(bytes.AsSpan(0, bodyLength));
        if (!expectedHash.AsSpan().SequenceEqual(bytes.AsSpan(bodyLength)))
            throw new CheckpointException(file, "corrupt: its SHA-256 checksum does not match its content");

        CheckpointMetadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<CheckpointMetadata>(bytes.AsSpan(20, (int)metadataLength), JsonFormat.Options);
        }
        catch (JsonException error)
        {
            throw new CheckpointException(file, $"its metadata is not valid: {error.Message}");
        }
        if (metadata is null)
            throw new CheckpointException(file, "its metadata is empty");
        return (version, metadata, bytes.AsSpan((int)weightsAt + 8, (int)weightsLength).ToArray());
    }
}

/// <summary>A checkpoint that cannot be used; the message names the file and says why.</summary>
public sealed class CheckpointException(string path, string problem) : Exception($"{path}: {problem}")
{
    /// <summary>The checkpoint file.</summary>
    public string Path { get; } = path;
}
