using DigitRecognizer.IO;

namespace DigitRecognizer.Tests.IO;

[Trait("Category", "Fast")]
public sealed class AtomicFileTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Write_ThatFailsPartWay_LeavesThePreviousFileAndNoTemporaryFile()
    {
        var path = folder.File("submission.csv");
        File.WriteAllText(path, "ImageId,Label\n1,7\n");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.WriteText(path, writer =>
        {
            writer.Write("ImageId,Label\n1,");
            writer.Flush();
            throw new InvalidOperationException("disk full");
        }));

        Assert.Equal("ImageId,Label\n1,7\n", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Write_CreatesMissingFoldersAndReplacesTheFile()
    {
        var path = Path.Combine(folder.Path, "a", "b", "metrics.json");

        AtomicFile.WriteText(path, writer => writer.Write("one"));
        AtomicFile.WriteText(path, writer => writer.Write("two"));

        Assert.Equal("two", File.ReadAllText(path));
    }

    [Fact]
    public void Write_WhereAFileStandsInForTheFolder_FailsNamingTheOutput()
    {
        var blocker = folder.File("report");
        File.WriteAllText(blocker, "keep me");
        var path = Path.Combine(blocker, "confusion-matrix.png");

        var error = Assert.Throws<IOException>(() => AtomicFile.WriteBytes(path, [1, 2, 3]));

        Assert.StartsWith($"cannot write {path}: ", error.Message);
        Assert.Equal("keep me", File.ReadAllText(blocker));
    }
}
