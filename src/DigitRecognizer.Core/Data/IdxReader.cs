using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;

namespace DigitRecognizer.Data;

/// <summary>
/// Reads MNIST's IDX files: images (magic 0x00000803: count, rows, columns, then one byte per pixel,
/// row-major) and labels (magic 0x00000801: count, then one byte per label), all integers big-endian.
/// Gzipped files are recognised by their first two bytes and decompressed on the fly.
/// </summary>
/// <remarks>Every problem raises a <see cref="DataFormatException"/> naming the file; line and column are null.</remarks>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned-byte images (three dimensions).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned-byte labels (one dimension).</summary>
    public const int LabelsMagic = 0x00000801;

    private const int ImagesHeaderBytes = 16;
    private const int LabelsHeaderBytes = 8;

    /// <summary>
    /// Reads the images at <paramref name="imagesPath"/>, scaled to [0, 1], with the labels at
    /// <paramref name="labelsPath"/> when it is given (the set is unlabelled otherwise).
    /// </summary>
    /// <exception cref="DataFormatException">A file is missing or malformed, or the counts differ.</exception>
    public static DigitDataset Read(string imagesPath, string? labelsPath)
    {
        var (count, bytes) = ReadImages(imagesPath);
        int[]? labels = null;
        if (labelsPath is not null)
        {
            var raw = ReadLabels(labelsPath);
            if (raw.Length != count)
                throw new DataFormatException(labelsPath, null, null,
                    $"holds {raw.Length} labels but {imagesPath} holds {count} images; expected one label per image");
            labels = Array.ConvertAll(raw, label => (int)label);
        }
        return new DigitDataset(ToUnitRange(bytes), labels, imagesPath);
    }

    /// <summary>Reads an IDX label file; every label is checked to be 0–9.</summary>
    /// <exception cref="DataFormatException">The file is missing or malformed, or a label is over 9.</exception>
    public static byte[] ReadLabels(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return WithFile(path, (stream, description) =>
        {
            Span<byte> header = stackalloc byte[LabelsHeaderBytes];
            var got = ReadHeader(path, stream, header, LabelsMagic, "label", description);
            if (got < LabelsHeaderBytes)
                throw new DataFormatException(path, null, null,
                    $"truncated: {description} has only {got} bytes; an IDX label header is {LabelsHeaderBytes}");
            var count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
            if (count <= 0)
                throw new DataFormatException(path, null, null, $"header says {count} labels; expected at least one");

            var labels = ReadBody(path, stream, count, description, $"{count} labels = {count} bytes");
            var bad = labels.AsSpan().IndexOfAnyExceptInRange((byte)0, (byte)(DigitImage.ClassCount - 1));
            if (bad >= 0)
                throw new DataFormatException(path, null, null,
                    $"label at index {bad} is {labels[bad]}; expected 0..{DigitImage.ClassCount - 1}");
            return labels;
        });
    }

    /// <summary>Reads an IDX image file of 28×28 images: their count and their raw pixels, image after image.</summary>
    /// <exception cref="DataFormatException">The file is missing or malformed, or the images are not 28×28.</exception>
    public static (int Count, byte[] Pixels) ReadImages(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return WithFile(path, (stream, description) =>
        {
            Span<byte> header = stackalloc byte[ImagesHeaderBytes];
            var got = ReadHeader(path, stream, header, ImagesMagic, "image", description);
            if (got < ImagesHeaderBytes)
                throw new DataFormatException(path, null, null,
                    $"truncated: {description} has only {got} bytes; an IDX image header is {ImagesHeaderBytes}");
            var count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
            var rows = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
            var columns = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
            if (count <= 0)
                throw new DataFormatException(path, null, null, $"header says {count} images; expected at least one");
            if (rows != DigitImage.Side || columns != DigitImage.Side)
                throw new DataFormatException(path, null, null,
                    $"images are {rows}×{columns}; expected {DigitImage.Side}×{DigitImage.Side}");

            var bytes = (long)count * DigitImage.PixelCount;
            var pixels = ReadBody(path, stream, bytes, description,
                $"{count} images of {DigitImage.Side}×{DigitImage.Side} = {bytes} bytes");
            return (count, pixels);
        });
    }

    /// <summary>Bytes 0–255 as floats in [0, 1] (b / 255f), several at a time where the hardware allows.</summary>
    private static float[] ToUnitRange(byte[] bytes)
    {
        var pixels = GC.AllocateUninitializedArray<float>(bytes.Length);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var divisor = new Vector<float>(DigitImage.MaxPixelValue);
            var floats = Vector<float>.Count;
            for (; i <= bytes.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                Vector.Widen(new Vector<byte>(bytes, i), out var low, out var high);
                Vector.Widen(low, out var a, out var b);
                Vector.Widen(high, out var c, out var d);
                // IEEE division is exactly rounded, so this matches the scalar b / 255f bit for bit.
                (Vector.ConvertToSingle(a) / divisor).CopyTo(pixels, i);
                (Vector.ConvertToSingle(b) / divisor).CopyTo(pixels, i + floats);
                (Vector.ConvertToSingle(c) / divisor).CopyTo(pixels, i + 2 * floats);
                (Vector.ConvertToSingle(d) / divisor).CopyTo(pixels, i + 3 * floats);
            }
        }
        for (; i < bytes.Length; i++) pixels[i] = bytes[i] / (float)DigitImage.MaxPixelValue;
        return pixels;
    }

    /// <summary>
    /// Opens <paramref name="path"/>, decompressing it when it starts with the gzip signature, and runs
    /// <paramref name="read"/> on the content; <c>description</c> is what messages call that content.
    /// </summary>
    private static T WithFile<T>(string path, ReadContent<T> read)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException(path, null, null, "file not found");
        }

        using (file)
        {
            Span<byte> signature = stackalloc byte[2];
            var gzipped = file.ReadAtLeast(signature, 2, throwOnEndOfStream: false) == 2
                && signature[0] == 0x1f && signature[1] == 0x8b;
            file.Position = 0;
            if (!gzipped) return read(file, "file");
            try
            {
                using var gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
                return read(gzip, "decompressed file");
            }
            catch (InvalidDataException e)
            {
                throw new DataFormatException(path, null, null, $"invalid gzip data ({e.Message})");
            }
        }
    }

    private delegate T ReadContent<out T>(Stream stream, string description);

    /// <summary>Reads the header into <paramref name="header"/>, checks its magic number and returns the bytes read.</summary>
    private static int ReadHeader(string path, Stream stream, Span<byte> header, int magic, string kind, string description)
    {
        var got = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (got < 4)
            throw new DataFormatException(path, null, null,
                $"truncated: {description} has only {got} bytes; an IDX {kind} header is {header.Length}");
        var found = BinaryPrimitives.ReadInt32BigEndian(header);
        if (found != magic)
        {
            var hint = found switch
            {
                ImagesMagic => "; this looks like an IDX image file",
                LabelsMagic => "; this looks like an IDX label file",
                _ => "",
            };
            throw new DataFormatException(path, null, null,
                $"not an IDX {kind} file: magic 0x{found:X8} (expected 0x{magic:X8}){hint}");
        }
        return got;
    }

    /// <summary>Reads exactly <paramref name="expected"/> bytes and checks nothing follows them.</summary>
    private static byte[] ReadBody(string path, Stream stream, long expected, string description, string announced)
    {
        if (stream is FileStream file && file.Length - file.Position < expected)
            throw Truncated(file.Length - file.Position);
        if (expected > Array.MaxLength)
            throw new DataFormatException(path, null, null, $"header says {announced}, more than one array can hold");

        var body = GC.AllocateUninitializedArray<byte>((int)expected);
        var got = stream.ReadAtLeast(body, body.Length, throwOnEndOfStream: false);
        if (got < expected) throw Truncated(got);

        var extra = 0L;
        var scratch = new byte[1 << 16];
        for (int n; (n = stream.Read(scratch)) > 0;) extra += n;
        if (extra > 0)
            throw new DataFormatException(path, null, null,
                $"header says {announced}, but the {description} has {extra} more bytes after them");
        return body;

        DataFormatException Truncated(long found) =>
            new(path, null, null, $"truncated: header says {announced}, {description} has {found} after the header");
    }
}
