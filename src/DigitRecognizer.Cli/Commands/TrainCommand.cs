using System.CommandLine;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Cli.Rendering;
using DigitRecognizer.Data;
using DigitRecognizer.Engine;
using DigitRecognizer.Models;
using DigitRecognizer.Training;
using DigitRecognizer.Visualization;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary><c>digits train</c>: maps options onto a <see cref="TrainingRun"/>, which trains and writes the run folder.</summary>
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
        var recipe = new Option<string?>("--recipe")
        {
            Description = "A named recipe that sets model, augmentation, schedule and length together (options given explicitly still win): "
                          + string.Join("; ", TrainingRecipes.All.Select(r => $"{r.Name} = {r.Description}")),
            HelpName = "NAME",
        };
        recipe.AcceptOnlyFromAmong([.. TrainingRecipes.All.Select(r => r.Name)]);
        var model = new Option<string[]>("--model", "-m")
        {
            Description = "Architecture: " + string.Join("; ", ModelFactory.Architectures.Select(a => $"{a.Name} = {a.Description}"))
                          + ". Several names train an ensemble whose members take them in turn (e.g. --model cnn-bn resnet --ensemble 5).",
            DefaultValueFactory = _ => [defaults.Model],
            AllowMultipleArgumentsPerToken = true,
        };
        model.AcceptOnlyFromAmong([.. ModelFactory.Names]);
        var epochs = new Option<int?>("--epochs", "-e")
        {
            Description = "Passes over the training data. Default per model: "
                          + string.Join(", ", ModelFactory.Architectures.Select(a => $"{a.Name} {a.DefaultEpochs}")) + ".",
            HelpName = "N",
        };
        var batchSize = Value("--batch-size", "Images per optimizer step.", defaults.BatchSize, "N");
        var learningRate = Value("--lr", "Adam's (peak) learning rate.", defaults.LearningRate, "X");
        var schedule = new Option<LearningRateSchedule>("--schedule")
        {
            Description = "Learning-rate schedule: cosine (decay to 0 by the last step), onecycle (warm up to --lr, then down), step (halve every 5 epochs) or constant.",
            DefaultValueFactory = _ => defaults.Schedule,
        };
        var augment = new Option<bool?>("--augment")
        {
            Description = "Distort training images (±10° rotation, ±10% zoom, ±2.5 px shift). Default per model: " +
                string.Join(", ", ModelFactory.Architectures.Select(a => $"{a.Name} {(a.AugmentByDefault ? "on" : "off")}")) + ".",
            HelpName = "true|false",
        };
        var rotation = Value("--rotation", "With --augment: largest rotation either way, degrees.", defaults.Augmentation.RotationDegrees, "DEG");
        var zoom = Value("--zoom", "With --augment: largest change of size either way (0.1 = 90%–110%).", defaults.Augmentation.Zoom, "F");
        var shift = Value("--shift", "With --augment: largest shift either way, pixels, horizontally and vertically.", defaults.Augmentation.ShiftPixels, "PX");
        var elastic = Value("--elastic", "With --augment: strength of an elastic distortion (Simard et al. 2003), pixels; 34 with --elastic-sigma 4 is theirs. For handwriting and line drawings. 0 = off.", defaults.Augmentation.ElasticAlpha, "PX");
        var elasticSigma = Value("--elastic-sigma", "Smoothness of the elastic distortion: the Gaussian's standard deviation, pixels.", defaults.Augmentation.ElasticSigma, "PX");
        var erase = Value("--erase", "With --augment: share of images (0–1) with one random rectangle erased to background after the distortions (random erasing, Zhong et al. 2017). 0 = off.", defaults.Augmentation.EraseProbability, "P");
        var eraseArea = Value("--erase-area", $"Largest share of the frame one erased rectangle covers ({AugmentationOptions.MinimumErasedArea}–1).", defaults.Augmentation.EraseMaxArea, "F");
        var labelSmoothing = Value("--label-smoothing", "Label smoothing of the cross-entropy, 0 = off.", defaults.LabelSmoothing, "F");
        var nonDigitWeight = Value("--non-digit-weight", "Also show each batch synthetic non-digits (letters, shapes, scribbles, two digits in one frame) and teach the network to give them no confident digit, with this weight; then 'calibrate' can refuse letters and scribbles. 0 = off; each step then computes 1 + --non-digits-per-digit (1.5) times the images.", defaults.NonDigitWeight, "W");
        var nonDigitsPerDigit = Value("--non-digits-per-digit", "Non-digits shown per digit in each batch (with --non-digit-weight), above 0 and at most 4: each step computes 1 + R times the images.", defaults.NonDigitsPerDigit, "R");
        var nonDigitPool = Value("--non-digit-pool", $"How many non-digits are drawn for the run (with --non-digit-weight), 1 to {TrainingOptions.MaxNonDigitPoolSize:N0}; batches take theirs from it in a new order each epoch.", defaults.NonDigitPoolSize, "N");
        var touchingPairs = Value("--touching-pairs", "Share of the non-digits' digit pairs drawn touching (ink boxes 0–2 px into each other, as a reader's merged digits) instead of in frames apart, 0–1 (with --non-digit-weight; see docs/reading-numbers.md for what it does to reading and refusal).", defaults.TouchingPairShare, "SHARE");
        var readerViews = Value("--reader-views", "Share of the training images (0–1) shown as the number reader sees them: pasted alone on a synthetic page (plain, lined, squared or on a desk, PNG or JPEG) and found and prepared again by the reader, drawn once per run (a few ms per image). Validation images are never replaced. 0 = off.", defaults.ReaderViewShare, "SHARE");
        var weightAverage = Value("--weight-average", "Keep an exponential moving average of the weights with this decay (e.g. 0.999, about the last 1,000 steps), updated after every step; validation reads it and it is the model saved. 0 = off.", defaults.WeightAverageDecay, "D");
        var weightDecay = Value("--weight-decay", "Decoupled weight decay (AdamW), 0 = plain Adam.", defaults.WeightDecay, "X");
        var plateau = Value("--plateau-patience", "Halve the rate after this many epochs without a better validation loss, 0 = off.", defaults.PlateauPatience, "N");
        var earlyStopping = Value("--early-stopping", "Stop after this many epochs without a better validation accuracy, 0 = off.", defaults.EarlyStoppingPatience, "N");
        var timeBudget = Value("--time-budget", "Minutes the whole run may take (0 = no limit): epochs are planned to fit and no epoch starts that cannot finish.", defaults.TimeBudgetMinutes, "MIN");
        var ensemble = Value("--ensemble", "Train K networks (seeds Seed…Seed+K−1) and save them as one ensemble that averages their probabilities. Default: 1, or one per --model name, or the recipe's.", 1, "K");
        var validationSplit = Value("--validation-split", "Share of the training data held out (per class) to pick the best epoch; 0 to keep the last epoch.", defaults.ValidationFraction, "F");
        var holdout = Value("--holdout", "Bag the ensemble: set this share of the images aside (per class) that no member trains or validates on, measure the ensemble on it, and let each member hold out its own random --validation-split of the rest. 0 = members share one validation split.", defaults.HoldoutFraction, "F");
        var seed = Value("--seed", "Seed for weights, split, shuffling and augmentation: the same seed, data and thread count give the same model.", defaults.Seed, "N");
        var threads = Value("--threads", "libtorch threads; 0 = one per core.", defaults.Threads, "N");
        var precision = PrecisionOption.Create("the forward and backward passes");
        var limit = Value("--limit", "Train on only the first N images (0 = all): for quick trials.", defaults.Limit, "N");
        var output = new Option<string>("--output", "-o")
        {
            Description = $"Folder for {Checkpoint.FileName}, {RunFolder.TrainingFile} (how it was trained, epoch by epoch) and {RunFolder.TrainingCurvesFile} (loss and accuracy per epoch). Default: runs/<model> (runs/<a>+<b> for several), or runs/<recipe> with --recipe.",
            HelpName = "DIR",
        };

        var resume = new Option<string?>("--resume")
        {
            Description = $"Continue the unfinished run in DIR from its {RunFolder.ResumeFile} (saved after every epoch; Ctrl+C or SIGTERM keep it), " +
                          "with the options, data and seed it was started with; it ends with exactly the model an uninterrupted run gives. " +
                          "Options given as well must agree with the recorded ones.",
            HelpName = "DIR",
        };
        var restart = new Option<bool>("--restart")
        {
            Description = $"Start afresh in a folder that holds an unfinished run's {RunFolder.ResumeFile}, discarding it (without this, training there is refused).",
        };
        var noTest = new Option<bool>("--no-test")
        {
            Description = "Do not measure the model on the 10,000 MNIST test images at the end: for runs that compare settings on validation, " +
                          "so that the test set is read once, by the run declared beforehand.",
        };
        var keepResumeState = new Option<bool>("--keep-resume-state")
        {
            Description = $"Keep {RunFolder.ResumeFile} when the run finishes (it is removed by default).",
        };

        var command = new Command("train", $"Train a model and save it as DIR/{Checkpoint.FileName} with DIR/{RunFolder.TrainingFile} and DIR/{RunFolder.TrainingCurvesFile}. " +
                                           "On the embedded MNIST it also reports accuracy on the 10,000 test images (never used for training or choosing epochs).")
        {
            data, recipe, model, epochs, batchSize, learningRate, schedule, augment, rotation, zoom, shift, elastic, elasticSigma, erase, eraseArea, labelSmoothing, nonDigitWeight, nonDigitsPerDigit, nonDigitPool, touchingPairs, readerViews, weightAverage, weightDecay,
            plateau, earlyStopping, timeBudget, ensemble, validationSplit, holdout, seed, threads, precision, limit, output,
            resume, restart, keepResumeState, noTest,
        };
        command.SetAction(parse => CommandRunner.Run(console, cancellation =>
        {
            T Given<T>(Option<T> option, T fallback) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : fallback;
            if (parse.GetValue(resume) is not null && (parse.GetValue(restart) || parse.GetValue(output) is not null))
                throw new ArgumentException("--resume DIR continues the run in DIR: it takes neither --restart nor --output.");
            // Resuming starts from the recorded job; anything typed as well is checked against it.
            using var state = parse.GetValue(resume) is { } resumeFolder ? ResumeState.Read(new RunFolder(resumeFolder).ResumePath) : null;
            var recorded = state?.Options;
            var chosen = parse.GetValue(recipe) is { } name ? TrainingRecipes.Get(name) : null;
            var options = chosen?.Options ?? recorded?.Training ?? defaults;
            // A recipe fills in the options; whatever the user typed overrides it.
            var models = Given(model, chosen is null && recorded is not null ? [.. recorded.Architectures] : [options.Model]);
            var members = Given(ensemble, chosen is null && recorded is not null && parse.GetResult(model) is not { Implicit: false }
                ? recorded.Members
                // Several architectures need as many members at least, whatever the recipe's size.
                : Math.Max(chosen?.EnsembleSize ?? 1, models.Length));
            options = options with
            {
                Model = models[0],
                Epochs = Given(epochs, options.Epochs),
                BatchSize = Given(batchSize, options.BatchSize),
                LearningRate = Given(learningRate, options.LearningRate),
                Schedule = Given(schedule, options.Schedule),
                Augment = Given(augment, options.Augment),
                Augmentation = options.Augmentation with
                {
                    RotationDegrees = Given(rotation, options.Augmentation.RotationDegrees),
                    Zoom = Given(zoom, options.Augmentation.Zoom),
                    ShiftPixels = Given(shift, options.Augmentation.ShiftPixels),
                    ElasticAlpha = Given(elastic, options.Augmentation.ElasticAlpha),
                    ElasticSigma = Given(elasticSigma, options.Augmentation.ElasticSigma),
                    EraseProbability = Given(erase, options.Augmentation.EraseProbability),
                    EraseMaxArea = Given(eraseArea, options.Augmentation.EraseMaxArea),
                },
                LabelSmoothing = Given(labelSmoothing, options.LabelSmoothing),
                NonDigitWeight = Given(nonDigitWeight, options.NonDigitWeight),
                TouchingPairShare = Given(touchingPairs, options.TouchingPairShare),
                ReaderViewShare = Given(readerViews, options.ReaderViewShare),
                NonDigitsPerDigit = Given(nonDigitsPerDigit, options.NonDigitsPerDigit),
                NonDigitPoolSize = Given(nonDigitPool, options.NonDigitPoolSize),
                WeightAverageDecay = Given(weightAverage, options.WeightAverageDecay),
                WeightDecay = Given(weightDecay, options.WeightDecay),
                PlateauPatience = Given(plateau, options.PlateauPatience),
                EarlyStoppingPatience = Given(earlyStopping, options.EarlyStoppingPatience),
                TimeBudgetMinutes = Given(timeBudget, options.TimeBudgetMinutes),
                ValidationFraction = Given(validationSplit, options.ValidationFraction),
                HoldoutFraction = Given(holdout, options.HoldoutFraction),
                Seed = Given(seed, options.Seed),
                Threads = Given(threads, options.Threads),
                Precision = parse.GetResult(precision) is { Implicit: false } ? PrecisionOption.Resolve(parse.GetValue(precision)) : options.Precision,
                Limit = Given(limit, options.Limit),
            };
            // Their defaults are not 0, so only the command line can tell they were typed for a run shown no non-digits.
            foreach (var (setting, does) in new (Option Option, string Does)[] { (nonDigitsPerDigit, "shows"), (nonDigitPool, "draws") })
                if (parse.GetResult(setting) is { Implicit: false } && options.NonDigitWeight == 0)
                    throw new ArgumentException($"{setting.Name} sets how many non-digits --non-digit-weight {does}, which is off: give --non-digit-weight as well.");
            // The ranges shape --augment's distortions; typed for a network trained without them, they would do nothing.
            var ranges = new Option[] { rotation, zoom, shift, elastic, elasticSigma, erase, eraseArea }.Where(o => parse.GetResult(o) is { Implicit: false }).ToList();
            var unaugmented = models.Distinct().Where(m => ModelFactory.IsKnown(m) && !ModelFactory.IsEnsemble(m) && !(options.Augment ?? ModelFactory.Get(m).AugmentByDefault)).ToList();
            if (ranges.Count > 0 && unaugmented.Count > 0)
                throw new ArgumentException($"{string.Join(", ", ranges.Select(o => o.Name))} set{(ranges.Count == 1 ? "s" : "")} the distortions of --augment, " +
                    $"which is off for {string.Join(", ", unaugmented)}{(options.Augment is null ? " by default" : "")}: add --augment true.");
            var runOptions = new TrainingRunOptions
            {
                Training = options,
                Members = members,
                Models = models,
                DataPath = parse.GetValue(data) ?? recorded?.DataPath,
                Restart = parse.GetValue(restart),
                KeepResumeState = parse.GetValue(keepResumeState),
                // A run started with --no-test stays without a test figure when resumed; --no-test may be added on resume.
                MeasureTestSet = !parse.GetValue(noTest) && (recorded?.MeasureTestSet ?? true),
            };
            var outputFolder = parse.GetValue(resume) ?? parse.GetValue(output) ?? Path.Combine("runs", chosen?.Name ?? EnsembleTrainer.DescribeModels(models));
            OutputPaths.RefuseFileAsFolder(outputFolder, parse.GetValue(resume) is not null ? "--resume" : "--output");
            return Run(console, runOptions, new RunFolder(outputFolder), state, cancellation);
        }));
        return command;
    }

    private static Option<T> Value<T>(string name, string description, T defaultValue, string helpName) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        HelpName = helpName,
    };

    private static int Run(IAnsiConsole console, TrainingRunOptions options, RunFolder folder, ResumeState? state, CancellationToken cancellation)
    {
        if (state is not null)
        {
            state.CheckSameAs(options);
            console.MarkupLineInterpolated($"Resuming {folder.Path}: {Progress(state)} done in {state.SecondsSpent:F1} s.");
        }
        PrecisionOption.Report(console, options.Training.Precision);
        var trainingData = Loading.Load(console, options.DataPath, MnistSplit.Train);
        // On the embedded MNIST the run also reports its accuracy on the official test images (unless told not to).
        var testSet = options.MeasureTestSet && DigitData.IsEmbeddedMnist(options.DataPath) ? Loading.Load(console, null, MnistSplit.Test) : null;

        TrainingRunResult run;
        try
        {
            run = TrainingView.Show(console, progress => state is null
                ? TrainingRun.Run(folder, trainingData, options, testSet, progress, cancellation)
                : TrainingRun.Resume(folder, state, trainingData, testSet, options.KeepResumeState, progress, cancellation));
        }
        catch (OperationCanceledException) when (folder.HasResumeState)
        {
            var kept = ResumeState.Read(folder.ResumePath);
            using (kept)
                throw new StoppedException(
                    $"Stopped; {folder.ResumePath} keeps the run as it was after {Progress(kept)}. Continue it with: digits train --resume {folder.Path}");
        }
        using var finished = run;
        if (run.Test is { } test)
            console.MarkupLineInterpolated(
                $"Test set ({testSet!.Count:N0} MNIST test images, used only for this figure): accuracy [bold green]{test.Accuracy:P2}[/], loss {test.Loss:F4} ({run.TestSeconds:F1} s)");
        console.MarkupLine($"Saved {string.Join(", ", run.Written.Select(path => $"[bold]{Markup.Escape(path)}[/]"))}.");
        return ExitCodes.Success;
    }

    // "epoch 3" or "member 1 of 3 and 2 epochs of member 2".
    private static string Progress(ResumeState state) => (state.Options.Members, state.MembersDone, state.EpochsDone) switch
    {
        (1, _, var epochs) => $"{epochs} epoch(s)",
        (var members, var done, 0) => $"{done} of {members} ensemble members",
        (var members, var done, var epochs) => $"{done} of {members} ensemble members and {epochs} epoch(s) of member {done + 1}",
    };
}
