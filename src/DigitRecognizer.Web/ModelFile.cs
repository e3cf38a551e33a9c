using System.Text.Json;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Export;
using DigitRecognizer.Inference;
using DigitRecognizer.Onnx;
using DigitRecognizer.Reading;

namespace DigitRecognizer.Web;

/// <summary>
/// A model file as <c>predict</c>, <c>evaluate</c> and <c>serve</c> accept it: a checkpoint (TorchSharp) or
/// an exported <c>.onnx</c> file (ONNX Runtime; libtorch is never loaded for it).
/// </summary>
/// <param name="Classifier">The model; dispose it through <see cref="Dispose"/>.</param>
/// <param name="Metadata">The checkpoint's metadata: the checkpoint's own, or the copy an exported ONNX file carries (null if it carries none).</param>
/// <param name="Path">The file loaded.</param>
public sealed record ModelFile(IDigitClassifier Classifier, CheckpointMetadata? Metadata, string Path) : IDisposable
{
    /// <summary>Whether <paramref name="path"/> names an ONNX file (by its extension) rather than a checkpoint.</summary>
    public static bool IsOnnx(string path) => path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the model runs on TorchSharp (a checkpoint), so options that need the network itself apply.</summary>
    public bool IsCheckpoint => Classifier is DigitClassifier;

    /// <summary>Loads a checkpoint (file or folder) or an ONNX file.</summary>
    /// <param name="onnx">ONNX Runtime's settings, for an ONNX file.</param>
    /// <exception cref="CheckpointException">A checkpoint that cannot be used.</exception>
    /// <exception cref="OnnxModelException">An ONNX file that cannot be used.</exception>
    public static ModelFile Load(string path, OnnxSessionSettings? onnx = null)
    {
        if (!IsOnnx(path))
        {
            var file = System.IO.Path.GetFullPath(Checkpoint.Resolve(path));
            var classifier = Checkpoint.Load(file);
            return new ModelFile(classifier, classifier.Metadata, file);
        }
        var model = OnnxDigitClassifier.Load(path, onnx);
        try
        {
            return new ModelFile(model, OnnxExporter.ReadCheckpointMetadata(model.Metadata), model.Path);
        }
        catch (JsonException error)
        {
            model.Dispose();
            throw new OnnxModelException(path, $"its '{OnnxContract.Metadata.CheckpointMetadata}' property is not valid: {error.Message}", error);
        }
    }

    /// <summary>
    /// A reader of numbers with this model: its refusal rule and the cut search fitted to how it was trained, from its
    /// metadata (an ONNX file without DigitRecognizer metadata reads every digit found, with the default search).
    /// </summary>
    public NumberReader NumberReader() => Metadata?.NumberReader(Classifier) ?? new NumberReader(Classifier);

    /// <summary>A short name for titles: the folder of a model.ckpt, or the file's name without extension.</summary>
    public string Name => System.IO.Path.GetFileName(Path) == Checkpoint.FileName
        ? System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(Path))!
        : System.IO.Path.GetFileNameWithoutExtension(Path);

    /// <summary>Disposes the classifier.</summary>
    public void Dispose() => (Classifier as IDisposable)?.Dispose();
}
