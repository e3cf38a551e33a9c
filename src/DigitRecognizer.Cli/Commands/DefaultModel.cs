using DigitRecognizer.Checkpoints;
using DigitRecognizer.Training;

namespace DigitRecognizer.Cli.Commands;

/// <summary>The model verbs use when given no --model: the one `digits train` writes by default.</summary>
internal static class DefaultModel
{
    /// <summary>Where `digits train` puts its model with no options: runs/&lt;default architecture&gt;, i.e. runs/cnn.</summary>
    public static string Folder { get; } = Path.Combine("runs", new TrainingOptions().Model);

    /// <summary><paramref name="path"/> if given; else the default folder if it holds a model; else an error saying where it looked.</summary>
    public static string Resolve(string? path)
    {
        if (path is not null) return path;
        var file = Path.GetFullPath(Path.Combine(Folder, Checkpoint.FileName));
        if (File.Exists(file)) return Folder;
        throw new ArgumentException(
            $"no --model given, and there is no model where `digits train` writes one by default (looked for {file}). " +
            "Train one with `digits train` (the notebook CNN, about 3 minutes on 2 cores), or pass --model PATH.");
    }
}
