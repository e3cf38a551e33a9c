using System.Text;
using DigitRecognizer.Data;

namespace DigitRecognizer.Tests.Data;

[Trait("Category", "Fast")]
public sealed class KaggleCsvReaderTests : IDisposable
{
    private static readonly string LabelledHeader = "label," + PixelNames;
    private static readonly string UnlabelledHeader = PixelNames;
    private static string PixelNames => string.Join(",", Enumerable.Range(0, DigitImage.PixelCount).Select(i => $"pixel{i}"));

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"kaggle-csv-tests-{Guid.NewGuid():N}");

    public KaggleCsvReaderTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // ---- helpers ----

    /// <summary>A row whose pixel i is <paramref name="pixel"/>(i), with an optional leading label.</summary>
    private static string Row(int? label, Func<int, int> pixel)
    {
        var cells = Enumerable.Range(0, DigitImage.PixelCount).Select(i => pixel(i).ToString());
        return string.Join(",", label is null ? cells : cells.Prepend(label.Value.ToString()));
    }

    private static string Row(int? label, int index = 0) =>
        label is null ? PixelCells(index) : $"{label},{PixelCells(index)}";

    // Formatting 784 cells is the slow part of building a test file, so each pattern is formatted once.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> Patterns = new();

    private static string PixelCells(int index) =>
        Patterns.GetOrAdd(index % 20, n => Row(null, i => (i * 7 + n * 13) % 256));

    /// <summary>A labelled row that no other row of a test file repeats: pixels 0 and 1 hold i % 256 and i / 256.</summary>
    private static string NumberedRow(int i)
    {
        var cells = PixelCells(i);
        var tail = cells[(cells.IndexOf(',', cells.IndexOf(',') + 1) + 1)..];
        return $"{i % 10},{i % 256},{i / 256},{tail}";
    }

    /// <summary>Row with the cell at 1-based <paramref name="column"/> replaced by <paramref name="cell"/>.</summary>
    private static string RowWithCell(int? label, int column, string cell)
    {
        var cells = Row(label).Split(',');
        cells[column - 1] = cell;
        return string.Join(",", cells);
    }

    private string WriteFile(string text, string name = "digits.csv") => WriteBytes(Encoding.UTF8.GetBytes(text), name);

    private string WriteBytes(byte[] bytes, string name = "digits.csv")
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static DigitDataset SampleSet(int count, bool labelled)
    {
        var random = new Random(1234);
        var pixels = new float[count * DigitImage.PixelCount];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = random.Next(256) / 255f;
        var labels = labelled ? Enumerable.Range(0, count).Select(i => (i * 3 + 1) % 10).ToArray() : null;
        return new DigitDataset(pixels, labels, "sample");
    }

    private static DataFormatException ReadFails(string path, bool labelled = false) =>
        Assert.Throws<DataFormatException>(() => labelled ? KaggleCsvReader.ReadLabelled(path) : KaggleCsvReader.Read(path));

    private static void AssertError(DataFormatException error, string path, long? line, int? column, string fragment)
    {
        Assert.Equal(path, error.Path);
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.Contains(fragment, error.Problem);
        Assert.StartsWith(path, error.Message);
        if (line is not null) Assert.Contains($", line {line}", error.Message);
        if (column is not null) Assert.Contains($", column {column}:", error.Message);
    }

    // ---- round trips and layouts ----

    [Fact]
    public void WriteThenRead_Labelled_GivesBackTheSamePixelsAndLabels()
    {
        var original = SampleSet(5, labelled: true);
        var path = Path.Combine(_folder, "train.csv");

        KaggleCsvWriter.Write(path, original);
        var read = KaggleCsvReader.Read(path);

        Assert.Equal(original.Pixels, read.Pixels);
        Assert.Equal(original.Labels, read.Labels);
        Assert.Equal(path, read.Source);
    }

    [Fact]
    public void Write_ProducesKaggleLayoutWithLfLineEnds()
    {
        var pixels = new float[2 * DigitImage.PixelCount];
        pixels[0] = 1f;
        pixels[1] = 0.2f;
        pixels[DigitImage.PixelCount + 783] = 128 / 255f;
        var path = Path.Combine(_folder, "train.csv");

        KaggleCsvWriter.Write(path, new DigitDataset(pixels, [7, 0], "two"));

        var text = File.ReadAllText(path);
        Assert.DoesNotContain('\r', text);
        var lines = text.Split('\n');
        Assert.Equal(4, lines.Length); // header, two rows, and the empty string after the final '\n'
        Assert.Equal(LabelledHeader, lines[0]);
        Assert.StartsWith("7,255,51,0,", lines[1]);
        Assert.EndsWith(",0,128", lines[2]);
        Assert.Equal("", lines[3]);
    }

    [Fact]
    public void Write_WithoutLabels_WritesTestLayoutThatReadsAsUnlabelled()
    {
        var original = SampleSet(3, labelled: true);
        var path = Path.Combine(_folder, "test.csv");

        KaggleCsvWriter.Write(path, original, includeLabels: false);
        var read = KaggleCsvReader.Read(path);

        Assert.StartsWith("pixel0,", File.ReadLines(path).First());
        Assert.False(read.IsLabelled);
        Assert.Equal(original.Pixels, read.Pixels);
    }

    [Fact]
    public void Write_PixelOutsideUnitRange_ThrowsAndKeepsTheExistingFile()
    {
        var path = WriteFile("old content");
        var set = SampleSet(2, labelled: true);
        set.Pixels[DigitImage.PixelCount + 5] = 1.5f;

        var error = Assert.Throws<ArgumentException>(() => KaggleCsvWriter.Write(path, set));

        Assert.Contains("Image 1, pixel 5", error.Message);
        Assert.Equal("old content", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Read_UnlabelledFile_HasNoLabels()
    {
        var path = WriteFile($"{UnlabelledHeader}\n{Row(null, 0)}\n{Row(null, 1)}\n");

        var read = KaggleCsvReader.Read(path);

        Assert.Equal(2, read.Count);
        Assert.Null(read.Labels);
        Assert.Equal(7 / 255f, read.Image(0)[1]);
        Assert.Equal(13 / 255f, read.Image(1)[0]);
    }

    [Fact]
    public void Read_LabelledFile_ScalesPixelsAndKeepsLabels()
    {
        var path = WriteFile($"{LabelledHeader}\n{Row(3, 0)}\n{Row(9, 1)}\n");

        var read = KaggleCsvReader.ReadLabelled(path);

        Assert.Equal([3, 9], read.Labels!);
        Assert.Equal(7 / 255f, read.Image(0)[1]);
        Assert.Equal(Row(9, 1).Split(',').Skip(1).Select(s => int.Parse(s) / 255f), read.Image(1).ToArray());
    }

    [Fact]
    public void Read_ToleratesBomCrlfSpacesAndMissingFinalNewline()
    {
        var rows = new[] { Row(1, 0), Row(2, 1) };
        var spaced = " \t" + rows[1].Replace(",", " , ") + "\t ";
        var text = $"{LabelledHeader.Replace(",", " ,")}\r\n{rows[0]}\r\n{spaced}"; // no final newline
        var path = WriteBytes([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)]);

        var read = KaggleCsvReader.Read(path);

        Assert.Equal([1, 2], read.Labels!);
        Assert.Equal(Row(2, 1).Split(',').Skip(1).Select(s => int.Parse(s) / 255f), read.Image(1).ToArray());
    }

    [Fact]
    public void Read_SkipsBlankLinesButCountsThemInLineNumbers()
    {
        var text = $"\n{LabelledHeader}\n\n{Row(4)}\n   \r\n\n{Row(5)}\n\n{RowWithCell(6, 3, "x")}\n\n";
        var path = WriteFile(text);

        var error = ReadFails(path);

        // Blank line 1, header line 2, blank 3, row 4, blanks 5–6, row 7, blank 8, bad row 9.
        AssertError(error, path, 9, 3, "pixel1 is 'x'");
        var good = WriteFile(text.Replace(RowWithCell(6, 3, "x"), Row(6)), "good.csv");
        Assert.Equal([4, 5, 6], KaggleCsvReader.Read(good).Labels!);
    }

    [Fact]
    public void Read_AcceptsLeadingZerosAndExtremes()
    {
        var row = RowWithCell(9, 2, "0255");
        row = string.Join(",", row.Split(',').Select((cell, i) => i == 3 ? "000" : cell));
        var path = WriteFile($"{LabelledHeader}\n{row}\n");

        var read = KaggleCsvReader.Read(path);

        Assert.Equal([9], read.Labels!);
        Assert.Equal(1f, read.Pixels[0]);
        Assert.Equal(0f, read.Pixels[2]);
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 783 })]
    [InlineData(new[] { 0, 7, 8, 15, 16, 17, 775, 776 })]
    public void Read_RowsOfMostlyZeros_AreParsedExactly(int[] inked)
    {
        // Runs of "0," take a shortcut in the parser; ink at and around its 8-cell boundaries must survive it.
        var row = Row(5, i => inked.Contains(i) ? 200 + i % 50 : 0);
        var path = WriteFile($"{LabelledHeader}\n{row}\n{row}\n");

        var read = KaggleCsvReader.Read(path);

        var expected = Enumerable.Range(0, DigitImage.PixelCount).Select(i => inked.Contains(i) ? (200 + i % 50) / 255f : 0f);
        Assert.Equal(expected, read.Image(0).ToArray());
        Assert.Equal(expected, read.Image(1).ToArray());
    }

    [Theory]
    [InlineData(800, "row has 801 columns; expected 785")]
    [InlineData(783, "row has 784 columns; expected 785")]
    public void Read_ZeroRowsWithWrongColumnCount_SayFoundAndExpected(int zeros, string fragment)
    {
        var zeroRow = "1," + string.Join(",", Enumerable.Repeat("0", zeros));
        // Last, so that parsing past the row's end would run off the pixel array rather than go unnoticed.
        var path = WriteFile($"{LabelledHeader}\n{Row(2)}\n{zeroRow}\n");
        AssertError(ReadFails(path), path, 3, null, fragment);
    }

    [Fact]
    public void Read_BadCellInsideZeroRun_IsFound()
    {
        var row = "1," + string.Join(",", Enumerable.Range(0, DigitImage.PixelCount).Select(i => i == 20 ? "0x" : "0"));
        var path = WriteFile($"{LabelledHeader}\n{row}\n");
        AssertError(ReadFails(path), path, 2, 22, "pixel20 is '0x', not a whole number");
    }

    [Fact]
    public void Read_ManyChunks_ParsesEveryRowInOrder()
    {
        // Over 1 MB, so the reader splits the file into several chunks parsed in parallel.
        var rows = Enumerable.Range(0, 1500).Select(NumberedRow).ToArray();
        var path = WriteFile(LabelledHeader + "\n" + string.Join("\n", rows) + "\n");
        Assert.True(new FileInfo(path).Length > 2 << 20);

        var read = KaggleCsvReader.Read(path);

        Assert.Equal(1500, read.Count);
        Assert.Equal(Enumerable.Range(0, 1500).Select(i => i % 10), read.Labels!);
        for (var i = 0; i < 1500; i++)
        {
            Assert.Equal(i % 256 / 255f, read.Image(i)[0]);
            Assert.Equal(i / 256 / 255f, read.Image(i)[1]);
        }
        for (var i = 0; i < 1500; i += 137)
            Assert.Equal(rows[i].Split(',').Skip(1).Select(s => int.Parse(s) / 255f), read.Image(i).ToArray());
    }

    // ---- bad input ----

    [Fact]
    public void Read_MissingFile_SaysFileNotFound()
    {
        var path = Path.Combine(_folder, "absent.csv");
        AssertError(ReadFails(path), path, null, null, "file not found");
    }

    [Theory]
    [InlineData("")]
    [InlineData("\uFEFF")]
    [InlineData("\n \r\n\t\n")]
    public void Read_EmptyFile_SaysEmpty(string text)
    {
        var path = WriteFile(text);
        AssertError(ReadFails(path), path, null, null, "file is empty");
    }

    [Fact]
    public void Read_HeaderOnly_SaysNoDataRows()
    {
        var path = WriteFile(LabelledHeader + "\n\n");
        AssertError(ReadFails(path), path, null, null, "no data rows");
    }

    [Fact]
    public void Read_HeaderWithTooFewColumns_SaysHowManyAndWhatWasExpected()
    {
        var header = string.Join(",", Enumerable.Range(0, 100).Select(i => $"pixel{i}"));
        var path = WriteFile($"{header}\n1,2,3\n");
        AssertError(ReadFails(path), path, 1, null,
            "header has 100 columns; expected 784 pixel columns pixel0…pixel783, optionally preceded by label");
    }

    [Fact]
    public void Read_HeaderWithExtraColumn_SaysHowMany()
    {
        var path = WriteFile($"{LabelledHeader},extra\n{Row(1)},0\n");
        AssertError(ReadFails(path), path, 1, null, "header has 786 columns");
    }

    [Fact]
    public void Read_LinesEndingInAComma_SayItIsAnEmptyLastColumn()
    {
        var path = WriteFile($"{UnlabelledHeader},\n{Row(null)},\n");
        AssertError(ReadFails(path), path, 1, 785, "the header ends with an empty column 785 (a comma at the end of the line?)");
    }

    [Fact]
    public void Read_TheLabelColumnLast_SaysItComesFirst()
    {
        var path = WriteFile($"{UnlabelledHeader},label\n{Row(null)},3\n");
        AssertError(ReadFails(path), path, 1, 785, "column 785 is 'label'; the label column comes first");
    }

    [Fact]
    public void Read_HeaderWithWrongName_NamesTheFirstWrongColumn()
    {
        var header = LabelledHeader.Replace("pixel3,", "foo,").Replace("pixel9,", "bar,");
        var path = WriteFile($"{header}\n{Row(1)}\n");
        AssertError(ReadFails(path), path, 1, 5, "column 5 is 'foo'; expected 'pixel3'");
    }

    [Fact]
    public void Read_NoHeaderLine_SaysTheHeaderSeemsMissing()
    {
        var path = WriteFile($"{Row(1)}\n{Row(2)}\n");
        AssertError(ReadFails(path), path, 1, 1, "seems to lack its header");
    }

    [Fact]
    public void ReadLabelled_UnlabelledFile_SaysLabelColumnExpected()
    {
        var path = WriteFile($"{UnlabelledHeader}\n{Row(null)}\n");
        AssertError(ReadFails(path, labelled: true), path, 1, 1, "column 1 is 'pixel0'; expected 'label'");
    }

    [Fact]
    public void Read_RowWithTooFewColumns_SaysFoundAndExpected()
    {
        var shortRow = string.Join(",", Row(2).Split(',').Take(700));
        var path = WriteFile($"{LabelledHeader}\n{Row(1)}\n{shortRow}\n");
        AssertError(ReadFails(path), path, 3, null, "row has 700 columns; expected 785");
    }

    [Fact]
    public void Read_RowWithTooManyColumns_SaysFoundAndExpected()
    {
        var path = WriteFile($"{UnlabelledHeader}\n{Row(null)},5,6\n");
        AssertError(ReadFails(path), path, 2, null, "row has 786 columns; expected 784");
    }

    [Fact]
    public void Read_TrailingComma_CountsAsAnExtraColumn()
    {
        var path = WriteFile($"{LabelledHeader}\n{Row(1)},\n");
        AssertError(ReadFails(path), path, 2, null, "row has 786 columns");
    }

    [Fact]
    public void Read_NonNumericCell_QuotesItWithLineAndColumn()
    {
        var path = WriteFile($"{LabelledHeader}\n{Row(1)}\n{Row(2)}\n{RowWithCell(3, 101, "12abc")}\n");
        AssertError(ReadFails(path), path, 4, 101, "pixel99 is '12abc', not a whole number; expected 0..255");
    }

    [Fact]
    public void Read_LongNonNumericCell_IsQuotedTruncated()
    {
        var cell = new string('z', 500);
        var path = WriteFile($"{LabelledHeader}\n{RowWithCell(3, 2, cell)}\n");
        var error = ReadFails(path);
        AssertError(error, path, 2, 2, $"pixel0 is '{new string('z', 24)}…'");
        Assert.True(error.Message.Length < 200);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("+3")]
    [InlineData("0x10")]
    public void Read_NonIntegerPixel_IsNotAWholeNumber(string cell)
    {
        var path = WriteFile($"{UnlabelledHeader}\n{RowWithCell(null, 784, cell)}\n");
        AssertError(ReadFails(path), path, 2, 784, $"pixel783 is '{cell}', not a whole number");
    }

    [Fact]
    public void Read_EmptyCell_SaysEmpty()
    {
        var path = WriteFile($"{LabelledHeader}\n{RowWithCell(3, 10, "  ")}\n");
        AssertError(ReadFails(path), path, 2, 10, "pixel8 is empty");
    }

    [Theory]
    [InlineData("256")]
    [InlineData("-1")]
    [InlineData("99999999999999999999")]
    public void Read_PixelOutOfRange_SaysExpectedRange(string cell)
    {
        var path = WriteFile($"{LabelledHeader}\n{Row(1)}\n{RowWithCell(3, 40, cell)}\n");
        AssertError(ReadFails(path), path, 3, 40, $"pixel38 is {cell}; expected 0..255");
    }

    [Theory]
    [InlineData("10")]
    [InlineData("-1")]
    public void Read_LabelOutOfRange_SaysExpectedRange(string label)
    {
        var path = WriteFile($"{LabelledHeader}\n{RowWithCell(0, 1, label)}\n");
        AssertError(ReadFails(path), path, 2, 1, $"label {label} is outside 0..9");
    }

    [Fact]
    public void Read_NonNumericLabel_QuotesIt()
    {
        var path = WriteFile($"{LabelledHeader}\n{RowWithCell(0, 1, "seven")}\n");
        AssertError(ReadFails(path), path, 2, 1, "label is 'seven', not a whole number; expected 0..9");
    }

    [Fact]
    public void Read_SeveralBadRowsAcrossChunks_ReportsTheFirstInFileOrder()
    {
        // About 8 MB: the file is cut into several 1 MB chunks parsed in parallel, the blank lines sit in
        // the first chunk (so later chunks' line numbers depend on counting them) and bad rows in later ones.
        var rows = Enumerable.Range(0, 3000).Select(NumberedRow).ToArray();
        rows[99] += "\n";
        rows[499] += "\n  \r";
        rows[2900] = RowWithCell(0, 5, "999");
        rows[1700] = RowWithCell(0, 1, "12");
        rows[1650] = string.Join(",", rows[1650].Split(',').Take(10));
        string Save(string name) => WriteFile(LabelledHeader + "\n" + string.Join("\n", rows), name);
        var path = Save("all-bad.csv");
        Assert.True(new FileInfo(path).Length > 4 << 20);

        // Line = row index + 2 (header, 1-based) + 2 blank lines.
        for (var attempt = 0; attempt < 3; attempt++)
            AssertError(ReadFails(path), path, 1654, null, "row has 10 columns");
        rows[1650] = NumberedRow(1650);
        var secondPath = Save("two-bad.csv");
        AssertError(ReadFails(secondPath), secondPath, 1704, 1, "label 12 is outside");
        rows[1700] = NumberedRow(1700);
        var lastPath = Save("last-bad.csv");
        AssertError(ReadFails(lastPath), lastPath, 2904, 5, "pixel3 is 999");
    }
}
