using DigitRecognizer.Checkpoints;
using DigitRecognizer.Training;

namespace DigitRecognizer.Cli.Commands;

/// <summary>
/// The model verbs use when given no --model: the user's own (what `digits train` writes by default, runs/cnn),
/// else the model shipped with DigitRecognizer under models/ (the best one first), so a fresh clone answers
/// without training.
/// </summary>
internal static class DefaultModel
{
    /// <summary>Where `digits train` puts its model with no options: runs/&lt;default architecture&gt;, i.e. runs/cnn.</summary>
    public static string Folder { get; } = Path.Combine("runs", new TrainingOptions().Model);

    /// <summary>The shipped checkpoints, best first, as file names inside a models/ folder.</summary>
    public static IReadOnlyList<string> ShippedFiles { get; } = ["best.ckpt", "cnn.ckpt"];

    /// <summary>
    /// <paramref name="path"/> if given; else the default run folder if it holds a model; else the shipped model
    /// (models/ in the current folder or beside the program); else an error saying where it looked.
    /// </summary>
    /// <param name="say">Told which model was chosen when none was given.</param>
    public static string Resolve(string? path, Action<string>? say = null)
    {
        if (path is not null) return path;
        var own = Path.GetFullPath(Path.Combine(Folder, Checkpoint.FileName));
        if (File.Exists(own))
        {
            say?.Invoke($"No --model given: using your own {Folder} (what `digits train` wrote).");
            return Folder;
        }
        var shippedFolders = new[] { Path.GetFullPath("models"), Path.Combine(AppContext.BaseDirectory, "models") };
        foreach (var name in ShippedFiles)
            foreach (var folder in shippedFolders)
            {
                var shipped = Path.Combine(folder, name);
                if (!File.Exists(shipped)) continue;
                say?.Invoke($"No --model given and no {Folder}: using the shipped model {shipped}.");
                return shipped;
            }
        throw new ArgumentException(
            $"no --model given, no model where `digits train` writes one by default (looked for {own}), and no shipped model " +
            $"({string.Join(", ", ShippedFiles)} in {string.Join(" or ", shippedFolders)}). " +
            "Train one with `digits train` (the notebook CNN, about 3 minutes on 2 cores), or pass --model PATH.");
    }
}
