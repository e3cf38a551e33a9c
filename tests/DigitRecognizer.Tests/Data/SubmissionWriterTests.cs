using System.Text;
using DigitRecognizer.Data;

namespace DigitRecognizer.Tests.Data;

[Trait("Category", "Fast")]
public sealed class SubmissionWriterTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"submission-tests-{Guid.NewGuid():N}");

    public SubmissionWriterTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private string WriteText(string text, string name = "submission.csv")
    {
        var path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    private static void AssertError(DataFormatException error, string path, long? line, int? column, string fragment)
    {
        Assert.Equal(path, error.Path);
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.Contains(fragment, error.Problem);
    }

    [Fact]
    public void Write_ProducesHeaderThenIdsFromOneInOrderWithLfEnds()
    {
        var path = PathOf("submission.csv");

        SubmissionWriter.Write(path, [3, 0, 9, 3]);

        Assert.Equal("ImageId,Label\n1,3\n2,0\n3,9\n4,3\n"u8.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void WriteThenRead_GivesBackTheLabels()
    {
        var labels = Enumerable.Range(0, 28_000).Select(i => i * 7 % 10).ToArray();
        var path = PathOf("submission.csv");

        SubmissionWriter.Write(path, labels);

        Assert.Equal(labels, SubmissionWriter.Read(path));
    }

    [Fact]
    public void Write_LabelOutOfRange_ThrowsAndLeavesTheExistingFileUntouched()
    {
        var path = PathOf("submission.csv");
        SubmissionWriter.Write(path, [1, 2]);
        var before = File.ReadAllBytes(path);

        var error = Assert.Throws<ArgumentException>(() => SubmissionWriter.Write(path, [5, 12, 3]));

        Assert.Contains("Label 12 for ImageId 2", error.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public void Write_NegativeLabelOrEmptyList_Throws()
    {
        Assert.Throws<ArgumentException>(() => SubmissionWriter.Write(PathOf("a.csv"), [-1]));
        Assert.Throws<ArgumentException>(() => SubmissionWriter.Write(PathOf("b.csv"), []));
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Read_ToleratesBomCrlfBlankLinesAndSpaces()
    {
        var path = PathOf("submission.csv");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("ImageId, Label\r\n1,4\r\n\r\n 2 ,\t5\r\n3,6")]);

        Assert.Equal([4, 5, 6], SubmissionWriter.Read(path));
    }

    [Fact]
    public void Read_MissingFile_SaysFileNotFound()
    {
        var path = PathOf("absent.csv");
        AssertError(Assert.Throws<DataFormatException>(() => SubmissionWriter.Read(path)), path, null, null, "file not found");
    }

    [Fact]
    public void Read_EmptyFile_SaysEmpty()
    {
        var path = WriteText("\n\n");
        AssertError(Assert.Throws<DataFormatException>(() => SubmissionWriter.Read(path)), path, null, null, "file is empty");
    }

    [Fact]
    public void Read_HeaderOnly_SaysNoRows()
    {
        var path = WriteText("ImageId,Label\n");
        AssertError(Assert.Throws<DataFormatException>(() => SubmissionWriter.Read(path)), path, null, null, "no rows");
    }

    [Fact]
    public void Read_WrongHeader_NamesTheColumn()
    {
        var path = WriteText("ImageId,Prediction\n1,2\n");
        AssertError(Assert.Throws<DataFormatException>(() => SubmissionWriter.Read(path)), path, 1, 2,
            "column 2 is 'Prediction'; expected 'Label'");
    }

    [Fact]
    public void Read_AnIdMissing_SaysWhichOne()
    {
        var path = WriteText("ImageId,Label\n1,2\n\n3,4\n");
        AssertError(Assert.Throws<DataFormatException>(() => SubmissionWriter.Read(path)), path, 4, 1,
            "ImageId is 3, but the file has 2 rows, so ImageId 2 is missing");
    }

    [Fact]
    public void Read_AFolder_SaysItIsAFolder()
    {
        var path = PathOf("a-folder");
        Directory.CreateDirectory(path);
        AssertError(Assert.Throws<DataFormatException>(() => SubmissionWriter.Read(path)), path, null, null, "is a folder; expected a submission file");
    }

    [Fact]
    public void Read_RowsInAnyOrder_GiveTheLabelsInImageIdOrder_AsKaggleMatchesThemById()
    {
        var path = WriteText("ImageId,Label\n3,7\n1,5\n2,6\n");
        Assert.Equal([5, 6, 7], SubmissionWriter.Read(path));
    }

    [Fact]
    public void Read_AnIdTwice_NamesBothLines()
    {
        var path = WriteText("ImageId,Label\n1,2\n2,3\n1,4\n");
        AssertError(Assert.Throws<DataFormatException>(() => SubmissionWriter.Read(path)), path, 4, 1,
            "ImageId 1 is here a second time (first on line 2)");
    }

    [Fact]
    public void Read_IdsNotStartingAtOne_AreRejected()
    {
        var path = WriteText("ImageId,Label\n0,2\n");
        AssertError(Assert.Throws<DataFormatException>(() => SubmissionWriter.Read(path)), path, 2, 1, "ImageId is 0; ids count from 1");
    }

    [Fact]
    public void Read_LabelOutOfRange_SaysSo()
    {
        var path = WriteText("ImageId,Label\n1,2\n2,10\n");
        AssertError(Assert.Throws<DataFormatException>(() => SubmissionWriter.Read(path)), path, 3, 2, "label 10 is outside 0..9");
    }

    [Fact]
    public void Read_NonNumericCells_AreQuoted()
    {
        var badId = WriteText("ImageId,Label\none,2\n", "id.csv");
        var badLabel = WriteText("ImageId,Label\n1,two\n", "label.csv");

        AssertError(Assert.Throws<DataFormatException>(() => SubmissionWriter.Read(badId)), badId, 2, 1, "ImageId 'one' is not a whole number");
        AssertError(Assert.Throws<DataFormatException>(() => SubmissionWriter.Read(badLabel)), badLabel, 2, 2, "label 'two' is not a whole number");
    }

    [Fact]
    public void Read_RowWithWrongColumnCount_SaysFoundAndExpected()
    {
        var path = WriteText("ImageId,Label\n1,2\n2,3,4\n");
        AssertError(Assert.Throws<DataFormatException>(() => SubmissionWriter.Read(path)), path, 3, null,
            "row has 3 columns; expected 2");
    }
}
