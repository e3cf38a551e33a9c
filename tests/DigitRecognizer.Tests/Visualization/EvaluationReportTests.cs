using System.Text.Json;
using System.Text.Json.Nodes;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Evaluation;
using DigitRecognizer.Models;
using DigitRecognizer.Training;
using DigitRecognizer.Visualization;

namespace DigitRecognizer.Tests.Visualization;

[Trait("Category", "Fast")]
public sealed class EvaluationReportTests : IDisposable
{
    // Twelve images worked by hand; digit 9 is never predicted:
    // truth     0 1 2 3 4 5 6 7 8 9 9 9
    // predicted 0 1 2 3 4 5 6 7 8 4 4 7
    // Every answer gets probability 0.91 (the other nine 0.01 each).
    private static readonly int[] Truth = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9];
    private static readonly int[] Predicted = [0, 1, 2, 3, 4, 5, 6, 7, 8, 4, 4, 7];

    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Write_MetricsJson_MatchesHandComputedFigures_IncludingADigitNeverPredicted()
    {
        var (result, data) = HandMadeEvaluation();

        EvaluationReport.Write(folder.Path, result, data, "runs/hand/model.ckpt");

        using var json = JsonDocument.Parse(File.ReadAllText(folder.File(EvaluationReport.MetricsFile)));
        var root = json.RootElement;
        Assert.Equal(12, root.GetProperty("images").GetInt32());
        Assert.Equal(9.0 / 12, root.GetProperty("accuracy").GetDouble(), 12);
        // Loss: nine right answers cost −ln 0.91, three wrong ones −ln 0.01 (the true digit's probability).
        Assert.Equal((9 * -Math.Log(0.91) + 3 * -Math.Log(0.01)) / 12, root.GetProperty("loss").GetDouble(), 5);

        var rows = root.GetProperty("confusionMatrix").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt32()).ToArray()).ToArray();
        Assert.Equal([0, 0, 0, 0, 2, 0, 0, 1, 0, 0], rows[9]);
        Assert.Equal([0, 0, 0, 0, 1, 0, 0, 0, 0, 0], rows[4]);
        Assert.Equal(12, rows.Sum(r => r.Sum()));
        Assert.Equal(9, Enumerable.Range(0, 10).Sum(d => rows[d][d]));

        var classes = root.GetProperty("classes").EnumerateArray().ToArray();
        Assert.Equal(10, classes.Length);
        // digit 4: predicted 3 times, right once → precision 1/3; recall 1/1; F1 = 2·(1/3)·1 / (4/3) = 0.5
        AssertScores(classes[4], 4, 1.0 / 3, 1.0, 0.5, 1);
        // digit 7: predicted twice, right once → precision 1/2; recall 1; F1 = 2·0.5·1 / 1.5 = 2/3
        AssertScores(classes[7], 7, 0.5, 1.0, 2.0 / 3, 1);
        // digit 9: never predicted → precision 0 (zero_division = 0), recall 0/3, F1 0; support 3
        AssertScores(classes[9], 9, 0, 0, 0, 3);
        foreach (var digit in new[] { 0, 1, 2, 3, 5, 6, 8 })
            AssertScores(classes[digit], digit, 1, 1, 1, 1);

        // Macro: plain means over the ten digits. Weighted: by support (seven digits of 1, digits 4 and 7 of 1, digit 9 of 3).
        AssertAverage(root.GetProperty("macroAverage"), (7 + 1.0 / 3 + 0.5 + 0) / 10, (7 + 1 + 1 + 0) / 10.0, (7 + 0.5 + 2.0 / 3 + 0) / 10, 12);
        AssertAverage(root.GetProperty("weightedAverage"), (7 + 1.0 / 3 + 0.5 + 0 * 3) / 12, (7 + 1 + 1 + 0 * 3) / 12.0, (7 + 0.5 + 2.0 / 3 + 0 * 3) / 12, 12);
    }

    [Fact]
    public void Write_ProducesEveryPictureAndAReportThatEmbedsThem()
    {
        var (result, data) = HandMadeEvaluation();

        var written = EvaluationReport.Write(folder.Path, result, data, "runs/hand/model.ckpt", Metadata(epochs: 3));

        string[] pictures =
        [
            EvaluationReport.ConfusionMatrixFile, EvaluationReport.PerClassFile, EvaluationReport.MisclassifiedFile,
            EvaluationReport.ConfidenceFile, EvaluationReport.TrainingCurvesFile,
        ];
        Assert.Equal(pictures.Length + 2, written.Count);
        Assert.EndsWith(EvaluationReport.ReportFile, written[^1]);
        var report = File.ReadAllText(folder.File(EvaluationReport.ReportFile));
        foreach (var picture in pictures)
        {
            using var bitmap = Png.Decode(folder.File(picture));
            if (picture != EvaluationReport.MisclassifiedFile) // a grid is as large as its digits; charts have a fixed size
                Assert.True(bitmap.Width >= 900 && bitmap.Height >= 600, $"{picture} is {bitmap.Width}×{bitmap.Height}");
            Assert.Contains($"]({picture})", report);
        }
        Assert.Contains("hand (dense) on hand-made", report);
        Assert.Contains("**75.00%**: 9 right, 3 wrong", report);
        Assert.Contains("| most frequent mistake | 9 taken for 4, 2 times |", report);
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
    }

    [Fact]
    public void Write_WithoutMistakesOrHistory_LeavesThosePicturesOut_AndSaysSo()
    {
        var data = new DigitDataset(TestData.Synthetic(3).Pixels, [0, 1, 2], "perfect");
        var result = new EvaluationResult("dense", "perfect", DigitPicturesTests.Predictions((0, 0.9f), (1, 0.9f), (2, 0.9f)), data.Labels!);

        EvaluationReport.Write(folder.Path, result, data, "model.ckpt", Metadata(epochs: 0));

        Assert.False(File.Exists(folder.File(EvaluationReport.MisclassifiedFile)));
        Assert.False(File.Exists(folder.File(EvaluationReport.TrainingCurvesFile)));
        Assert.Contains("None: every answer was right.", File.ReadAllText(folder.File(EvaluationReport.ReportFile)));
    }

    [Fact]
    public void TrainingCurves_FromAHistory_IsAWideTwoPanelPng()
    {
        using var bitmap = Png.Decode(TrainingCurvesChart.Render(Metadata(epochs: 4).Metrics, "tiny"));

        Assert.True(bitmap.Width > bitmap.Height, $"{bitmap.Width}×{bitmap.Height}");
        Assert.Throws<ArgumentException>(() => TrainingCurvesChart.Render(Metadata(epochs: 0).Metrics, "empty"));
    }

    [Theory]
    [InlineData("/data/mnist/t10k-images-idx3-ubyte.gz", "the MNIST test set")]
    [InlineData("/data/mnist/train-images-idx3-ubyte", "the MNIST training set")]
    [InlineData("kaggle/train.csv", "train.csv")]
    [InlineData("some/folder/", "folder")]
    [InlineData("/data/mnist/train-images-idx3-ubyte.gz (validation part)", "the MNIST training set (validation part)")]
    [InlineData("kaggle/train.csv (first 500) (validation part)", "train.csv (first 500) (validation part)")]
    [InlineData("embedded MNIST training set (validation part)", "the MNIST training set (validation part)")]
    [InlineData("embedded MNIST test set (first 300)", "the MNIST test set (first 300)")]
    [InlineData(@"C:\Users\someone\kaggle\train.csv", "train.csv")]
    public void DataDescriptions_NameMnistByItsPart_AndOtherDataByItsFile(string source, string expected) =>
        Assert.Equal(expected, DigitData.Describe(source));

    [Theory]
    [InlineData("runs/cnn-s1/model.ckpt", "cnn", "cnn-s1 (cnn)")]
    [InlineData("runs/cnn/model.ckpt", "cnn", "cnn")]
    [InlineData("best.ckpt", "dense", "best (dense)")]
    public void ModelDescriptions_UseTheFolderOrFileName_AndTheArchitecture(string path, string architecture, string expected) =>
        Assert.Equal(expected, Checkpoint.Describe(path, architecture));

    private static (EvaluationResult Result, DigitDataset Data) HandMadeEvaluation()
    {
        var data = new DigitDataset(TestData.Synthetic(Truth.Length).Pixels, Truth, "hand-made");
        var predictions = DigitPicturesTests.Predictions(Predicted.Select(d => (d, 0.91f)).ToArray());
        return (new EvaluationResult("dense", data.Source, predictions, Truth), data);
    }

    private static CheckpointMetadata Metadata(int epochs) => new()
    {
        Architecture = "dense",
        ArchitectureArguments = new JsonObject(),
        Normalization = InputNormalization.UnitRange,
        Training = new TrainingOptions { Model = "dense", Epochs = Math.Max(1, epochs) },
        Metrics = new TrainingSummary
        {
            DataSource = "train.csv",
            TrainImages = 900,
            ValidationImages = 100,
            BestEpoch = Math.Max(1, epochs - 1),
            TrainingSeconds = 1,
            Threads = 1,
            History = Enumerable.Range(1, epochs)
                .Select(e => new EpochMetrics(e, 1.0 / e, 1 - 0.5 / e, 1.2 / e, 1 - 0.6 / e, 0.5, 1000))
                .ToList(),
        },
    };

    private static void AssertScores(JsonElement scores, int digit, double precision, double recall, double f1, int support)
    {
        Assert.Equal(digit, scores.GetProperty("digit").GetInt32());
        Assert.Equal(precision, scores.GetProperty("precision").GetDouble(), 12);
        Assert.Equal(recall, scores.GetProperty("recall").GetDouble(), 12);
        Assert.Equal(f1, scores.GetProperty("f1").GetDouble(), 12);
        Assert.Equal(support, scores.GetProperty("support").GetInt32());
    }

    private static void AssertAverage(JsonElement average, double precision, double recall, double f1, int support)
    {
        Assert.Equal(precision, average.GetProperty("precision").GetDouble(), 12);
        Assert.Equal(recall, average.GetProperty("recall").GetDouble(), 12);
        Assert.Equal(f1, average.GetProperty("f1").GetDouble(), 12);
        Assert.Equal(support, average.GetProperty("support").GetInt32());
    }
}
