using System.CommandLine;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Cli.Rendering;
using DigitRecognizer.Data;
using DigitRecognizer.Engine;
using DigitRecognizer.Evaluation;
using DigitRecognizer.Inference;
using DigitRecognizer.IO;
using DigitRecognizer.Training;
using DigitRecognizer.Visualization;
using DigitRecognizer.Web;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary><c>digits evaluate</c>: accuracy, loss, confusion matrix and per-class scores of a model on labelled digits.</summary>
internal static class EvaluateCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var model = new Option<string>("--model", "-m")
        {
            Description = $"The checkpoint file, the folder holding model.ckpt, or an exported .onnx file (default: {DefaultModel.Described}; run by ONNX Runtime; --tta, --precision and --members then need the checkpoint).",
            HelpName = "PATH",
        };
        var data = new Option<string?>("--data")
        {
            Description = "Labelled digits: a Kaggle train.csv-style file, a folder of MNIST IDX files (its test part; its training part with --validation) or an IDX image file with its labels beside it. Default: the embedded MNIST test set (10,000 images), or its training set with --validation.",
            HelpName = "PATH",
        };
        var json = new Option<string?>("--json")
        {
            Description = "Also write the figures as JSON to this file.",
            HelpName = "FILE",
        };

        var tta = new Option<bool>("--tta")
        {
            Description = "Test-time augmentation: also predict each image shifted one pixel each way and average (5× the work).",
        };
        var report = new Option<string?>("--report")
        {
            Description = $"Also write a report folder: {EvaluationReport.ReportFile} embedding {EvaluationReport.ConfusionMatrixFile}, {EvaluationReport.PerClassFile}, " +
                          $"{EvaluationReport.MisclassifiedFile} (the most confident mistakes), {EvaluationReport.ConfidenceFile}, " +
                          $"{EvaluationReport.TrainingCurvesFile} (from the checkpoint's history), and {EvaluationReport.MetricsFile} with the figures.",
            HelpName = "DIR",
        };

        var validation = new Option<bool>("--validation")
        {
            Description = "Measure on the images the model held out for validation when it was trained (the same split, from its options) " +
                          "instead of the test set: --data is then the training data (default: the embedded MNIST training set).",
        };
        var members = new Option<bool>("--members")
        {
            Description = "Also measure each network of an ensemble on its own (in float32), and count the images 1, 2, … all of them get wrong.",
        };
        var precision = PrecisionOption.Create("prediction");
        var command = new Command("evaluate", "Measure a model on labelled digits: accuracy, loss, confusion matrix, per-class precision/recall/F1; optionally as a report with pictures.")
        {
            model, data, validation, json, report, tta, members, precision,
        };
        command.SetAction(parse => CommandRunner.Run(console, cancellation =>
            Run(console, DefaultModel.Resolve(parse.GetValue(model), console), parse.GetValue(data), parse.GetValue(validation), parse.GetValue(json), parse.GetValue(report),
                parse.GetValue(tta), parse.GetValue(members), parse.GetValue(precision), cancellation)));
        return command;
    }

    private static int Run(IAnsiConsole console, string modelPath, string? dataPath, bool onValidation, string? jsonPath, string? reportFolder,
        bool tta, bool eachNetwork, PrecisionChoice precision, CancellationToken cancellation)
    {
        OutputPaths.RefuseOverwritingInput(jsonPath, "--json", dataPath, modelPath);
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
            // An exported graph is fixed: one float32 pass over each image, the members already averaged inside it.
            if (tta) throw new ArgumentException($"--tta needs a checkpoint: {modelPath} is an ONNX graph, which predicts each image once as exported.");
            if (precision == PrecisionChoice.BFloat16) throw new ArgumentException($"--precision needs a checkpoint: {modelPath} is an ONNX graph, which computes in float32.");
            if (eachNetwork) throw new ArgumentException($"--members needs a checkpoint: {modelPath} is an ONNX graph whose output is already the members' average.");
        }
        var trainingData = onValidation ? TrainingData(console, dataPath, model) : null;
        var data = trainingData is not null
            ? TrainingSplit.ValidationPart(trainingData, model.Metadata!)
            : Loading.Load(console, dataPath, MnistSplit.Test);

        var result = Working.Progress(console, $"Evaluating {classifier.Architecture}", data.Count,
            progress => Evaluator.Evaluate(classifier, data, progress, cancellation));
        var bagged = trainingData is not null && TrainingSplit.IsBaggedEnsemble(model.Metadata!);
        if (bagged)
            console.MarkupLineInterpolated($"On the common holdout: {data.Count:N0} images that no member trained or validated on.");
        EvaluationView.Render(console, result);
        var members = bagged ? MembersOnTheirOwnParts(console, classifier, trainingData!, model.Metadata!, cancellation) : null;
        if (eachNetwork)
        {
            var networks = Working.Status(console, "Measuring each network…", () => ((DigitClassifier)classifier).PredictEachNetwork(data, cancellation: cancellation));
            EvaluationView.Render(console, NetworkAgreement.Measure(networks, result.Truth), ((DigitClassifier)classifier).Precision);
        }
        var checkpointPath = model.Path;
        if (jsonPath is not null)
        {
            JsonFormat.Write(jsonPath, EvaluationSummary.From(result, checkpointPath, members));
            console.MarkupLineInterpolated($"Wrote [bold]{jsonPath}[/].");
        }
        if (reportFolder is not null)
        {
            var written = Working.Status(console, "Drawing the report…",
                () => EvaluationReport.Write(reportFolder, result, data, checkpointPath, model.Metadata));
            console.MarkupLineInterpolated(
                $"Wrote the report to [bold]{Path.Combine(reportFolder, EvaluationReport.ReportFile)}[/]: {string.Join(", ", written.Select(Path.GetFileName))}.");
        }
        return ExitCodes.Success;
    }

    // The data the model was trained on, in which the images it held out are found again from the split its checkpoint records.
    private static DigitDataset TrainingData(IAnsiConsole console, string? dataPath, ModelFile model)
    {
        // An exported ONNX file carries its checkpoint's metadata, split options included; a foreign one does not.
        if (model.Metadata is null)
            throw new ArgumentException($"--validation needs the model's training split: {model.Path} carries no DigitRecognizer checkpoint metadata.");
        var trainingData = Loading.Load(console, dataPath, MnistSplit.Train);
        trainingData.RequireLabels("--validation (the held-out part of the training data)");
        return trainingData;
    }

    // Each member of a bagged ensemble on the images it held out itself (which the other members trained on), shown as
    // a table; null for an ONNX graph, which holds only the members' average.
    private static List<MemberScore>? MembersOnTheirOwnParts(IAnsiConsole console, IDigitClassifier classifier, DigitDataset trainingData,
        CheckpointMetadata metadata, CancellationToken cancellation)
    {
        if (classifier is not DigitClassifier checkpoint)
        {
            console.MarkupLine("Members on their own held-out parts: needs the checkpoint (an ONNX graph holds only the members' average).");
            return null;
        }
        var parts = TrainingSplit.MemberValidationParts(trainingData, metadata);
        var scores = new List<MemberScore>();
        var table = new Table().AddColumns("member", "network", "split seed", "own held-out images", "accuracy", "wrong");
        for (var i = 0; i < parts.Count; i++)
        {
            var (name, predictions) = checkpoint.PredictNetwork(i, parts[i], cancellation: cancellation);
            var accuracy = predictions.Accuracy(parts[i].Labels!);
            var score = new MemberScore(i + 1, name, metadata.Metrics.Members![i].SplitSeed, parts[i].Count, accuracy,
                (int)Math.Round((1 - accuracy) * parts[i].Count));
            scores.Add(score);
            table.AddRow($"{score.Member}", score.Network, $"{score.SplitSeed}", $"{score.Images:N0}", $"{score.Accuracy:P2}", $"{score.Wrong:N0}");
        }
        console.MarkupLine("Each member on its own held-out part (the images it picked its best epoch on; the other members trained on most of them):");
        console.Write(table);
        return scores;
    }
}
