using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Export;
using DigitRecognizer.Inference;
using DigitRecognizer.Onnx;
using DigitRecognizer.Training;

namespace DigitRecognizer.Tests.Export;

/// <summary>
/// Small models of every architecture, trained once per test run on a slice of MNIST (600 images, one epoch:
/// enough for batch norm's running statistics and the weights to move away from their initial values), each
/// saved as a checkpoint and exported to ONNX in one scratch folder.
/// </summary>
internal static class OnnxTestModels
{
    /// <summary>The architectures checked, and the mixed two-member ensemble.</summary>
    public static readonly string[] Names = ["dense", "cnn", "cnn-bn", "cnn-fast", "resnet", "m5", MixedEnsemble];

    /// <summary>The name standing for an ensemble of a cnn and a cnn-bn (mixed: one with batch norm, one with the fused pooling).</summary>
    public const string MixedEnsemble = "cnn+cnn-bn";

    private static readonly TempFolder Folder = TempFolder.UntilExit();
    private static readonly Dictionary<string, (DigitClassifier Torch, string Checkpoint, string Onnx)> Trained = [];
    private static readonly Lazy<DigitDataset> TrainingSlice = new(() => MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train).Take(600));

    /// <summary>The images every model here was trained on (its validation part included): the first 600 MNIST training images.</summary>
    public static DigitDataset TrainingImages => TrainingSlice.Value;

    /// <summary>The first MNIST test images (never trained on: these are only compared).</summary>
    public static DigitDataset TestImages(int count) => MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test).Take(count);

    /// <summary>The TorchSharp classifier, its checkpoint and its ONNX file for <paramref name="name"/>.</summary>
    public static (DigitClassifier Torch, string Checkpoint, string Onnx) Get(string name)
    {
        lock (Trained)
        {
            if (Trained.TryGetValue(name, out var model)) return model;
            // Small batches and no distortions: more, plainer steps in the one epoch, so the weights and batch norm's statistics move.
            var options = new TrainingOptions { Model = name, Epochs = 1, BatchSize = 16, Augment = false, ValidationFraction = 0.1, Seed = 5 };
            var classifier = name == MixedEnsemble
                ? EnsembleTrainer.Train(TrainingSlice.Value, options with { Model = "cnn" }, members: 2, ["cnn", "cnn-bn"])
                : Trainer.Train(TrainingSlice.Value, options);
            var checkpoint = Folder.File($"{name}.ckpt");
            var onnx = Folder.File($"{name}.onnx");
            Checkpoint.Save(classifier, checkpoint);
            OnnxExporter.Export(classifier, onnx);
            return Trained[name] = (classifier, checkpoint, onnx);
        }
    }
}
