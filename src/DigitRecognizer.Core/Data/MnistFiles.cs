namespace DigitRecognizer.Data;

/// <summary>Which of MNIST's two sets: 60,000 training images or 10,000 test images.</summary>
public enum MnistSplit
{
    /// <summary>The 60,000 training images (<c>train-*</c> files).</summary>
    Train,

    /// <summary>The 10,000 test images (<c>t10k-*</c> files).</summary>
    Test,
}

/// <summary>
/// Finds and loads the MNIST IDX files in a folder, under either of the names they circulate with
/// (<c>train-images-idx3-ubyte</c> and <c>train-images.idx3-ubyte</c>), gzipped or not.
/// </summary>
public static class MnistFiles
{
    /// <summary>Environment variable naming the MNIST folder, which takes precedence over the search.</summary>
    public const string FolderVariable = "DIGITS_MNIST_DIR";

    /// <summary>Where the repository keeps the MNIST files, relative to its root.</summary>
    public static readonly string RepositoryFolder = Path.Combine("data", "mnist");

    // The file whose presence marks a folder as the MNIST folder when searching.
    private const string MarkerFile = "train-images-idx3-ubyte.gz";

    /// <summary>The image and label files of <paramref name="split"/> in <paramref name="folder"/>.</summary>
    /// <exception cref="DataFormatException">The folder or a file is missing; the message lists the names tried.</exception>
    public static (string Images, string Labels) Locate(string folder, MnistSplit split)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder)) throw new DataFormatException(folder, null, null, "folder not found");
        return (Find(folder, split, "images", "idx3"), Find(folder, split, "labels", "idx1"));
    }

    /// <summary>Loads the images and labels of <paramref name="split"/> from <paramref name="folder"/>.</summary>
    /// <exception cref="DataFormatException">A file is missing or malformed.</exception>
    public static DigitDataset Load(string folder, MnistSplit split)
    {
        var (images, labels) = Locate(folder, split);
        return IdxReader.Read(images, labels);
    }

    /// <summary>
    /// The MNIST folder to use when none is given: the one named by <see cref="FolderVariable"/> when it is
    /// set (returned even if it lacks the files, so that loading reports what is missing rather than
    /// silently using another folder), otherwise the first <c>data/mnist</c> holding
    /// <c>train-images-idx3-ubyte.gz</c> found walking up from the application's folder and then from
    /// the current folder; null when there is none.
    /// </summary>
    public static string? FindDefaultFolder() =>
        FindDefaultFolder(Environment.GetEnvironmentVariable(FolderVariable), AppContext.BaseDirectory, Directory.GetCurrentDirectory());

    /// <summary><see cref="FindDefaultFolder()"/> with its inputs given, so tests need not change the process's environment.</summary>
    internal static string? FindDefaultFolder(string? variable, params string[] startFolders)
    {
        if (!string.IsNullOrWhiteSpace(variable)) return Path.GetFullPath(variable);
        foreach (var start in startFolders)
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, RepositoryFolder);
                if (File.Exists(Path.Combine(candidate, MarkerFile))) return candidate;
            }
        }
        return null;
    }

    private static string Find(string folder, MnistSplit split, string kind, string idx)
    {
        var prefix = split == MnistSplit.Train ? "train" : "t10k";
        // Uncompressed first: when both exist they hold the same data, and the raw file loads faster.
        string[] names =
        [
            $"{prefix}-{kind}-{idx}-ubyte", $"{prefix}-{kind}-{idx}-ubyte.gz",
            $"{prefix}-{kind}.{idx}-ubyte", $"{prefix}-{kind}.{idx}-ubyte.gz",
        ];
        foreach (var name in names)
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path)) return path;
        }
        var set = split == MnistSplit.Train ? "training" : "test";
        throw new DataFormatException(folder, null, null, $"no MNIST {set} {kind} file; looked for {string.Join(", ", names)}");
    }
}
