using DigitRecognizer.Data;

namespace DigitRecognizer.Tests;

/// <summary>Small, seeded data sets and scratch folders for tests.</summary>
internal static class TestData
{
    /// <summary>
    /// Synthetic 28×28 "digits" that a network can learn in a few steps: class c is a bright 4×4 square
    /// at a position that depends on c, plus seeded noise. Not MNIST: proves nothing is MNIST-specific.
    /// </summary>
    public static DigitDataset Synthetic(int count, int seed = 1, bool labelled = true)
    {
        var random = new Random(seed);
        var pixels = new float[count * DigitImage.PixelCount];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var label = i % DigitImage.ClassCount;
            labels[i] = label;
            var image = pixels.AsSpan(i * DigitImage.PixelCount, DigitImage.PixelCount);
            for (var p = 0; p < image.Length; p++) image[p] = (float)(random.NextDouble() * 0.2);
            var top = 2 + (label / 5) * 12 + random.Next(3);
            var left = 2 + (label % 5) * 5;
            for (var y = top; y < top + 4; y++)
                for (var x = left; x < left + 4; x++)
                    image[y * DigitImage.Side + x] = 1f;
        }
        return new DigitDataset(pixels, labelled ? labels : null, $"synthetic({count}, seed {seed})");
    }

    /// <summary>The embedded MNIST folder (the repository ships it).</summary>
    public static string MnistFolder =>
        MnistFiles.FindDefaultFolder() ?? throw new InvalidOperationException("data/mnist not found above the test binaries.");

    /// <summary>The repository's models/ (the one with its checksums, SHA256SUMS), found above the test binaries.</summary>
    public static string ModelsFolder { get; } = FindModelsFolder();

    /// <summary>The shipped CNN checkpoint, the verbs' default model on a fresh clone when no best.ckpt ships.</summary>
    public static string ShippedCnn => System.IO.Path.Combine(ModelsFolder, "cnn.ckpt");

    /// <summary>The shipped best model (cnn-bn, label-smoothed, shown non-digits, with its refusal rule): what the verbs use on a fresh clone.</summary>
    public static string ShippedBest => System.IO.Path.Combine(ModelsFolder, "best.ckpt");

    private static string FindModelsFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = System.IO.Path.Combine(folder.FullName, "models");
            if (File.Exists(System.IO.Path.Combine(candidate, "SHA256SUMS"))) return candidate;
        }
        throw new InvalidOperationException($"no models/SHA256SUMS above {AppContext.BaseDirectory}");
    }
}

/// <summary>A temporary folder deleted with everything in it on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "digits-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A folder for a static field, which nothing disposes of: deleted when the test process exits.</summary>
    public static TempFolder UntilExit()
    {
        var folder = new TempFolder();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => folder.Dispose();
        return folder;
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
