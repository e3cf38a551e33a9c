using DigitRecognizer.Data;
using DigitRecognizer.Export;
using DigitRecognizer.Onnx;
using DigitRecognizer.Inference;
using DigitRecognizer.Training;

namespace DigitRecognizer.Tests;

/// <summary>
/// Models trained once per test run and shared by the tests that need one that reads real digits.
/// Tests run one at a time (see AssemblyInfo), so sharing a classifier is safe.
/// </summary>
internal static class TestModels
{
    private static readonly Lazy<DigitClassifier> Trained = new(() =>
        Trainer.Train(MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train).Take(MnistImages),
            new TrainingOptions { Model = "dense", Epochs = 4, ValidationFraction = 0, Seed = 7 }));

    /// <summary>
    /// MNIST training images the shared model learns from: all of them. Measured on the 400 paper renderings of
    /// the Imaging tests (agreement with the model's answers for the original digits): CNN, 2 epochs on 6,000
    /// images 92.7%, on 12,000 96.7%; CNN, 1 epoch on 30,000 97.0%; dense, 4 or 8 epochs on 60,000 98.0%
    /// (the fully trained CNN of `digits train`: 99.3%). Weak models flip borderline digits; the dense model on
    /// all 60,000 is the steadiest that trains in seconds (about 5 s on 2 cores). Training is seeded, so the
    /// figure is the same on every run with the same thread count.
    /// </summary>
    public const int MnistImages = 60_000;

    /// <summary>The notebook's dense model trained for four epochs on the 60,000 MNIST training images.</summary>
    public static DigitClassifier Mnist => Trained.Value;

    private static readonly Lazy<DigitClassifier> TrainedShownNonDigits = new(() =>
        Trainer.Train(MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train).Take(50_000),
            new TrainingOptions { Model = "dense", Epochs = 4, ValidationFraction = 0, Seed = 7, NonDigitWeight = 0.5 }));

    /// <summary>
    /// The dense model trained as <see cref="Mnist"/> but on the first 50,000 training images only (the last 10,000 stay
    /// unseen, to choose its refusal threshold on) and shown synthetic non-digits (<see cref="TrainingOptions.NonDigitWeight"/> 0.5).
    /// </summary>
    public static DigitClassifier MnistShownNonDigits => TrainedShownNonDigits.Value;

    private static readonly TempFolder OnnxFolder = TempFolder.UntilExit();
    private static readonly Lazy<OnnxDigitClassifier> Exported = new(() =>
    {
        var path = OnnxFolder.File("mnist-dense.onnx");
        OnnxExporter.Export(Mnist, path);
        return OnnxDigitClassifier.Load(path);
    });

    /// <summary><see cref="Mnist"/> exported to ONNX and loaded on ONNX Runtime.</summary>
    public static OnnxDigitClassifier OnnxMnist => Exported.Value;
}
