using System.Globalization;
using System.Text;
using DigitRecognizer.IO;

namespace DigitRecognizer.Data;

/// <summary>
/// Kaggle "Digit Recognizer" submission files: the header <c>ImageId,Label</c>, then one row
/// <c>id,label</c> per test image, ids counting from 1 in the order of test.csv.
/// </summary>
public static class SubmissionWriter
{
    /// <summary>The header line of a submission.</summary>
    public const string Header = "ImageId,Label";

    /// <summary>
    /// Writes the predicted <paramref name="labels"/> (the first for ImageId 1) to <paramref name="path"/>
    /// atomically, with LF line ends.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The list is empty or a label is outside 0–9; nothing is written, and an existing file stays as it was.
    /// </exception>
    public static void Write(string path, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0) throw new ArgumentException("There are no labels to write.", nameof(labels));
        // Checked before writing so that a bad list leaves no trace at all, not even a temporary file.
        for (var i = 0; i < labels.Count; i++)
        {
            if (labels[i] is < 0 or >= DigitImage.ClassCount)
                throw new ArgumentException(
                    $"Label {labels[i]} for ImageId {i + 1} is outside 0..{DigitImage.ClassCount - 1}.", nameof(labels));
        }

        AtomicFile.Write(path, stream =>
        {
            var text = new StringBuilder(Header.Length + 1 + labels.Count * 8).Append(Header).Append('\n');
            for (var i = 0; i < labels.Count; i++)
                text.Append(CultureInfo.InvariantCulture, $"{i + 1},{labels[i]}\n");
            stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
        });
    }

    /// <summary>
    /// Reads a submission back: the labels in ImageId order. The rows may come in any order, as Kaggle matches them by
    /// ImageId, but each of 1…N (N rows) must be there once. Tolerates what <see cref="KaggleCsvReader"/> tolerates
    /// (byte-order mark, CRLF, blank lines, spaces around values).
    /// </summary>
    /// <exception cref="DataFormatException">
    /// The file is missing or malformed: wrong header, a row without exactly two columns, an ImageId twice or
    /// outside 1…N, or a label outside 0–9.
    /// </exception>
    public static IReadOnlyList<int> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new DataFormatException(path, null, null, "is a folder; expected a submission file (ImageId,Label)");
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException(path, null, null, "file not found");
        }

        var lines = text.Split('\n');
        var rows = new Dictionary<long, (int Label, long Line)>();
        var sawHeader = false;
        for (var index = 0; index < lines.Length; index++)
        {
            var line = index + 1L;
            var content = lines[index].Trim(' ', '\t', '\r');
            if (content.Length == 0) continue;
            var cells = content.Split(',');
            for (var i = 0; i < cells.Length; i++) cells[i] = cells[i].Trim(' ', '\t', '\r');

            if (!sawHeader)
            {
                string[] expected = ["ImageId", "Label"];
                for (var i = 0; i < Math.Min(cells.Length, expected.Length); i++)
                {
                    if (cells[i] != expected[i])
                        throw new DataFormatException(path, line, i + 1,
                            $"column {i + 1} is {KaggleCsvReader.Quote(cells[i])}; expected '{expected[i]}' (the header is {Header})");
                }
                if (cells.Length != expected.Length)
                    throw new DataFormatException(path, line, null, $"header has {cells.Length} columns; expected {Header}");
                sawHeader = true;
                continue;
            }

            if (cells.Length != 2)
                throw new DataFormatException(path, line, null,
                    $"row has {cells.Length} {(cells.Length == 1 ? "column" : "columns")}; expected 2 (ImageId,Label)");
            if (!TryParseWholeNumber(cells[0], out var id))
                throw new DataFormatException(path, line, 1,
                    $"ImageId {KaggleCsvReader.Quote(cells[0])} is not a whole number; expected an id counting from 1");
            if (id < 1)
                throw new DataFormatException(path, line, 1, $"ImageId is {id}; ids count from 1");
            if (rows.TryGetValue(id, out var earlier))
                throw new DataFormatException(path, line, 1, $"ImageId {id} is here a second time (first on line {earlier.Line})");
            if (!TryParseWholeNumber(cells[1], out var label))
                throw new DataFormatException(path, line, 2,
                    $"label {KaggleCsvReader.Quote(cells[1])} is not a whole number; expected 0..{DigitImage.ClassCount - 1}");
            if (label is < 0 or >= DigitImage.ClassCount)
                throw new DataFormatException(path, line, 2, $"label {label} is outside 0..{DigitImage.ClassCount - 1}");
            rows.Add(id, ((int)label, line));
        }

        if (!sawHeader) throw new DataFormatException(path, null, null, $"file is empty; expected the header {Header}, then one row per image");
        if (rows.Count == 0) throw new DataFormatException(path, null, null, "has a header but no rows; expected one row per image after it");
        // N distinct ids all within 1…N are exactly 1…N; an id above N means another is missing.
        var (beyond, (_, beyondLine)) = rows.Where(r => r.Key > rows.Count).OrderBy(r => r.Value.Line).FirstOrDefault();
        if (beyond > 0)
        {
            var missing = Enumerable.Range(1, rows.Count).First(k => !rows.ContainsKey(k));
            throw new DataFormatException(path, beyondLine, 1,
                $"ImageId is {beyond}, but the file has {rows.Count} rows, so ImageId {missing} is missing (expected each of 1..{rows.Count} once, in any order)");
        }
        return Enumerable.Range(1, rows.Count).Select(k => rows[k].Label).ToArray();
    }

    private static bool TryParseWholeNumber(string text, out long value) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
