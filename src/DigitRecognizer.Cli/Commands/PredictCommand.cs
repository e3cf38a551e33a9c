using System.CommandLine;
using System.Diagnostics;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Cli.Rendering;
using DigitRecognizer.Data;
using DigitRecognizer.Engine;
using DigitRecognizer.Imaging;
using DigitRecognizer.Inference;
using DigitRecognizer.IO;
using DigitRecognizer.Visualization;
using DigitRecognizer.Web;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary><c>digits predict</c>: labels a file of digits and writes a Kaggle submission.</summary>
internal static class PredictCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var model = new Option<string>("--model", "-m")
        {
            Description = $"The checkpoint file, the folder holding model.ckpt (what `train --output DIR` wrote), or an exported .onnx file (run by ONNX Runtime). Default: {DefaultModel.Described}.",
            HelpName = "PATH",
        };
        var input = new Option<string>("--input", "-i")
        {
            Description = "Digits to label: a Kaggle test.csv (a 'label' column, if present, is ignored), an IDX image file, " +
                          "or a PNG/JPEG photo, scan or drawing of one digit (or a folder of them), which is preprocessed like MNIST " +
                          "and printed with its ten probabilities instead of written to a submission.",
            HelpName = "PATH",
            Required = true,
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "The submission file to write: ImageId,Label with ImageId from 1, in input order.",
            DefaultValueFactory = _ => "submission.csv",
            HelpName = "FILE",
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Images per forward pass.",
            DefaultValueFactory = _ => DigitClassifier.DefaultBatchSize,
            HelpName = "N",
        };

        var tta = new Option<bool>("--tta")
        {
            Description = "Test-time augmentation: also predict each image shifted one pixel each way and average (5× the work).",
        };
        var precision = PrecisionOption.Create("prediction");
        var show = new Option<int>("--show")
        {
            Description = "Also draw the first N digits with the predicted digit and its probability (marked right or wrong when the input has labels) " +
                          "as a PNG next to the submission, with its name: submission.csv → submission.png. 0 = no picture.",
            HelpName = "N",
        };

        var command = new Command("predict", "Predict the digit of every image in a file and write a Kaggle submission.")
        {
            model, input, output, batchSize, show, tta, precision,
        };
        command.SetAction(parse => CommandRunner.Run(console, cancellation =>
            Run(console, DefaultModel.Resolve(parse.GetValue(model), console), parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(batchSize),
                parse.GetValue(show), parse.GetValue(tta), parse.GetValue(precision), cancellation)));
        return command;
    }

    private static int Run(IAnsiConsole console, string modelPath, string inputPath, string outputPath, int batchSize, int show, bool tta,
        PrecisionChoice precision, CancellationToken cancellation)
    {
        if (batchSize < 1) throw new ArgumentException($"--batch-size must be at least 1 (got {batchSize}).");
        if (show < 0) throw new ArgumentException($"--show must be 0 (no picture) or more digits (got {show}).");
        var picturePath = Path.ChangeExtension(outputPath, ".png");
        if (show > 0 && Path.GetFullPath(picturePath) == Path.GetFullPath(outputPath))
            throw new ArgumentException($"--show would draw over the submission {outputPath}; give the submission a .csv name.");
        OutputPaths.RefuseOverwritingInput(outputPath, "--output", inputPath, modelPath);
        if (show > 0) OutputPaths.RefuseOverwritingInput(picturePath, "--show's picture", inputPath, modelPath);
        using var model = ModelFile.Load(modelPath);
        var classifier = model.Classifier;
        if (classifier is DigitClassifier checkpoint)
        {
            checkpoint.TestTimeAugmentation = tta;
            checkpoint.Precision = PrecisionOption.Resolve(precision);
            PrecisionOption.Report(console, checkpoint.Precision);
        }
        else
        {
            // An exported graph is fixed: it computes float32 on the image as given.
            if (tta) throw new ArgumentException($"--tta needs a checkpoint: {modelPath} is an ONNX graph, which predicts each image once as exported.");
            if (precision == PrecisionChoice.BFloat16) throw new ArgumentException($"--precision needs a checkpoint: {modelPath} is an ONNX graph, which computes in float32.");
        }
        if (ImageFiles.Find(inputPath) is { } images)
            return ImagePredictionView.Render(console, classifier, images);
        var data = Loading.Load(console, inputPath, MnistSplit.Test);

        var clock = Stopwatch.StartNew();
        var predictions = Working.Progress(console, $"Predicting with {classifier.Architecture}", data.Count,
            progress => classifier.Predict(data, batchSize, progress, cancellation));
        var seconds = clock.Elapsed.TotalSeconds;
        SubmissionWriter.Write(outputPath, predictions.Labels);

        console.MarkupLineInterpolated(
            $"Predicted {predictions.Count:N0} images with [bold]{classifier.Architecture}[/] in {seconds:F2} s ({predictions.Count / Math.Max(seconds, 1e-9):N0} images/s); wrote [bold]{outputPath}[/].");
        var histogram = new int[DigitImage.ClassCount];
        foreach (var label in predictions.Labels) histogram[label]++;
        console.MarkupLineInterpolated($"Predicted digits: {string.Join("  ", histogram.Select((n, d) => $"{d}: {n:N0}"))}");
        if (data.Labels is not null)
            console.MarkupLineInterpolated($"The input has labels (ignored for prediction): accuracy against them {predictions.Accuracy(data.Labels):P2}.");
        if (show > 0)
        {
            var modelName = Checkpoint.Describe(model.Path, classifier.Architecture);
            AtomicFile.WriteBytes(picturePath, DigitPictures.Predictions(data, predictions, show, modelName, DigitData.Describe(data.Source)));
            console.MarkupLineInterpolated($"Drew the first {Math.Min(show, data.Count):N0} digits with their predictions in [bold]{picturePath}[/].");
        }
        return ExitCodes.Success;
    }
}
