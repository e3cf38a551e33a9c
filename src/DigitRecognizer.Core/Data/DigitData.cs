namespace DigitRecognizer.Data;

/// <summary>
/// Opens digits from whatever a user points at: a Kaggle CSV, a folder of MNIST IDX files, a single
/// IDX image file, or nothing at all (the embedded MNIST).
/// </summary>
public static class DigitData
{
    /// <summary>
    /// Loads <paramref name="path"/>: a <c>.csv</c> file (Kaggle layout, with or without labels), a folder
    /// holding MNIST IDX files (the <paramref name="split"/> part), or an IDX image file (with its labels
    /// when a matching <c>labels-idx1</c> file lies beside it). Null means the embedded MNIST.
    /// </summary>
    /// <exception cref="DataFormatException">The path is missing or its content is not digits; the message says where and why.</exception>
    public static DigitDataset Load(string? path, MnistSplit split)
    {
        if (path is null)
        {
            // Named, not located: the folder it was read from (a build output, a home folder) is nobody's business
            // in a checkpoint or a report, and would differ from machine to machine.
            var mnist = MnistFiles.Load(DefaultFolder(), split);
            return new DigitDataset(mnist.Pixels, mnist.Labels, EmbeddedMnistSource(split));
        }
        if (Directory.Exists(path))
            return MnistFiles.Load(path, split);
        if (!File.Exists(path))
            throw new DataFormatException(path, null, null, "file not found");
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            return KaggleCsvReader.Read(path);
        return IdxReader.Read(path, MatchingLabelFile(path));
    }

    /// <summary>What the embedded MNIST's <paramref name="split"/> is called as a <see cref="DigitDataset.Source"/>.</summary>
    public static string EmbeddedMnistSource(MnistSplit split) =>
        split == MnistSplit.Train ? "embedded MNIST training set" : "embedded MNIST test set";

    /// <summary>Whether <paramref name="path"/> means the embedded MNIST (the only data with a separate, official test set).</summary>
    public static bool IsEmbeddedMnist(string? path) => path is null;

    /// <summary>
    /// A short name for a data source, for titles and public answers: "the MNIST test set" or "the MNIST training set"
    /// for the embedded MNIST and the official MNIST image files wherever they lie, otherwise the file or folder name,
    /// never the folders above it (a path written on Windows included).
    /// </summary>
    public static string Describe(string source)
    {
        // A part of a file keeps its note: "the MNIST training set (validation part)".
        var noteStart = source.EndsWith(')') ? source.LastIndexOf(" (", StringComparison.Ordinal) : -1;
        var note = noteStart > 0 ? source[noteStart..] : "";
        var file = source[..(source.Length - note.Length)];
        var trimmed = file.TrimEnd('/', '\\');
        var name = trimmed[(trimmed.LastIndexOfAny(['/', '\\']) + 1)..];
        var described = name.StartsWith("t10k-images", StringComparison.Ordinal) || name == EmbeddedMnistSource(MnistSplit.Test) ? "the MNIST test set"
            : name.StartsWith("train-images", StringComparison.Ordinal) || name == EmbeddedMnistSource(MnistSplit.Train) ? "the MNIST training set"
            : name.Length == 0 ? file : name;
        return described + note;
    }

    /// <summary>The folder of the embedded MNIST files.</summary>
    /// <exception cref="DataFormatException">It cannot be found.</exception>
    public static string DefaultFolder() =>
        MnistFiles.FindDefaultFolder() ?? throw new DataFormatException("data/mnist", null, null,
            "the embedded MNIST files were not found (looked for data/mnist above the program and the current folder, " +
            "and in $DIGITS_MNIST_DIR); pass --data PATH or run from the repository");

    private static string? MatchingLabelFile(string imagesPath)
    {
        var name = Path.GetFileName(imagesPath);
        if (!name.Contains("images", StringComparison.Ordinal)) return null;
        var labelName = name.Replace("images", "labels", StringComparison.Ordinal).Replace("idx3", "idx1", StringComparison.Ordinal);
        var candidate = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(imagesPath))!, labelName);
        return File.Exists(candidate) ? candidate : null;
    }
}
