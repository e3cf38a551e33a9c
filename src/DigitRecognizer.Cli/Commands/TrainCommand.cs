using System.CommandLine;
using System.Diagnostics;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Cli.Rendering;
using DigitRecognizer.Data;
using DigitRecognizer.Evaluation;
using DigitRecognizer.IO;
using DigitRecognizer.Models;
using DigitRecognizer.Training;
using DigitRecognizer.Visualization;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary><c>digits train</c>: maps options onto <see cref="Trainer"/>, saves the checkpoint and metrics.</summary>
internal static class TrainCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var defaults = new TrainingOptions();
        var data = new Option<string?>("--data")
        {
            Description = "Training data: a Kaggle train.csv or a folder of MNIST IDX files. Default: the embedded MNIST (60,000 images).",
            HelpName = "PATH",
        };
        var model = new Option<string>("--model", "-m")
        {
            Description = "Architecture: " + string.Join("; ", ModelFactory.Architectures.Select(a => $"{a.Name} = {a.Description}")),
            DefaultValueFactory = _ => defaults.Model,
        };
        model.AcceptOnlyFromAmong([.. ModelFactory.Names]);
        var epochs = new Option<int?>("--epochs", "-e")
        {
            Description = "Passes over the training data. Default per model: "
                          + string.Join(", ", ModelFactory.Architectures.Select(a => $"{a.Name} {a.DefaultEpochs}")) + ".",
            HelpName = "N",
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Images per optimizer step.",
            DefaultValueFactory = _ => defaults.BatchSize,
            HelpName = "N",
        };
        var learningRate = new Option<double>("--lr")
        {
            Description = "Adam learning rate.",
            DefaultValueFactory = _ => defaults.LearningRate,
            HelpName = "X",
        };
        var schedule = new Option<LearningRateSchedule>("--schedule")
        {
            Description = "Learning-rate schedule: cosine (decay to 0 by the last step) or constant.",
            DefaultValueFactory = _ => defaults.Schedule,
        };
        var validationSplit = new Option<double>("--validation-split")
        {
            Description = "Share of the training data held out (per class) to pick the best epoch; 0 to keep the last epoch.",
            DefaultValueFactory = _ => defaults.ValidationFraction,
            HelpName = "F",
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed for weights, split and shuffling: the same seed, data and thread count give the same model.",
            DefaultValueFactory = _ => defaults.Seed,
            HelpName = "N",
        };
        var threads = new Option<int>("--threads")
        {
            Description = "libtorch threads; 0 = one per core.",
            DefaultValueFactory = _ => defaults.Threads,
            HelpName = "N",
        };
        var limit = new Option<int>("--limit")
        {
            Description = "Train on only the first N images (0 = all): for quick trials.",
            DefaultValueFactory = _ => defaults.Limit,
            HelpName = "N",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Folder for model.ckpt, metrics.json and training-curves.png (loss and accuracy per epoch). Default: runs/<model>.",
            HelpName = "DIR",
        };

        var command = new Command("train", "Train a model and save it as DIR/model.ckpt with DIR/metrics.json and DIR/training-curves.png. " +
                                           "On the embedded MNIST it also reports accuracy on the 10,000 test images (never used for training or choosing epochs).")
        {
            data, model, epochs, batchSize, learningRate, schedule, validationSplit, seed, threads, limit, output,
        };
        command.SetAction(parse => CommandRunner.Run(console, cancellation =>
        {
            var options = new TrainingOptions
            {
                Model = parse.GetValue(model)!,
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                LearningRate = parse.GetValue(learningRate),
                Schedule = parse.GetValue(schedule),
                ValidationFraction = parse.GetValue(validationSplit),
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads),
                Limit = parse.GetValue(limit),
            };
            options.Validate();
            var dataPath = parse.GetValue(data);
            var outputFolder = parse.GetValue(output) ?? Path.Combine("runs", options.Model);
            return Run(console, options, dataPath, outputFolder, cancellation);
        }));
        return command;
    }

    private static int Run(IAnsiConsole console, TrainingOptions options, string? dataPath, string outputFolder, CancellationToken cancellation)
    {
        var trainingData = Loading.Load(console, dataPath, MnistSplit.Train);
        if (!trainingData.IsLabelled)
            throw new DataFormatException(trainingData.Source, 1, 1, "training needs labels: expected a 'label' column before pixel0");

        using var classifier = TrainingView.Train(console, trainingData, options, cancellation);

        if (DigitData.IsEmbeddedMnist(dataPath))
        {
            var test = Loading.Load(console, null, MnistSplit.Test);
            var clock = Stopwatch.StartNew();
            var result = Evaluator.Evaluate(classifier, test, cancellation: cancellation);
            classifier.RecordTestAccuracy(result.Accuracy);
            console.MarkupLineInterpolated(
                $"Test set ({test.Count:N0} MNIST test images, used only for this figure): accuracy [bold green]{result.Accuracy:P2}[/], loss {result.Loss:F4} ({clock.Elapsed.TotalSeconds:F1} s)");
        }

        var checkpointPath = Path.Combine(outputFolder, Checkpoint.FileName);
        var metricsPath = Path.Combine(outputFolder, "metrics.json");
        var curvesPath = Path.Combine(outputFolder, EvaluationReport.TrainingCurvesFile);
        var curves = TrainingCurvesChart.Render(classifier.Metadata.Metrics,
            $"{Checkpoint.Describe(checkpointPath, options.Model)}, trained on {DigitData.Describe(trainingData.Source)}");
        Checkpoint.Save(classifier, checkpointPath);
        JsonFormat.Write(metricsPath, classifier.Metadata);
        AtomicFile.WriteBytes(curvesPath, curves);
        console.MarkupLineInterpolated($"Saved [bold]{checkpointPath}[/], [bold]{metricsPath}[/] and [bold]{curvesPath}[/].");
        return ExitCodes.Success;
    }
}
