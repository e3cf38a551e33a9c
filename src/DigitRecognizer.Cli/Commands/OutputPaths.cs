using DigitRecognizer.Checkpoints;
using DigitRecognizer.Visualization;

namespace DigitRecognizer.Cli.Commands;

/// <summary>Checks on where a command writes, made before any work so a mistyped path costs nothing.</summary>
internal static class OutputPaths
{
    /// <summary>
    /// Refuses an output file that is one of the command's inputs (the data read, the model, an image): written to a
    /// temporary file and moved into place, it would replace that input, which the user seldom means and cannot undo.
    /// A model folder stands for the checkpoint in it.
    /// </summary>
    public static void RefuseOverwritingInput(string? output, string option, params IEnumerable<string?> inputs)
    {
        if (output is null) return;
        var target = Path.GetFullPath(output);
        foreach (var input in inputs)
        {
            if (input is null) continue;
            if (string.Equals(Path.GetFullPath(Checkpoint.Resolve(input)), target, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"{option} {output} is also what this command reads ({input}); writing it would replace that file. Give {option} another path.");
        }
    }

    /// <summary>Refuses a run folder that is an existing file (before training, not after its first epoch).</summary>
    public static void RefuseFileAsFolder(string folder, string option)
    {
        if (File.Exists(folder))
            throw new ArgumentException($"{option} {folder} is a file; it names the folder the run writes into ({Checkpoint.FileName}, {RunFolder.TrainingFile}, …).");
    }
}
