namespace DigitRecognizer.Imaging;

/// <summary>Tells image inputs (PNG/JPEG files, or folders of them) from the CSV and IDX files digits also read.</summary>
public static class ImageFiles
{
    /// <summary>File name endings read as images.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg"];

    /// <summary>Whether <paramref name="path"/> names a file by an image ending.</summary>
    public static bool IsImage(string path) =>
        Extensions.Any(extension => path.EndsWith(extension, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The images <paramref name="path"/> stands for, in name order: itself if it is an image file, the images
    /// directly inside it if it is a folder holding any; otherwise null (it is some other kind of input).
    /// </summary>
    public static IReadOnlyList<string>? Find(string path)
    {
        if (Directory.Exists(path))
        {
            var images = Directory.EnumerateFiles(path).Where(IsImage).Order(StringComparer.Ordinal).ToList();
            return images.Count > 0 ? images : null;
        }
        return IsImage(path) ? [path] : null;
    }
}
