using DigitRecognizer.Checkpoints;
using DigitRecognizer.Inference;

namespace DigitRecognizer.Web;

/// <summary>The model a server answers with, and the name it goes by in every answer.</summary>
/// <param name="Classifier">The model; the server only uses it through its own <see cref="BatchingPredictor"/>.</param>
/// <param name="Name">What responses call it: the checkpoint's folder (<c>runs/cnn</c> → <c>cnn</c>) or file name.</param>
/// <param name="Path">The checkpoint file it came from, if any.</param>
public sealed record ServedModel(DigitClassifier Classifier, string Name, string? Path = null)
{
    /// <summary>Loads a checkpoint file or folder and names it after what the user pointed at.</summary>
    public static ServedModel Load(string path)
    {
        var file = System.IO.Path.GetFullPath(Checkpoint.Resolve(path));
        return new ServedModel(Checkpoint.Load(file), Checkpoint.ModelName(file), file);
    }
}
