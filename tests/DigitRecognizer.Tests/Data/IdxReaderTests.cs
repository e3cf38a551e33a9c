using System.Buffers.Binary;
using System.IO.Compression;
using DigitRecognizer.Data;

namespace DigitRecognizer.Tests.Data;

[Trait("Category", "Fast")]
public sealed class IdxReaderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"idx-tests-{Guid.NewGuid():N}");

    public IdxReaderTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // ---- helpers ----

    private static byte[] ImageFile(int count, int rows = 28, int columns = 28, int? pixelBytes = null, int magic = 0x803)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), columns);
        var pixels = new byte[pixelBytes ?? count * rows * columns];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 31 % 256);
        return [.. header, .. pixels];
    }

    private static byte[] LabelFile(params byte[] labels) => LabelFileWithCount(labels.Length, labels);

    private static byte[] LabelFileWithCount(int count, byte[] labels, int magic = 0x801)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        return [.. header, .. labels];
    }

    private static byte[] Gzip(byte[] content)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest)) gzip.Write(content);
        return memory.ToArray();
    }

    private string Save(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void AssertError(DataFormatException error, string path, string fragment)
    {
        Assert.Equal(path, error.Path);
        Assert.Null(error.Line);
        Assert.Null(error.Column);
        Assert.Contains(fragment, error.Problem);
        Assert.StartsWith(path + ": ", error.Message);
    }

    // ---- round trips ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_SyntheticFiles_GivesScaledPixelsAndLabels(bool gzipped)
    {
        var imageBytes = ImageFile(3);
        var images = Save("images", gzipped ? Gzip(imageBytes) : imageBytes);
        var labelBytes = LabelFile(7, 0, 9);
        var labels = Save("labels", gzipped ? Gzip(labelBytes) : labelBytes);

        var set = IdxReader.Read(images, labels);

        Assert.Equal(3, set.Count);
        Assert.Equal([7, 0, 9], set.Labels!);
        Assert.Equal(imageBytes.Skip(16).Select(b => b / 255f), set.Pixels);
        Assert.Equal(images, set.Source);
    }

    [Fact]
    public void ReadImagesAndLabels_GiveTheRawBytes()
    {
        var imageBytes = ImageFile(2);
        var images = Save("images.gz", Gzip(imageBytes));
        var labels = Save("labels", LabelFile(4, 2));

        var (count, pixels) = IdxReader.ReadImages(images);

        Assert.Equal(2, count);
        Assert.Equal(imageBytes.AsSpan(16).ToArray(), pixels);
        Assert.Equal([4, 2], IdxReader.ReadLabels(labels));
    }

    [Fact]
    public void Read_WithoutLabels_IsUnlabelled()
    {
        var set = IdxReader.Read(Save("images", ImageFile(1)), null);

        Assert.Equal(1, set.Count);
        Assert.False(set.IsLabelled);
    }

    [Fact]
    public void Load_RealMnistTestSet_HasTheKnownCountAndLabelHistogram()
    {
        var folder = MnistFiles.FindDefaultFolder();
        Assert.True(folder is not null, "The MNIST files were not found: expected data/mnist above the test binaries, or DIGITS_MNIST_DIR.");

        var set = MnistFiles.Load(folder, MnistSplit.Test);

        Assert.Equal(10_000, set.Count);
        var histogram = new int[10];
        foreach (var label in set.Labels!) histogram[label]++;
        Assert.Equal([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009], histogram);
        Assert.Equal(7, set.Labels[0]); // MNIST's first test image is a 7
        Assert.Equal(0f, set.Pixels.Min());
        Assert.Equal(1f, set.Pixels.Max());
    }

    // ---- errors ----

    [Fact]
    public void ReadImages_MissingFile_SaysFileNotFound()
    {
        var path = Path.Combine(_folder, "absent");
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path)), path, "file not found");
    }

    [Fact]
    public void ReadLabels_MissingFile_SaysFileNotFound()
    {
        var path = Path.Combine(_folder, "nowhere", "labels");
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path)), path, "file not found");
    }

    [Fact]
    public void ReadImages_LabelFile_SaysWrongMagic()
    {
        var path = Save("labels", LabelFile(1, 2, 3));
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path)), path,
            "not an IDX image file: magic 0x00000801 (expected 0x00000803); this looks like an IDX label file");
    }

    [Fact]
    public void ReadLabels_ImageFile_SaysWrongMagic()
    {
        var path = Save("images.gz", Gzip(ImageFile(1)));
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path)), path,
            "not an IDX label file: magic 0x00000803 (expected 0x00000801)");
    }

    [Fact]
    public void ReadImages_TextFile_SaysWrongMagic()
    {
        var path = Save("notes.txt", "hello, world"u8.ToArray());
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path)), path,
            "not an IDX image file: magic 0x68656C6C");
    }

    [Theory]
    [InlineData(false, "file has 1000 after the header")]
    [InlineData(true, "decompressed file has 1000 after the header")]
    public void ReadImages_Truncated_SaysAnnouncedAndFoundSizes(bool gzipped, string found)
    {
        var bytes = ImageFile(3, pixelBytes: 1000);
        var path = Save("images", gzipped ? Gzip(bytes) : bytes);
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path)), path,
            $"truncated: header says 3 images of 28×28 = 2352 bytes, {found}");
    }

    [Fact]
    public void ReadImages_GzipCutShort_SaysTruncated()
    {
        var gzipped = Gzip(ImageFile(50));
        var path = Save("images.gz", gzipped.AsSpan(0, gzipped.Length / 2).ToArray());
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path)), path,
            "truncated: header says 50 images of 28×28 = 39200 bytes, decompressed file has ");
    }

    [Fact]
    public void ReadImages_TruncatedHeader_SaysSo()
    {
        var path = Save("images", ImageFile(1).AsSpan(0, 10).ToArray());
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path)), path,
            "truncated: file has only 10 bytes; an IDX image header is 16");
    }

    [Fact]
    public void ReadImages_EmptyFile_SaysTruncated()
    {
        var path = Save("images", []);
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path)), path, "truncated: file has only 0 bytes");
    }

    [Fact]
    public void ReadImages_TrailingBytes_SaysHowMany()
    {
        var path = Save("images", ImageFile(2, pixelBytes: 2 * 784 + 5));
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path)), path, "has 5 more bytes after them");
    }

    [Fact]
    public void ReadImages_Not28By28_SaysTheSize()
    {
        var path = Save("images", ImageFile(2, rows: 32, columns: 32));
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path)), path, "images are 32×32; expected 28×28");
    }

    [Fact]
    public void ReadImages_NegativeCount_IsRejected()
    {
        var path = Save("images", ImageFile(-4, pixelBytes: 0));
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path)), path, "header says -4 images");
    }

    [Fact]
    public void ReadLabels_LabelOverNine_SaysWhichIndex()
    {
        var path = Save("labels.gz", Gzip(LabelFile(0, 1, 2, 10, 11)));
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path)), path, "label at index 3 is 10; expected 0..9");
    }

    [Fact]
    public void ReadLabels_Truncated_SaysAnnouncedAndFoundSizes()
    {
        var path = Save("labels", LabelFileWithCount(5, [1, 2]));
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path)), path,
            "truncated: header says 5 labels = 5 bytes, file has 2 after the header");
    }

    [Fact]
    public void Read_CountMismatch_NamesBothCounts()
    {
        var images = Save("images", ImageFile(3));
        var labels = Save("labels", LabelFile(1, 2));
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.Read(images, labels)), labels,
            $"holds 2 labels but {images} holds 3 images");
    }

    [Fact]
    public void ReadImages_InvalidGzip_SaysSo()
    {
        var path = Save("images.gz", [0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x13, 0x37]);
        AssertError(Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path)), path, "invalid gzip data");
    }

    // ---- locating the files ----

    [Theory]
    [InlineData("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", MnistSplit.Train)]
    [InlineData("train-images.idx3-ubyte", "train-labels.idx1-ubyte", MnistSplit.Train)]
    [InlineData("t10k-images-idx3-ubyte", "t10k-labels.idx1-ubyte.gz", MnistSplit.Test)]
    public void Locate_FindsEitherNamingWithOrWithoutGz(string imagesName, string labelsName, MnistSplit split)
    {
        Save(imagesName, Gzip(ImageFile(2)));
        Save(labelsName, LabelFile(3, 4));

        var (images, labels) = MnistFiles.Locate(_folder, split);
        var set = MnistFiles.Load(_folder, split);

        Assert.Equal(Path.Combine(_folder, imagesName), images);
        Assert.Equal(Path.Combine(_folder, labelsName), labels);
        Assert.Equal([3, 4], set.Labels!);
    }

    [Fact]
    public void Locate_MissingFile_ListsTheNamesTried()
    {
        Save("train-images-idx3-ubyte.gz", Gzip(ImageFile(1)));

        var error = Assert.Throws<DataFormatException>(() => MnistFiles.Locate(_folder, MnistSplit.Train));

        AssertError(error, _folder, "no MNIST training labels file; looked for train-labels-idx1-ubyte, train-labels-idx1-ubyte.gz, train-labels.idx1-ubyte, train-labels.idx1-ubyte.gz");
        Assert.Throws<DataFormatException>(() => MnistFiles.Locate(_folder, MnistSplit.Test));
    }

    [Fact]
    public void Locate_MissingFolder_SaysFolderNotFound()
    {
        var folder = Path.Combine(_folder, "absent");
        AssertError(Assert.Throws<DataFormatException>(() => MnistFiles.Locate(folder, MnistSplit.Test)), folder, "folder not found");
    }

    [Fact]
    public void FindDefaultFolder_WalksUpToDataMnist()
    {
        var mnist = Directory.CreateDirectory(Path.Combine(_folder, "repo", "data", "mnist")).FullName;
        File.WriteAllBytes(Path.Combine(mnist, "train-images-idx3-ubyte.gz"), []);
        var deep = Directory.CreateDirectory(Path.Combine(_folder, "repo", "src", "bin", "Release")).FullName;
        var elsewhere = Directory.CreateDirectory(Path.Combine(_folder, "elsewhere")).FullName;

        Assert.Equal(mnist, MnistFiles.FindDefaultFolder(null, deep));
        Assert.Equal(mnist, MnistFiles.FindDefaultFolder("", elsewhere, deep));
        Assert.Null(MnistFiles.FindDefaultFolder(null, elsewhere));
    }

    [Fact]
    public void FindDefaultFolder_EnvironmentVariableWins()
    {
        var mnist = Directory.CreateDirectory(Path.Combine(_folder, "repo", "data", "mnist")).FullName;
        File.WriteAllBytes(Path.Combine(mnist, "train-images-idx3-ubyte.gz"), []);
        var chosen = Path.Combine(_folder, "chosen");

        Assert.Equal(chosen, MnistFiles.FindDefaultFolder(chosen, mnist));
    }
}
