using System.Text;
using DigitRecognizer.IO;

namespace DigitRecognizer.Data;

/// <summary>
/// Writes digits in the CSV layout of Kaggle's "Digit Recognizer" (the layout
/// <see cref="KaggleCsvReader"/> reads): a header, then one row per image, pixels as integers 0–255.
/// </summary>
public static class KaggleCsvWriter
{
    /// <summary>
    /// Writes <paramref name="data"/> to <paramref name="path"/> atomically, with LF line ends:
    /// <c>label,pixel0,…,pixel783</c> when the set is labelled and <paramref name="includeLabels"/> is true
    /// (train.csv's layout), otherwise <c>pixel0,…,pixel783</c> (test.csv's). Each pixel is written as
    /// round(p × 255).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The set is empty (the reader would reject the file), a pixel is outside [0, 1] or a label outside 0–9;
    /// an existing file at <paramref name="path"/> is then left as it was.
    /// </exception>
    public static void Write(string path, DigitDataset data, bool includeLabels = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException("The dataset has no images; a Kaggle CSV needs at least one row.", nameof(data));
        var labels = includeLabels ? data.Labels : null;

        var header = new StringBuilder();
        if (labels is not null) header.Append(KaggleCsvReader.LabelColumn).Append(',');
        for (var i = 0; i < DigitImage.PixelCount; i++)
            header.Append(KaggleCsvReader.PixelColumnPrefix).Append(i).Append(i + 1 < DigitImage.PixelCount ? ',' : '\n');

        AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.UTF8.GetBytes(header.ToString()));
            // Rows are formatted by hand into one reused buffer: a string per row (or per cell) would make
            // writing 60,000 rows allocation-bound.
            var row = new byte[2 + DigitImage.PixelCount * 4];
            var pixels = data.Pixels;
            for (var image = 0; image < data.Count; image++)
            {
                var n = 0;
                if (labels is not null)
                {
                    var label = labels[image];
                    if (label is < 0 or >= DigitImage.ClassCount)
                        throw new ArgumentException($"Image {image} has label {label}; expected 0..{DigitImage.ClassCount - 1}.", nameof(data));
                    row[n++] = (byte)('0' + label);
                    row[n++] = (byte)',';
                }
                var offset = image * DigitImage.PixelCount;
                for (var i = 0; i < DigitImage.PixelCount; i++)
                {
                    var p = pixels[offset + i];
                    var scaled = MathF.Round(p * DigitImage.MaxPixelValue);
                    // Written this way round so NaN fails too.
                    if (!(scaled >= 0f && scaled <= DigitImage.MaxPixelValue))
                        throw new ArgumentException($"Image {image}, pixel {i} is {p}; expected a value in [0, 1].", nameof(data));
                    var value = (int)scaled;
                    if (value >= 100)
                    {
                        row[n++] = (byte)('0' + value / 100);
                        row[n++] = (byte)('0' + value / 10 % 10);
                    }
                    else if (value >= 10)
                    {
                        row[n++] = (byte)('0' + value / 10);
                    }
                    row[n++] = (byte)('0' + value % 10);
                    row[n++] = (byte)',';
                }
                row[n - 1] = (byte)'\n';
                stream.Write(row, 0, n);
            }
        });
    }
}
