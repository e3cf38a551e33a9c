using System.Runtime.Intrinsics;
using System.Text;

namespace DigitRecognizer.Data;

/// <summary>
/// Reads the CSV files of Kaggle's "Digit Recognizer" competition: <c>train.csv</c>
/// (<c>label,pixel0,…,pixel783</c>) and <c>test.csv</c> (<c>pixel0,…,pixel783</c>), one image per row,
/// pixels 0 (background) … 255 (ink), scaled to [0, 1] on the way in.
/// </summary>
/// <remarks>
/// Tolerates a UTF-8 byte-order mark, CRLF or LF line ends, a missing final newline, blank lines and
/// spaces or tabs around values. Anything else that is wrong raises one <see cref="DataFormatException"/>
/// naming the first bad row in file order, its line (the header is line 1) and column.
/// <para>
/// A full train.csv is 110 MB of text, so the reader avoids strings altogether: it reads the file's
/// bytes once, cuts them into chunks at line boundaries, counts each chunk's rows, then parses the
/// chunks in parallel straight into the final pixel and label arrays.
/// </para>
/// </remarks>
public static class KaggleCsvReader
{
    /// <summary>Name of the optional first header column.</summary>
    public const string LabelColumn = "label";

    /// <summary>Prefix of the pixel header columns: <c>pixel0</c> … <c>pixel783</c>.</summary>
    public const string PixelColumnPrefix = "pixel";

    private const int ChunkBytes = 1 << 20;
    private const int MaxQuotedLength = 24;
    private const string HeaderShape = "784 pixel columns pixel0…pixel783, optionally preceded by label";

    // i / 255f for every byte value: a lookup is cheaper than a division per pixel and gives the same floats.
    // Eight background cells: the commonest stretch of a digit CSV, matched 16 bytes at a time.
    private static readonly Vector128<byte> ZeroRun = Vector128.Create("0,0,0,0,0,0,0,0,"u8);

    private static readonly float[] Scale = Enumerable.Range(0, 256).Select(i => i / 255f).ToArray();

    /// <summary>
    /// Reads a labelled (train.csv) or unlabelled (test.csv) file; the header decides which:
    /// the set is labelled when the first header column is <c>label</c>.
    /// </summary>
    /// <exception cref="DataFormatException">The file is missing or not in the Kaggle layout.</exception>
    public static DigitDataset Read(string path) => Read(path, requireLabels: false);

    /// <summary>Reads a labelled file (train.csv); a file without the label column is an error.</summary>
    /// <exception cref="DataFormatException">The file is missing, unlabelled or not in the Kaggle layout.</exception>
    public static DigitDataset ReadLabelled(string path) => Read(path, requireLabels: true);

    private static DigitDataset Read(string path, bool requireLabels)
    {
        ArgumentNullException.ThrowIfNull(path);
        var buffer = ReadAllBytesEndingInNewline(path, out var length);

        var start = buffer.AsSpan(0, length).StartsWith("\uFEFF"u8) ? 3 : 0;
        long line = 1;
        while (start < length && IsBlank(buffer, start, out var next))
        {
            start = next;
            line++;
        }
        if (start >= length)
            throw new DataFormatException(path, null, null,
                $"file is empty; expected a header line of {HeaderShape}, then one row per image");

        var headerEnd = start + buffer.AsSpan(start, length - start).IndexOf((byte)'\n');
        var labelled = CheckHeader(path, line, buffer.AsSpan(start, headerEnd - start), requireLabels);

        var chunks = FindChunks(buffer, headerEnd + 1, length);
        var (firstLines, firstRows, rows) = NumberChunks(buffer, chunks, line + 1);
        if (rows == 0)
            throw new DataFormatException(path, null, null, "has a header but no data rows; expected one row per image after it");
        if (rows * DigitImage.PixelCount > Array.MaxLength)
            throw new DataFormatException(path, null, null, $"has {rows} rows, more images than one array can hold");

        var pixels = GC.AllocateUninitializedArray<float>((int)rows * DigitImage.PixelCount);
        var labels = labelled ? new int[rows] : null;
        // Each chunk stops at its own first bad row, and the earliest chunk's error is the one reported,
        // so the message does not depend on which thread happened to finish first.
        var errors = new DataFormatException?[chunks.Length];
        var parser = new ChunkParser(path, buffer, pixels, labels);
        Parallel.For(0, chunks.Length, k =>
            errors[k] = parser.Parse(chunks[k].Start, chunks[k].End, firstLines[k], (int)firstRows[k]));
        var error = errors.FirstOrDefault(e => e is not null);
        if (error is not null) throw error;
        return new DigitDataset(pixels, labels, path);
    }

    /// <summary>
    /// The whole file, with a '\n' appended when it does not end in one, so every line (the last too)
    /// ends in '\n' and the parsers never need to test for the end of the buffer.
    /// </summary>
    private static byte[] ReadAllBytesEndingInNewline(string path, out int length)
    {
        try
        {
            // bufferSize 0: read straight into our array, without FileStream's own buffer in between.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
            var fileLength = stream.Length;
            if (fileLength >= Array.MaxLength)
                throw new DataFormatException(path, null, null, $"file is too large ({fileLength} bytes) to be a digit CSV");
            var buffer = GC.AllocateUninitializedArray<byte>((int)fileLength + 1);
            length = stream.ReadAtLeast(buffer.AsSpan(0, (int)fileLength), (int)fileLength, throwOnEndOfStream: false);
            if (length == 0 || buffer[length - 1] != '\n') buffer[length++] = (byte)'\n';
            return buffer;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException(path, null, null, "file not found");
        }
    }

    /// <summary>Checks the header line and returns whether the file has the label column.</summary>
    private static bool CheckHeader(string path, long line, ReadOnlySpan<byte> header, bool requireLabels)
    {
        var names = Encoding.UTF8.GetString(header).Split(',');
        for (var i = 0; i < names.Length; i++) names[i] = names[i].Trim(' ', '\t', '\r');

        var labelled = names[0] == LabelColumn;
        if (requireLabels && !labelled)
            throw new DataFormatException(path, line, 1,
                $"column 1 is {Quote(names[0])}; expected '{LabelColumn}' (a labelled file's header is label,pixel0,…,pixel783)");
        var first = labelled ? 1 : 0;
        var expectedCount = first + DigitImage.PixelCount;
        for (var i = first; i < Math.Min(names.Length, expectedCount); i++)
        {
            var expected = PixelColumnPrefix + (i - first);
            if (names[i] == expected) continue;
            var hint = i == 0 && names[0].Length > 0 && names[0].All(char.IsAsciiDigit)
                ? $" (the file seems to lack its header line of {HeaderShape})"
                : "";
            throw new DataFormatException(path, line, i + 1, $"column {i + 1} is {Quote(names[i])}; expected '{expected}'{hint}");
        }
        if (names.Length == expectedCount + 1 && names[^1].Length == 0)
            throw new DataFormatException(path, line, names.Length, $"the header ends with an empty column {names.Length} (a comma at the end of the line?); expected {HeaderShape}");
        if (names.Length == expectedCount + 1 && names[^1] == LabelColumn)
            throw new DataFormatException(path, line, names.Length, $"column {names.Length} is '{LabelColumn}'; the label column comes first ({HeaderShape})");
        if (names.Length != expectedCount)
            throw new DataFormatException(path, line, null, $"header has {names.Length} columns; expected {HeaderShape}");
        return labelled;
    }

    /// <summary>Cuts [start, end) into chunks of about <see cref="ChunkBytes"/>, each ending just after a '\n'.</summary>
    private static (int Start, int End)[] FindChunks(byte[] buffer, int start, int end)
    {
        var count = Math.Max(1, (end - start) / ChunkBytes);
        var chunks = new (int Start, int End)[count];
        var chunkStart = start;
        for (var k = 0; k < count; k++)
        {
            var chunkEnd = end;
            if (k < count - 1)
            {
                var target = Math.Max(chunkStart, start + (int)((long)(end - start) * (k + 1) / count));
                chunkEnd = target >= end ? end : target + buffer.AsSpan(target, end - target).IndexOf((byte)'\n') + 1;
            }
            chunks[k] = (chunkStart, chunkEnd);
            chunkStart = chunkEnd;
        }
        return chunks;
    }

    /// <summary>
    /// The line number and row index each chunk starts at, and the total number of rows: what lets the
    /// chunks be parsed independently, each into its own slots, with right line numbers in messages.
    /// </summary>
    private static (long[] FirstLines, long[] FirstRows, long Rows) NumberChunks(byte[] buffer, (int Start, int End)[] chunks, long firstLine)
    {
        var counts = new (long Lines, long Rows)[chunks.Length];
        Parallel.For(0, chunks.Length, k => counts[k] = CountLines(buffer, chunks[k].Start, chunks[k].End));
        var firstLines = new long[chunks.Length];
        var firstRows = new long[chunks.Length];
        var (line, rows) = (firstLine, 0L);
        for (var k = 0; k < chunks.Length; k++)
        {
            (firstLines[k], firstRows[k]) = (line, rows);
            line += counts[k].Lines;
            rows += counts[k].Rows;
        }
        return (firstLines, firstRows, rows);
    }

    /// <summary>Lines, and lines that are not blank, in a chunk.</summary>
    private static (long Lines, long Rows) CountLines(byte[] buffer, int start, int end)
    {
        long lines = 0, rows = 0;
        var position = start;
        while (position < end)
        {
            if (!IsBlank(buffer, position, out var next)) rows++;
            lines++;
            position = next;
        }
        return (lines, rows);
    }

    /// <summary>
    /// Whether the line starting at <paramref name="start"/> holds only white space;
    /// <paramref name="next"/> is the start of the following line.
    /// </summary>
    private static bool IsBlank(byte[] buffer, int start, out int next)
    {
        var rest = buffer.AsSpan(start);
        var newline = rest.IndexOf((byte)'\n');
        next = start + newline + 1;
        return rest[..newline].IndexOfAnyExcept(" \t\r"u8) < 0;
    }

    /// <summary>A cell's text for a message: single-quoted, control characters escaped, long text cut short.</summary>
    internal static string Quote(string text)
    {
        var builder = new StringBuilder("'");
        foreach (var c in text.Length > MaxQuotedLength ? text[..MaxQuotedLength] : text)
        {
            if (char.IsControl(c)) builder.Append(c switch { '\t' => "\\t", '\r' => "\\r", _ => $"\\x{(int)c:X2}" });
            else builder.Append(c);
        }
        if (text.Length > MaxQuotedLength) builder.Append('…');
        return builder.Append('\'').ToString();
    }

    /// <summary>Parses the rows of one chunk into their slots of the shared pixel and label arrays.</summary>
    private readonly struct ChunkParser(string path, byte[] buffer, float[] pixels, int[]? labels)
    {
        private bool Labelled => labels is not null;

        /// <summary>Parses [start, end); returns the first bad row's error, or null.</summary>
        public DataFormatException? Parse(int start, int end, long line, int row)
        {
            var scale = Scale;
            var b = buffer;
            var position = start;
            while (position < end)
            {
                var lineStart = position;
                if ((uint)(b[position] - '0') > 9 && IsBlank(b, position, out var next))
                {
                    position = next;
                    line++;
                    continue;
                }

                // The fast path below accepts exactly the rows Diagnose finds nothing wrong with; on any
                // surprise it jumps to Diagnose, which walks the line again slowly to describe the problem.
                var p = position;
                int value;
                uint digit;
                byte c;
                if (labels is not null)
                {
                    c = b[p];
                    while (c is (byte)' ' or (byte)'\t' or (byte)'\r') c = b[++p];
                    if ((digit = (uint)(c - '0')) > 9) goto bad;
                    value = (int)digit;
                    c = b[++p];
                    while ((digit = (uint)(c - '0')) <= 9)
                    {
                        value = value * 10 + (int)digit;
                        if (value >= DigitImage.ClassCount) goto bad;
                        c = b[++p];
                    }
                    while (c is (byte)' ' or (byte)'\t' or (byte)'\r') c = b[++p];
                    if (value >= DigitImage.ClassCount || c != ',') goto bad;
                    labels[row] = value;
                    p++;
                }

                var pixel = row * DigitImage.PixelCount;
                var rowEnd = pixel + DigitImage.PixelCount;
                while (true)
                {
                    // Background pixels come in long runs of "0,": take those eight cells at a time. The run
                    // ends before the row's last pixel, which is followed by the line end, not a comma.
                    while (pixel + 8 < rowEnd && p + 16 <= end && Vector128.Create(b, p) == ZeroRun)
                    {
                        pixels.AsSpan(pixel, 8).Clear();
                        pixel += 8;
                        p += 16;
                    }
                    c = b[p];
                    while (c is (byte)' ' or (byte)'\t' or (byte)'\r') c = b[++p];
                    if ((digit = (uint)(c - '0')) > 9) goto bad;
                    value = (int)digit;
                    c = b[++p];
                    while ((digit = (uint)(c - '0')) <= 9)
                    {
                        value = value * 10 + (int)digit;
                        if (value > DigitImage.MaxPixelValue) goto bad;
                        c = b[++p];
                    }
                    while (c is (byte)' ' or (byte)'\t' or (byte)'\r') c = b[++p];
                    pixels[pixel++] = scale[value];
                    if (pixel == rowEnd) break;
                    if (c != ',') goto bad;
                    p++;
                }
                if (c != '\n') goto bad;
                position = p + 1;
                line++;
                row++;
                continue;

            bad:
                return Diagnose(lineStart, line);
            }
            return null;
        }

        /// <summary>Describes what is wrong with the row starting at <paramref name="start"/>.</summary>
        private DataFormatException Diagnose(int start, long line)
        {
            var length = buffer.AsSpan(start).IndexOf((byte)'\n');
            var cells = Encoding.UTF8.GetString(buffer, start, length).Split(',');
            var expectedCount = (Labelled ? 1 : 0) + DigitImage.PixelCount;
            for (var i = 0; i < Math.Min(cells.Length, expectedCount); i++)
            {
                var isLabel = Labelled && i == 0;
                var problem = DescribeBadCell(cells[i].Trim(' ', '\t', '\r'), isLabel,
                    isLabel ? LabelColumn : PixelColumnPrefix + (i - (Labelled ? 1 : 0)));
                if (problem is not null) return new DataFormatException(path, line, i + 1, problem);
            }
            var shape = Labelled ? "label, pixel0…pixel783" : "pixel0…pixel783";
            return new DataFormatException(path, line, null,
                $"row has {cells.Length} {(cells.Length == 1 ? "column" : "columns")}; expected {expectedCount} ({shape})");
        }

        private static string? DescribeBadCell(string text, bool isLabel, string name)
        {
            var max = isLabel ? DigitImage.ClassCount - 1 : DigitImage.MaxPixelValue;
            var range = $"0..{max}";
            if (text.Length == 0) return $"{name} is empty; expected a whole number {range}";
            var digits = text[0] == '-' ? text.AsSpan(1) : text;
            if (digits.Length == 0 || digits.ContainsAnyExceptInRange('0', '9'))
                return $"{name} is {Quote(text)}, not a whole number; expected {range}";
            if (text[0] == '-' || digits.TrimStart('0').Length > 3 || int.Parse(digits) > max)
            {
                var shown = text.Length > MaxQuotedLength ? text[..MaxQuotedLength] + "…" : text;
                return isLabel ? $"label {shown} is outside {range}" : $"{name} is {shown}; expected {range}";
            }
            return null;
        }
    }
}
