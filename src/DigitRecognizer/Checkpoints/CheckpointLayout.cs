using System.Security.Cryptography;
using System.Text;

namespace DigitRecognizer.Checkpoints;

/// <summary>
/// The bytes of a checkpoint file, described once: <see cref="ToBytes"/> writes and <see cref="Parse"/> reads
/// the same fields in the same order with <see cref="BinaryWriter"/> and <see cref="BinaryReader"/>
/// (integers little-endian):
/// <code>
/// "DIGITCKP"              8 bytes   magic
/// format version          int32     (the only place the version is stored)
/// metadata length M       int64
/// metadata                M bytes   UTF-8 JSON (CheckpointMetadata)
/// weights length W        int64
/// weights                 W bytes   TorchSharp Module.save stream (CheckpointWeights)
/// SHA-256                 32 bytes  of everything above: catches truncation and corruption
/// </code>
/// </summary>
/// <param name="Version">The format version the file declares.</param>
/// <param name="Metadata">The metadata JSON.</param>
/// <param name="Weights">The weights stream.</param>
internal sealed record CheckpointLayout(int Version, byte[] Metadata, byte[] Weights)
{
    private static readonly byte[] Magic = "DIGITCKP"u8.ToArray();
    private const int HashLength = 32;
    private const int MinimumLength = 8 + sizeof(int) + sizeof(long) + sizeof(long) + HashLength;

    /// <summary>The whole file: the fields above, then their SHA-256.</summary>
    public byte[] ToBytes()
    {
        using var file = new MemoryStream();
        using (var writer = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write((long)Metadata.Length);
            writer.Write(Metadata);
            writer.Write((long)Weights.Length);
            writer.Write(Weights);
        }
        file.Write(SHA256.HashData(file.GetBuffer().AsSpan(0, (int)file.Length)));
        return file.ToArray();
    }

    /// <summary>Reads and checks the fields of <paramref name="bytes"/>, the content of <paramref name="file"/>.</summary>
    /// <exception cref="CheckpointException">Foreign, truncated or corrupt bytes, or a version this build does not read.</exception>
    public static CheckpointLayout Parse(string file, byte[] bytes, int newestVersion)
    {
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new CheckpointException(file, "not a DigitRecognizer checkpoint (it does not start with \"DIGITCKP\")");
        if (bytes.Length < MinimumLength)
            throw new CheckpointException(file, $"truncated: {bytes.Length} bytes is shorter than any checkpoint");

        var bodyLength = bytes.Length - HashLength;
        using var reader = new BinaryReader(new MemoryStream(bytes, 0, bodyLength, writable: false), Encoding.UTF8);
        reader.ReadBytes(Magic.Length);
        var version = reader.ReadInt32();
        if (version > newestVersion || version < 1)
            throw new CheckpointException(file, $"format version {version}; this build reads versions 1 to {newestVersion} (a newer DigitRecognizer wrote it?)");

        var metadataLength = reader.ReadInt64();
        if (metadataLength < 0 || metadataLength > bodyLength - reader.BaseStream.Position - sizeof(long))
            throw new CheckpointException(file, "truncated or corrupt: the metadata runs past the end of the file");
        var metadata = reader.ReadBytes((int)metadataLength);
        var weightsLength = reader.ReadInt64();
        var expectedLength = reader.BaseStream.Position + Math.Max(0, weightsLength) + HashLength;
        if (weightsLength < 0 || expectedLength != bytes.Length)
            throw new CheckpointException(file, $"truncated or corrupt: expected {expectedLength} bytes, found {bytes.Length}");

        if (!SHA256.HashData(bytes.AsSpan(0, bodyLength)).AsSpan().SequenceEqual(bytes.AsSpan(bodyLength)))
            throw new CheckpointException(file, "corrupt: its SHA-256 checksum does not match its content");
        return new CheckpointLayout(version, metadata, reader.ReadBytes((int)weightsLength));
    }
}
