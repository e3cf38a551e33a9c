using DigitRecognizer.Checkpoints;
using DigitRecognizer.Export;
using DigitRecognizer.Inference;
using DigitRecognizer.Onnx;

namespace DigitRecognizer.Web;

/// <summary>The model a server answers with, and the name it goes by in every answer.</summary>
/// <param name="Classifier">The model (a checkpoint on TorchSharp or an ONNX file on ONNX Runtime); the server only uses it through its own <see cref="BatchingPredictor"/>.</param>
/// <param name="Name">What responses call it: the checkpoint's folder (<c>runs/cnn</c> → <c>cnn</c>) or file name.</param>
/// <param name="Path">The file it came from, if any.</param>
public sealed record ServedModel(IDigitClassifier Classifier, string Name, string? Path = null)
{
    /// <summary>How the model was trained and how well it did (/api/model): the checkpoint's, or the copy an exported ONNX file carries.</summary>
    public CheckpointMetadata Metadata { get; } = Classifier switch
    {
        DigitClassifier checkpoint => checkpoint.Metadata,
        OnnxDigitClassifier onnx => OnnxExporter.ReadCheckpointMetadata(onnx.Metadata)
            ?? throw new OnnxModelException(onnx.Path, "it carries no DigitRecognizer checkpoint metadata, which the server describes the model with (export it with `digits export-onnx`)"),
        _ => throw new ArgumentException($"A served model must be a checkpoint or an exported ONNX file, not {Classifier.GetType().Name}.", nameof(Classifier)),
    };

    /// <summary>How an exported file's arithmetic was reduced to 8-bit integers (<c>export-onnx --quantize int8</c>), or null for float models.</summary>
    public string? Quantization { get; } = Classifier is OnnxDigitClassifier file
        ? file.Metadata.GetValueOrDefault(Inference.OnnxContract.Metadata.Quantization)
        : null;

    /// <summary>Loads a checkpoint file or folder, or an exported .onnx file, and names it after what the user pointed at.</summary>
    /// <param name="onnx">ONNX Runtime's settings, for an ONNX file.</param>
    public static ServedModel Load(string path, OnnxSessionSettings? onnx = null)
    {
        var file = ModelFile.Load(path, onnx);
        try
        {
            return new ServedModel(file.Classifier, file.Name, file.Path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}
