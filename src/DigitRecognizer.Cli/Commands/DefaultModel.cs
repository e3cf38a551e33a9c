using DigitRecognizer.Checkpoints;
using DigitRecognizer.Training;
using Spectre.Console;

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

    // After ShippedFiles: static properties are initialised in the order they are written.
    /// <summary>How help describes the default, for every verb's --model.</summary>
    public static string Described { get; } = $"{Folder} if `digits train` wrote a model there, else the shipped models/{ShippedFiles[0]} or models/{ShippedFiles[1]}";

    /// <summary>
    /// <paramref name="path"/> if given; else the default run folder if it holds a model; else the shipped model
    /// (models/ in the current folder or beside the program); else an error saying where it looked.
    /// Which model was chosen when none was given is said on <paramref name="console"/>.
    /// </summary>
    public static string Resolve(string? path, IAnsiConsole console) =>
        Resolve(path, message => console.MarkupLineInterpolated($"[grey]{message}[/]"), Directory.GetCurrentDirectory(),
            [Path.GetFullPath("models"), Path.Combine(AppContext.BaseDirectory, "models")]);

    /// <summary>As <see cref="Resolve(string?, IAnsiConsole)"/>, telling <paramref name="say"/>, looking for the user's run under
    /// <paramref name="workingFolder"/> and for shipped models in <paramref name="shippedFolders"/>, in order.</summary>
    internal static string Resolve(string? path, Action<string> say, string workingFolder, IReadOnlyList<string> shippedFolders)
    {
        if (path is not null) return path;
        var own = Path.GetFullPath(Path.Combine(workingFolder, Folder));
        if (File.Exists(Path.Combine(own, Checkpoint.FileName)))
        {
            say($"No --model given: using your own {Folder} (what `digits train` wrote).");
            return own;
        }
        foreach (var name in ShippedFiles)
            foreach (var folder in shippedFolders)
            {
                var shipped = Path.Combine(folder, name);
                if (!File.Exists(shipped)) continue;
                say($"No --model given and no {Folder}: using the shipped model {shipped}.");
                return shipped;
            }
        throw new ArgumentException(
            $"no --model given, no model where `digits train` writes one by default (looked for {Path.Combine(own, Checkpoint.FileName)}), " +
            $"and no shipped model ({string.Join(", ", ShippedFiles)} in {string.Join(" or ", shippedFolders)}). " +
            "Train one with `digits train` (the notebook CNN, about 3 minutes on 2 cores), or pass --model PATH.");
    }
}
