using System.Text.Json;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Cli;
using DigitRecognizer.Data;
using DigitRecognizer.Engine;
using DigitRecognizer.Tests.Visualization;
using DigitRecognizer.Visualization;

namespace DigitRecognizer.Tests.Cli;

/// <summary>End-to-end runs of the verbs on small slices: train → predict → evaluate, and failures.</summary>
[Trait("Category", "Cli")]
public sealed class CliTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData("train", "--epochs", "[default: 128]")]
    [InlineData("predict", "--input", "[default: submission.csv]")]
    [InlineData("evaluate", "--json", "--data")]
    [InlineData("bench", "--runs", "[default: 5]")]
    [InlineData("evaluate", "--report", "confusion-matrix.png")]
    [InlineData("predict", "--show", "submission.png")]
    [InlineData("show", "--ascii", "--count")]
    [InlineData("train", "--precision", "float32|bfloat16|auto")]
    [InlineData("predict", "--precision", "[default: Float32]")]
    public void Help_ListsEveryVerbsOptionsWithDefaults(string verb, string option, string expected)
    {
        var (exitCode, output) = CliRunner.Run(verb, "--help");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains(option, output);
        Assert.Contains(expected, output);
    }

    [Fact]
    public void KaggleWorkflow_TrainPredictEvaluate_OnASmallSlice()
    {
        var mnist = TestData.MnistFolder;
        var trainCsv = folder.File("train.csv");
        var testCsv = folder.File("test.csv");
        var labelledTestCsv = folder.File("test-labelled.csv");
        KaggleCsvWriter.Write(trainCsv, MnistFiles.Load(mnist, MnistSplit.Train).Take(1500));
        var test = MnistFiles.Load(mnist, MnistSplit.Test).Take(300);
        KaggleCsvWriter.Write(testCsv, test, includeLabels: false);
        KaggleCsvWriter.Write(labelledTestCsv, test);
        var model = Path.Combine(folder.Path, "run");

        var train = CliRunner.Run("train", "--data", trainCsv, "--model", "dense", "--epochs", "3", "--output", model);

        Assert.True(train.ExitCode == ExitCodes.Success, train.Output);
        Assert.Contains("epoch 3/3", train.Output);
        Assert.DoesNotContain("Test set", train.Output); // only the embedded MNIST has an official test set
        Assert.True(File.Exists(Path.Combine(model, "model.ckpt")));
        Assert.False(File.Exists(Path.Combine(model, "resume.state")));   // a finished run leaves no resume state
        using (var curves = Png.Decode(Path.Combine(model, "training-curves.png")))
            Assert.True(curves.Width > curves.Height);
        using (var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "training.json"))))
        {
            Assert.Equal("dense", metrics.RootElement.GetProperty("architecture").GetString());
            Assert.Equal(3, metrics.RootElement.GetProperty("metrics").GetProperty("history").GetArrayLength());
            var trainImages = metrics.RootElement.GetProperty("metrics").GetProperty("trainImages").GetInt32();
            var validationImages = metrics.RootElement.GetProperty("metrics").GetProperty("validationImages").GetInt32();
            Assert.Equal(1500, trainImages + validationImages);
            Assert.InRange(validationImages, 145, 155); // 10% per class, rounded per class
        }

        var submission = folder.File("submission.csv");
        var predict = CliRunner.Run("predict", "--model", model, "--input", testCsv, "--output", submission);

        Assert.True(predict.ExitCode == ExitCodes.Success, predict.Output);
        var lines = File.ReadAllLines(submission);
        Assert.Equal("ImageId,Label", lines[0]);
        Assert.Equal(301, lines.Length);
        Assert.StartsWith("1,", lines[1]);
        Assert.StartsWith("300,", lines[^1]);

        var json = folder.File("evaluation.json");
        var evaluate = CliRunner.Run("evaluate", "--model", Path.Combine(model, "model.ckpt"), "--data", labelledTestCsv, "--json", json);

        Assert.True(evaluate.ExitCode == ExitCodes.Success, evaluate.Output);
        Assert.Contains("Confusion matrix", evaluate.Output);
        Assert.Contains("macro avg", evaluate.Output);
        using var evaluation = JsonDocument.Parse(File.ReadAllText(json));
        var accuracy = evaluation.RootElement.GetProperty("accuracy").GetDouble();
        // The submission and the evaluation agree: same model, same images.
        var predicted = SubmissionWriter.Read(submission);
        var agreement = predicted.Where((label, i) => label == test.Labels![i]).Count() / 300.0;
        Assert.Equal(agreement, accuracy, 9);
        Assert.True(accuracy > 0.6, $"accuracy {accuracy} after three epochs on ~1,350 images");
        Assert.Equal(300, evaluation.RootElement.GetProperty("confusionMatrix").EnumerateArray().Sum(row => row.EnumerateArray().Sum(c => c.GetInt32())));
    }

    [Fact]
    public void Train_OnTheEmbeddedMnist_AlsoReportsTestAccuracy()
    {
        var model = Path.Combine(folder.Path, "run");

        var train = CliRunner.Run("train", "--model", "dense", "--epochs", "1", "--limit", "2000", "--output", model);

        Assert.True(train.ExitCode == ExitCodes.Success, train.Output);
        Assert.Contains("10,000 MNIST test images", train.Output);
        using var loaded = Checkpoint.Load(model);
        Assert.NotNull(loaded.Metadata.Metrics.TestAccuracy);
        Assert.Equal(2000, loaded.Metadata.Metrics.TrainImages + loaded.Metadata.Metrics.ValidationImages);
    }

    [Fact]
    public void Train_WithNoTest_LeavesTheTestImagesUnread_AlsoWhenTheRunIsResumed()
    {
        var model = Path.Combine(folder.Path, "run");

        var train = CliRunner.Run("train", "--model", "dense", "--epochs", "1", "--limit", "1000", "--no-test", "--keep-resume-state", "--output", model);
        // The kept resume state continues the run (here: only its end), with the options it recorded.
        var resumed = CliRunner.Run("train", "--resume", model);

        foreach (var run in new[] { train, resumed })
        {
            Assert.True(run.ExitCode == ExitCodes.Success, run.Output);
            Assert.DoesNotContain("Test set", run.Output);
            Assert.DoesNotContain("MNIST test set", run.Output);
        }
        Assert.Contains("continuing after epoch 1", resumed.Output);
        using var loaded = Checkpoint.Load(model);
        Assert.Null(loaded.Metadata.Metrics.TestAccuracy);
    }

    [Fact]
    public void Predict_WithABadRow_FailsWithFileLineAndColumn_AndKeepsTheOldSubmission()
    {
        var model = TrainTinyModel();
        var testCsv = folder.File("test.csv");
        var header = string.Join(",", Enumerable.Range(0, 784).Select(i => $"pixel{i}"));
        var good = string.Join(",", Enumerable.Repeat("0", 784));
        var bad = string.Join(",", Enumerable.Repeat("0", 10).Append("x7").Concat(Enumerable.Repeat("0", 773)));
        File.WriteAllText(testCsv, $"{header}\n{good}\n{bad}\n");
        var submission = folder.File("submission.csv");
        File.WriteAllText(submission, "ImageId,Label\n1,3\n");

        var (exitCode, output) = CliRunner.Run("predict", "--model", model, "--input", testCsv, "--output", submission);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains($"{testCsv}, line 3, column 11", output);
        Assert.Contains("'x7'", output);
        Assert.DoesNotContain("   at ", output); // no stack trace
        Assert.Equal("ImageId,Label\n1,3\n", File.ReadAllText(submission));
    }

    [Fact]
    public void Recipe_SetsTheOptions_AndExplicitOptionsOverrideIt_OnNonMnistCsvData()
    {
        using var loaded = TrainRecipeForOneEpochOnCsv("best");

        Assert.Equal("cnn-bn", loaded.Architecture);                          // from the recipe
        Assert.Equal(0.1, loaded.Metadata.Training.LabelSmoothing);           // from the recipe
        Assert.Equal(1, loaded.Metadata.Training.Epochs);                     // overridden
        Assert.Equal(0, loaded.Metadata.Training.TimeBudgetMinutes);          // overridden
        Assert.True(loaded.Metadata.Metrics.Augmented);
    }

    [Fact]
    public void LongRecipe_TrainsABaggedEnsembleOfM5Members_OnNonMnistCsvData()
    {
        using var loaded = TrainRecipeForOneEpochOnCsv("long");

        var metrics = loaded.Metadata.Metrics;
        Assert.Equal("ensemble", loaded.Architecture);
        Assert.Equal(3, metrics.Members!.Count);
        Assert.True(metrics.HoldoutImages > 0, "the members' common holdout");
        Assert.Equal(3, metrics.Members.Select(m => m.SplitSeed).Distinct().Count());
        Assert.Equal("m5", loaded.Metadata.Training.Model);
    }

    /// <summary>Trains recipe <paramref name="name"/> on a synthetic (non-MNIST) Kaggle CSV, one epoch, no time budget.</summary>
    private DigitRecognizer.Inference.DigitClassifier TrainRecipeForOneEpochOnCsv(string name)
    {
        var trainCsv = folder.File("synthetic.csv");
        KaggleCsvWriter.Write(trainCsv, TestData.Synthetic(300));
        var model = Path.Combine(folder.Path, name);

        var train = CliRunner.Run("train", "--recipe", name, "--data", trainCsv, "--epochs", "1", "--time-budget", "0", "--output", model);

        Assert.True(train.ExitCode == ExitCodes.Success, train.Output);
        return Checkpoint.Load(model);
    }

    [Fact]
    public void Ensemble_TrainsKMembers_AndPredictsWithTestTimeAugmentation()
    {
        var trainCsv = folder.File("synthetic.csv");
        KaggleCsvWriter.Write(trainCsv, TestData.Synthetic(200));
        var testCsv = folder.File("test.csv");
        KaggleCsvWriter.Write(testCsv, TestData.Synthetic(30, seed: 4), includeLabels: false);
        var model = Path.Combine(folder.Path, "ensemble");

        var train = CliRunner.Run("train", "--data", trainCsv, "--model", "dense", "--epochs", "2", "--ensemble", "2", "--output", model);
        var predict = CliRunner.Run("predict", "--model", model, "--input", testCsv, "--output", folder.File("submission.csv"), "--tta");

        Assert.True(train.ExitCode == ExitCodes.Success, train.Output);
        Assert.Contains("Ensemble member 2/2", train.Output);
        Assert.Contains("ensemble of 2", train.Output);
        Assert.True(predict.ExitCode == ExitCodes.Success, predict.Output);
        Assert.Equal(31, File.ReadAllLines(folder.File("submission.csv")).Length);
    }

    [Fact]
    public void Train_WithSeveralModels_TrainsAMixedEnsemble_AndRefusesTooFewMembers()
    {
        var trainCsv = folder.File("synthetic.csv");
        KaggleCsvWriter.Write(trainCsv, TestData.Synthetic(150));
        var model = Path.Combine(folder.Path, "mixed");

        var train = CliRunner.Run("train", "--data", trainCsv, "--model", "dense", "cnn", "--epochs", "1", "--output", model);
        var tooFew = CliRunner.Run("train", "--data", trainCsv, "--model", "dense", "cnn", "--ensemble", "1", "--output", folder.File("none"));

        Assert.True(train.ExitCode == ExitCodes.Success, train.Output);
        Assert.Contains("Ensemble member 1/2: dense", train.Output);          // one member per name when --ensemble is not given
        Assert.Contains("Ensemble member 2/2: cnn", train.Output);
        using (var loaded = Checkpoint.Load(model)) Assert.Equal("dense+cnn", loaded.Metadata.Training.Model);
        Assert.Equal(ExitCodes.Failure, tooFew.ExitCode);
        Assert.Contains("2 architectures (dense, cnn) need an ensemble of at least 2 members (got 1)", tooFew.Output);
        Assert.False(File.Exists(folder.File("none")) || Directory.Exists(folder.File("none")));
    }

    [Fact]
    public void Recipe_WithSeveralModels_TrainsOneMemberPerName()
    {
        var trainCsv = folder.File("synthetic.csv");
        KaggleCsvWriter.Write(trainCsv, TestData.Synthetic(120));

        var train = CliRunner.Run("train", "--recipe", "fast", "--data", trainCsv, "--model", "dense", "cnn-fast", "--epochs", "1",
            "--output", Path.Combine(folder.Path, "fast-mixed"));

        Assert.True(train.ExitCode == ExitCodes.Success, train.Output);
        Assert.Contains("Ensemble member 2/2: cnn-fast", train.Output);
    }

    [Fact]
    public void Evaluate_OnTheValidationPart_WithMembers_MeasuresEachNetwork_AndRefusesAModelThatHeldNothingOut()
    {
        var trainCsv = folder.File("synthetic.csv");
        KaggleCsvWriter.Write(trainCsv, TestData.Synthetic(200));
        var ensemble = Path.Combine(folder.Path, "ensemble");
        var whole = Path.Combine(folder.Path, "whole");
        Assert.Equal(ExitCodes.Success, CliRunner.Run("train", "--data", trainCsv, "--model", "dense", "cnn", "--epochs", "1", "--output", ensemble).ExitCode);
        Assert.Equal(ExitCodes.Success, CliRunner.Run("train", "--data", trainCsv, "--model", "dense", "--epochs", "1", "--validation-split", "0", "--output", whole).ExitCode);

        var evaluate = CliRunner.Run("evaluate", "--model", ensemble, "--data", trainCsv, "--validation", "--members");
        var refused = CliRunner.Run("evaluate", "--model", whole, "--data", trainCsv, "--validation");
        var otherCsv = folder.File("other.csv");
        KaggleCsvWriter.Write(otherCsv, TestData.Synthetic(150, seed: 3));
        var wrongData = CliRunner.Run("evaluate", "--model", ensemble, "--data", otherCsv, "--validation");

        Assert.True(evaluate.ExitCode == ExitCodes.Success, evaluate.Output);
        Assert.Contains("(validation part)", evaluate.Output);
        Assert.Matches(@"accuracy [\d.]+% \(\d+/20\)", evaluate.Output);       // the 10% held out of 200
        Assert.Contains("Each network on its own", evaluate.Output);
        Assert.Contains("Images wrong in n of the 2 networks", evaluate.Output);
        Assert.Equal(ExitCodes.Failure, refused.ExitCode);
        Assert.Contains("held out no validation images", refused.Output);
        Assert.Equal(ExitCodes.Failure, wrongData.ExitCode);
        Assert.Contains("gives 150 images, but this model was trained on 200", wrongData.Output);
    }

    [Fact]
    public void Evaluate_OnTheValidationPart_OfABaggedEnsemble_ReportsTheCommonHoldout_AndEachMemberOnItsOwnPart()
    {
        var trainCsv = folder.File("synthetic.csv");
        KaggleCsvWriter.Write(trainCsv, TestData.Synthetic(200));
        var bagged = Path.Combine(folder.Path, "bagged");
        var train = CliRunner.Run("train", "--data", trainCsv, "--model", "dense", "--ensemble", "2", "--holdout", "0.2", "--epochs", "1", "--output", bagged);

        var json = folder.File("evaluation.json");
        var evaluate = CliRunner.Run("evaluate", "--model", bagged, "--data", trainCsv, "--validation", "--json", json);

        Assert.True(train.ExitCode == ExitCodes.Success, train.Output);
        Assert.Contains("bagged ensemble of 2", train.Output);
        Assert.True(evaluate.ExitCode == ExitCodes.Success, evaluate.Output);
        Assert.Contains("On the common holdout: 40 images that no member trained or validated on", evaluate.Output);
        Assert.Matches(@"\(common holdout\): accuracy [\d.]+% \(\d+/40\)", evaluate.Output);       // 20% of 200 set aside
        Assert.Contains("Each member on its own held-out part", evaluate.Output);
        Assert.Matches(@"│ 1\s+│ dense\s+│ 42\s+│ 20\s+│", evaluate.Output);    // 10% of the 16 per class left, rounded: 2 per class
        Assert.Matches(@"│ 2\s+│ dense\s+│ 43\s+│ 20\s+│", evaluate.Output);
        // The JSON holds the holdout's figures and the same members' table.
        using var written = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(40, written.RootElement.GetProperty("images").GetInt32());
        var members = written.RootElement.GetProperty("members");
        Assert.Equal([42, 43], members.EnumerateArray().Select(m => m.GetProperty("splitSeed").GetInt32()));
        Assert.All(members.EnumerateArray(), m => Assert.Equal(20, m.GetProperty("images").GetInt32()));
        Assert.All(members.EnumerateArray(), m => Assert.InRange(m.GetProperty("accuracy").GetDouble(), 0, 1));
    }

    [Fact]
    public void Precision_BFloat16_TrainsPredictsAndEvaluates_AndABadValueIsAUsageError()
    {
        var trainCsv = folder.File("synthetic.csv");
        KaggleCsvWriter.Write(trainCsv, TestData.Synthetic(200));
        var model = Path.Combine(folder.Path, "bf16");

        var train = CliRunner.Run("train", "--data", trainCsv, "--model", "cnn", "--epochs", "1", "--precision", "bfloat16", "--output", model);
        var predict = CliRunner.Run("predict", "--model", model, "--input", trainCsv, "--output", folder.File("submission.csv"), "--precision", "bfloat16");
        var evaluate = CliRunner.Run("evaluate", "--model", model, "--data", trainCsv, "--precision", "bfloat16");
        var bad = CliRunner.Run("predict", "--model", model, "--input", trainCsv, "--precision", "float8");

        Assert.True(train.ExitCode == ExitCodes.Success, train.Output);
        Assert.True(predict.ExitCode == ExitCodes.Success, predict.Output);
        Assert.Equal(201, File.ReadAllLines(folder.File("submission.csv")).Length);
        Assert.True(evaluate.ExitCode == ExitCodes.Success, evaluate.Output);
        Assert.Contains("ccuracy", evaluate.Output);
        Assert.NotEqual(ExitCodes.Success, bad.ExitCode);
        Assert.Contains("--precision takes float32, bfloat16 or auto, not 'float8'.", bad.Output);
    }

    [Fact]
    public void Precision_Auto_TrainsInWhatThisCpuComputesFastest_AndTheCheckpointSaysWhich()
    {
        var trainCsv = folder.File("synthetic-auto.csv");
        KaggleCsvWriter.Write(trainCsv, TestData.Synthetic(100));
        var model = Path.Combine(folder.Path, "auto");

        var train = CliRunner.Run("train", "--data", trainCsv, "--model", "dense", "--epochs", "1", "--precision", "auto", "--output", model);

        Assert.True(train.ExitCode == ExitCodes.Success, train.Output);
        using var loaded = Checkpoint.Load(model);
        Assert.Equal(BFloat16Support.Fastest, loaded.Metadata.Training.Precision);
        Assert.Equal(BFloat16Support.IsNative, train.Output.Contains("Computing in bfloat16, in hardware"));
    }

    [Fact]
    public void ExportThenScore_ScoresASubmissionAgainstTheLabels()
    {
        var labelled = folder.File("test-labelled.csv");
        var export = CliRunner.Run("export", "--split", "test", "--output", labelled);
        Assert.True(export.ExitCode == ExitCodes.Success, export.Output);
        Assert.Contains("Wrote 10,000 images with labels", export.Output);
        var truth = KaggleCsvReader.ReadLabelled(labelled).Labels!;
        // A submission that gets exactly the first 9,000 right and the rest wrong.
        var guesses = truth.Select((label, i) => i < 9000 ? label : (label + 1) % 10).ToArray();
        var submission = folder.File("submission.csv");
        SubmissionWriter.Write(submission, guesses);

        var score = CliRunner.Run("score", "--submission", submission, "--truth", labelled);

        Assert.True(score.ExitCode == ExitCodes.Success, score.Output);
        Assert.Contains("accuracy 90.00%", score.Output);
        Assert.Contains("9,000/10,000 correct", score.Output);
    }

    [Fact]
    public void Score_WithTooFewRows_NamesBothCounts()
    {
        var submission = folder.File("submission.csv");
        SubmissionWriter.Write(submission, [7, 2, 1]);

        var (exitCode, output) = CliRunner.Run("score", "--submission", submission);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("has 3 predictions", output);
        Assert.Contains("10,000 images", output);
    }

    [Fact]
    public void Predict_WithAMissingModel_FailsClearly()
    {
        var (exitCode, output) = CliRunner.Run("predict", "--model", folder.File("nope"), "--input", folder.File("test.csv"));

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("nope", output);
        Assert.Contains("no such file", output);
    }

    [Fact]
    public void Train_WithAnUnknownModel_IsAUsageError()
    {
        var (exitCode, output) = CliRunner.Run("train", "--model", "transformer");

        Assert.NotEqual(ExitCodes.Success, exitCode);
        Assert.Contains("transformer", output);
    }

    [Fact]
    public void Train_WithUnlabelledData_FailsAndWritesNothing()
    {
        var testCsv = folder.File("test.csv");
        KaggleCsvWriter.Write(testCsv, TestData.Synthetic(20), includeLabels: false);
        var output = Path.Combine(folder.Path, "run");

        var result = CliRunner.Run("train", "--data", testCsv, "--epochs", "1", "--output", output);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains($"{testCsv}, line 1, column 1: training needs labels", result.Output);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Train_WithAnOutOfRangeOption_NamesIt()
    {
        var (exitCode, output) = CliRunner.Run("train", "--validation-split", "1.5", "--output", folder.File("run"));

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("Validation fraction", output);
    }

    [Fact]
    public void Train_WithDistortionRanges_ButNoAugmentation_SaysSo_AndWritesNothing()
    {
        var output = folder.File("run");

        // cnn trains without augmentation by default; cnn-bn with it, so the same ranges are fine there.
        var byDefault = CliRunner.Run("train", "--model", "cnn", "--elastic", "34", "--output", output);
        var turnedOff = CliRunner.Run("train", "--model", "cnn-bn", "--augment", "false", "--rotation", "15", "--zoom", "0.2", "--output", output);

        Assert.Equal(ExitCodes.Failure, byDefault.ExitCode);
        Assert.Contains("--elastic sets the distortions of --augment, which is off for cnn by default: add --augment true.", byDefault.Output);
        Assert.Equal(ExitCodes.Failure, turnedOff.ExitCode);
        Assert.Contains("--rotation, --zoom set the distortions of --augment, which is off for cnn-bn: add --augment true.", turnedOff.Output);
        Assert.False(Directory.Exists(output));
    }

    [Theory]
    [InlineData("--non-digits-per-digit", "1", "--non-digits-per-digit sets how many non-digits --non-digit-weight shows, which is off: give --non-digit-weight as well.")]
    [InlineData("--non-digit-pool", "30000", "--non-digit-pool sets how many non-digits --non-digit-weight draws, which is off: give --non-digit-weight as well.")]
    public void Train_WithANonDigitSetting_ButNoNonDigits_SaysSo_AndWritesNothing(string option, string value, string expected)
    {
        var output = folder.File("run");

        var (exitCode, text) = CliRunner.Run("train", "--model", "dense", option, value, "--output", output);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains(expected, CliRunner.Unwrapped(text));
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Show_DrawsTheFirstDigitsWithTheirLabels_AsAPng()
    {
        var csv = folder.File("train.csv");
        KaggleCsvWriter.Write(csv, TestData.Synthetic(20));
        var picture = folder.File("digits.png");

        var (exitCode, output) = CliRunner.Run("show", "--data", csv, "--count", "7", "--labels", "--output", picture);

        Assert.True(exitCode == ExitCodes.Success, output);
        Assert.Contains($"Drew the first 7 digits in {picture}", output);
        using var bitmap = Png.Decode(picture);
        var tiles = DigitPictures.SampleTiles(KaggleCsvReader.Read(csv), 7, labels: true);
        Assert.Equal(DigitGrid.Measure(tiles), (bitmap.Width, bitmap.Height));
        Assert.Equal(["#1: 0", "#2: 1", "#3: 2", "#4: 3", "#5: 4", "#6: 5", "#7: 6"], tiles.Select(t => t.Caption));
    }

    [Fact]
    public void Show_Ascii_PrintsTheDigitsAsText_AndWritesNoPicture()
    {
        var (exitCode, output) = CliRunner.Run("show", "--split", "test", "--count", "2", "--ascii", "--labels");

        Assert.True(exitCode == ExitCodes.Success, output);
        Assert.Contains("#1: 7", output);
        Assert.Contains("#2: 2", output);
        Assert.Contains("+#*#%@%%%%%%%%%-", output); // the bar of the first test digit, a 7
        Assert.DoesNotContain("Drew", output);
    }

    [Theory]
    [InlineData("--count", "0")]
    [InlineData("--count", "-3")]
    public void Show_WithANonPositiveCount_FailsWithOneLine(string option, string value)
    {
        var (exitCode, output) = CliRunner.Run("show", option, value, "--output", folder.File("x.png"));

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Equal($"error: --count must be at least 1 (got {value}).", output.Trim());
        Assert.False(File.Exists(folder.File("x.png")));
    }

    [Fact]
    public void Predict_WithShow_DrawsTheAnswersNextToTheSubmission()
    {
        var model = TrainTinyModel();
        var testCsv = folder.File("test.csv");
        KaggleCsvWriter.Write(testCsv, TestData.Synthetic(30, seed: 2), includeLabels: false);
        var submission = folder.File("submission.csv");

        var (exitCode, output) = CliRunner.Run("predict", "--model", model, "--input", testCsv, "--output", submission, "--show", "12");

        Assert.True(exitCode == ExitCodes.Success, output);
        Assert.Contains($"Drew the first 12 digits with their predictions in {folder.File("submission.png")}", output);
        using var bitmap = Png.Decode(folder.File("submission.png"));
        // 12 tiles: 4 columns × 3 rows of 84 px, two caption lines (no labels, so no "true" line).
        Assert.Equal((DigitGrid.MinWidth, 16 + 60 + 3 * (84 + 2 * 19) + 2 * 12 + 16), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void Evaluate_WithReport_WritesTheReportFolder()
    {
        var model = TrainTinyModel();
        var labelled = folder.File("test-labelled.csv");
        KaggleCsvWriter.Write(labelled, MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test).Take(60));
        var report = Path.Combine(folder.Path, "report");

        var (exitCode, output) = CliRunner.Run("evaluate", "--model", model, "--data", labelled, "--report", report);

        Assert.True(exitCode == ExitCodes.Success, output);
        Assert.Contains($"Wrote the report to {Path.Combine(report, "report.md")}", output);
        foreach (var picture in new[] { "confusion-matrix.png", "per-class.png", "misclassified.png", "confidence.png", "training-curves.png" })
            Png.Decode(Path.Combine(report, picture)).Dispose();
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "metrics.json")));
        Assert.Equal(60, metrics.RootElement.GetProperty("images").GetInt32());
        Assert.Contains("](misclassified.png)", File.ReadAllText(Path.Combine(report, "report.md")));
    }

    [Theory]
    [InlineData("predict", "--output")]
    [InlineData("evaluate", "--json")]
    public void AnOutputThatIsTheInput_IsRefused_AndTheInputStaysAsItWas(string verb, string option)
    {
        var model = TrainTinyModel();
        var labelled = folder.File($"{verb}-input.csv");
        KaggleCsvWriter.Write(labelled, TestData.Synthetic(20, seed: 3));
        var before = File.ReadAllText(labelled);
        var input = verb == "predict" ? "--input" : "--data";

        var (exitCode, output) = CliRunner.Run(verb, "--model", model, input, labelled, option, labelled);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains($"{option} {labelled} is also what this command reads", CliRunner.Unwrapped(output));
        Assert.Equal(before, File.ReadAllText(labelled));
    }

    [Fact]
    public void Train_IntoAPathThatIsAFile_IsRefusedBeforeTraining()
    {
        var trainCsv = folder.File("train-small.csv");
        KaggleCsvWriter.Write(trainCsv, TestData.Synthetic(40));
        var notAFolder = folder.File("taken-by-a-file");
        File.WriteAllText(notAFolder, "keep me");

        var (exitCode, output) = CliRunner.Run("train", "--data", trainCsv, "--model", "dense", "--epochs", "1", "--output", notAFolder);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains($"--output {notAFolder} is a file", CliRunner.Unwrapped(output));
        Assert.DoesNotContain("epoch 1/1", output);
        Assert.Equal("keep me", File.ReadAllText(notAFolder));
    }

    [Fact]
    public void Evaluate_WithAReportFolderThatIsAFile_FailsWithOneLine()
    {
        var model = TrainTinyModel();
        var labelled = folder.File("test-labelled.csv");
        KaggleCsvWriter.Write(labelled, TestData.Synthetic(20, seed: 3));
        var notAFolder = folder.File("taken");
        File.WriteAllText(notAFolder, "keep me");

        var (exitCode, output) = CliRunner.Run("evaluate", "--model", model, "--data", labelled, "--report", notAFolder);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Single(output.Split('\n'), line => line.StartsWith($"error: cannot write {Path.Combine(notAFolder, "")}"));
        Assert.DoesNotContain("   at ", output);
        Assert.Equal("keep me", File.ReadAllText(notAFolder));
    }

    private string TrainTinyModel()
    {
        var trainCsv = folder.File("tiny-train.csv");
        KaggleCsvWriter.Write(trainCsv, TestData.Synthetic(100));
        var model = Path.Combine(folder.Path, "tiny");
        var (exitCode, output) = CliRunner.Run("train", "--data", trainCsv, "--model", "dense", "--epochs", "1", "--output", model);
        Assert.True(exitCode == ExitCodes.Success, output);
        return model;
    }
}
