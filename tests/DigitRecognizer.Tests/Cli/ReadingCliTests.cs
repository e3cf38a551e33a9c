using DigitRecognizer.Checkpoints;
using DigitRecognizer.Cli;
using DigitRecognizer.Data;
using DigitRecognizer.Reading;
using DigitRecognizer.Training;
using SkiaSharp;

namespace DigitRecognizer.Tests.Cli;

/// <summary>
/// <c>digits read</c>, <c>digits calibrate</c> and <c>digits bench-read</c> run in-process: what they print and write,
/// and that bad input gets one clear line, a non-zero exit and leaves every file as it was. Numbers are built from
/// MNIST test digits with wide gaps and read with the shipped CNN, the verbs' default model.
/// </summary>
[Trait("Category", "Cli")]
public sealed class ReadingCliTests : IDisposable
{
    private static readonly DigitDataset TestDigits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test);

    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>A 3-digit number with wide gaps, written as PNG to <paramref name="name"/>.</summary>
    private (string Path, SyntheticNumber Number) WriteNumber(string name, int seed)
    {
        var options = new SyntheticNumberOptions { MinDigits = 3, MaxDigits = 3, TouchingShare = 0, JpegShare = 0 };
        var number = SyntheticNumbers.Generate(TestDigits, 1, seed, options).Single();
        var path = folder.File(name);
        File.WriteAllBytes(path, number.Encoded);
        return (path, number);
    }

    private string WriteBlankPage(string name)
    {
        using var blank = new SKBitmap(300, 100);
        blank.Erase(new SKColor(230, 230, 225));
        var path = folder.File(name);
        File.WriteAllBytes(path, blank.Encode(SKEncodedImageFormat.Png, 100).ToArray());
        return path;
    }

    [Fact]
    public void Read_AnImage_PrintsTheNumberAndEachDigitWithItsBox()
    {
        var (path, number) = WriteNumber("number.png", seed: 3);

        var (exitCode, output) = CliRunner.Run("read", path, "--model", TestData.ShippedCnn);

        Assert.True(exitCode == ExitCodes.Success, output);
        var lines = output.Split('\n');
        Assert.Contains(lines, l => l.Trim() == number.Text);
        for (var i = 0; i < number.Text.Length; i++)
        {
            // A row per digit: its position, the digit read and its box, which is where the digit was pasted.
            var row = lines.Single(l => l.TrimStart().StartsWith($"{i + 1} ", StringComparison.Ordinal) && l.Contains('%'));
            var cells = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(number.Text[i].ToString(), cells[1]);
            var box = string.Concat(cells[3..]).Split(',').Select(int.Parse).ToArray();
            Assert.True(new PixelBox(box[0], box[1], box[2], box[3]).IntersectionOverUnion(number.Boxes[i]) >= 0.5, row);
        }
    }

    [Fact]
    public void Read_WithAnOnnxModel_ReadsTheSameNumberAsItsCheckpoint_WithItsRefusalRule()
    {
        var (path, number) = WriteNumber("number.png", seed: 5);
        var onnx = Path.ChangeExtension(TestData.ShippedBest, ".onnx");

        var (exitCode, output) = CliRunner.Run("read", path, "--model", onnx);
        var (checkpointExit, checkpointOutput) = CliRunner.Run("read", path, "--model", TestData.ShippedBest);

        Assert.True(exitCode == ExitCodes.Success, output);
        Assert.True(checkpointExit == ExitCodes.Success, checkpointOutput);
        Assert.Contains(output.Split('\n'), l => l.Trim() == number.Text);
        // The same digits in the same boxes: the exported graph computes what the checkpoint does.
        // Each row: position, digit, probability, box; the probability may differ in its last printed place.
        static string[] Rows(string printed) => [.. printed.Split('\n').Where(l => l.Contains('%'))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(cells => string.Join(' ', cells[..2].Concat(cells[3..])))];
        Assert.Equal(number.Text.Length, Rows(output).Length);
        Assert.Equal(Rows(checkpointOutput), Rows(output));
        // The exported file carries the checkpoint's refusal rule (and its training options, which fit the cut search).
        Assert.DoesNotContain("no refusal rule", output);
    }

    [Fact]
    public void Read_WithShow_WritesAPictureOfTheImageSize()
    {
        var (path, number) = WriteNumber("number.png", seed: 4);
        var picture = folder.File("shown.png");

        var (exitCode, output) = CliRunner.Run("read", path, "--model", TestData.ShippedCnn, "--show", picture);

        Assert.True(exitCode == ExitCodes.Success, output);
        using var drawn = SKBitmap.Decode(picture);
        Assert.NotNull(drawn);
        Assert.Equal((number.Width, number.Height), (drawn.Width, drawn.Height));
        // The boxes are drawn in colour on a grey page: some pixels are far from grey.
        Assert.Contains(drawn.Pixels, p => Math.Abs(p.Red - p.Green) > 60 || Math.Abs(p.Green - p.Blue) > 60);
    }

    [Fact]
    public void Read_AFolder_WritesACsvOfEveryImage_ReplacingTheOldOneWhole()
    {
        var images = Path.Combine(folder.Path, "numbers");
        Directory.CreateDirectory(images);
        var first = WriteNumber(Path.Combine("numbers", "a.png"), seed: 5).Number;
        var second = WriteNumber(Path.Combine("numbers", "b.png"), seed: 6).Number;
        var csv = folder.File("numbers.csv");
        File.WriteAllText(csv, string.Join('\n', Enumerable.Repeat("an older, longer file", 50)));

        var (exitCode, output) = CliRunner.Run("read", images, "--model", TestData.ShippedCnn, "--csv", csv);

        Assert.True(exitCode == ExitCodes.Success, output);
        var rows = File.ReadAllLines(csv);
        Assert.Equal("file,text,confidence", rows[0]);
        Assert.Equal(3, rows.Length);
        Assert.StartsWith($"a.png,{first.Text},", rows[1]);
        Assert.StartsWith($"b.png,{second.Text},", rows[2]);
        foreach (var row in rows[1..])
            Assert.InRange(double.Parse(row.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture), 0, 1);
        Assert.Equal(["numbers.csv"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Read_AFolderWithABadImage_ListsItWithAnEmptyRow_AndFails()
    {
        var images = Path.Combine(folder.Path, "numbers");
        Directory.CreateDirectory(images);
        var good = WriteNumber(Path.Combine("numbers", "good.png"), seed: 7).Number;
        File.WriteAllText(Path.Combine(images, "broken.png"), "not a picture");
        var csv = folder.File("numbers.csv");

        var (exitCode, output) = CliRunner.Run("read", images, "--model", TestData.ShippedCnn, "--csv", csv);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("broken.png: not an image", output);
        Assert.Equal(["file,text,confidence", "broken.png,,"], File.ReadAllLines(csv)[..2]);
        Assert.StartsWith($"good.png,{good.Text},", File.ReadAllLines(csv)[2]);
    }

    public static TheoryData<string, string> BadImages => new()
    {
        { "not an image", "not an image" },
        { "empty", "the file is empty" },
        { "blank page", "no digits found" },
    };

    [Theory]
    [MemberData(nameof(BadImages))]
    public void Read_BadInput_FailsWithOneClearLine_AndOverwritesNothing(string kind, string expected)
    {
        var path = kind switch
        {
            "blank page" => WriteBlankPage("input.png"),
            _ => folder.File("input.png"),
        };
        if (kind == "not an image") File.WriteAllText(path, "a shopping list, not a picture");
        if (kind == "empty") File.WriteAllBytes(path, []);
        var picture = folder.File("shown.png");
        File.WriteAllText(picture, "an earlier picture");

        var (exitCode, output) = CliRunner.Run("read", path, "--model", TestData.ShippedCnn, "--show", picture);

        Assert.Equal(ExitCodes.Failure, exitCode);
        var error = output.Split('\n').Single(l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("input.png", error);
        Assert.Contains(expected, error);
        Assert.Equal("an earlier picture", File.ReadAllText(picture));
    }

    [Fact]
    public void Read_AMissingFile_SaysSo()
    {
        var (exitCode, output) = CliRunner.Run("read", folder.File("nowhere.png"), "--model", TestData.ShippedCnn);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("nowhere.png: no such file or folder", output);
    }

    /// <summary>A small dense model trained on 3,000 MNIST training images, 600 of them held out for validation.</summary>
    private string TrainSmallModel()
    {
        var options = new TrainingOptions { Model = "dense", Epochs = 1, Limit = 3000, ValidationFraction = 0.2, Seed = 5 };
        using var model = Trainer.Train(MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train), options);
        var path = folder.File("small.ckpt");
        Checkpoint.Save(model, path);
        return path;
    }

    [Fact]
    public void Calibrate_WritesTheRefusalRuleIntoTheCheckpoint()
    {
        var path = TrainSmallModel();
        using (var before = Checkpoint.Load(path)) Assert.Null(before.Metadata.Rejection);

        var (exitCode, output) = CliRunner.Run("calibrate", "--model", path, "--data", TestData.MnistFolder, "--refuse", "0.05");

        Assert.True(exitCode == ExitCodes.Success, output);
        using var after = Checkpoint.Load(path);
        var rule = after.Metadata.Rejection;
        Assert.NotNull(rule);
        Assert.Equal(0.05, rule.TargetRefusedShare);
        Assert.Equal(600, rule.Images);
        Assert.InRange(rule.RefusedShare, 0.03, 0.07);
        Assert.Contains("(chosen)", output);
        Assert.Contains(path, output);
    }

    [Theory]
    [InlineData("--refuse", "1.5", "--refuse must be a share in [0, 1) (got 1.5)")]
    [InlineData("--refuse", "-0.1", "--refuse must be a share in [0, 1) (got -0.1)")]
    [InlineData("--min-unseen-refused", "1.01", "--min-unseen-refused must be a share in [0, 1] (got 1.01)")]
    public void Calibrate_ABadShare_FailsAndLeavesTheCheckpointAlone(string option, string share, string expected)
    {
        var path = folder.File("model.ckpt");
        File.Copy(TestData.ShippedCnn, path);

        var (exitCode, output) = CliRunner.Run("calibrate", "--model", path, option, share);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains(expected, output);
        Assert.Equal(File.ReadAllBytes(TestData.ShippedCnn), File.ReadAllBytes(path));
    }

    [Fact]
    public void Calibrate_AModelThatHeldNothingOut_FailsAndLeavesTheCheckpointAlone()
    {
        var path = folder.File("model.ckpt");
        Checkpoint.Save(TestModels.Mnist, path);   // trained with no validation part
        var bytes = File.ReadAllBytes(path);

        var (exitCode, output) = CliRunner.Run("calibrate", "--model", path, "--data", TestData.MnistFolder);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("held out no validation images", output);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void BenchRead_LaysTheNumbersOutAsAsked_AndRefusesALayoutThatCannotHoldThem()
    {
        var (exitCode, output) = CliRunner.Run("bench-read", "--model", TestData.ShippedCnn, "--count", "4", "--digits", "3", "--frame", "20-24", "--size", "900x300");
        Assert.True(exitCode == ExitCodes.Success, output);
        Assert.Contains("(seed 1; frames 20–24 px, 900×300 images)", output);

        (exitCode, output) = CliRunner.Run("bench-read", "--model", TestData.ShippedCnn, "--count", "4", "--frame", "20:24");
        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("--frame expects two positive whole numbers as A-B (got '20:24')", output);

        (exitCode, output) = CliRunner.Run("bench-read", "--model", TestData.ShippedCnn, "--count", "4", "--digits", "6", "--size", "300x100");
        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("--size 300x100 cannot hold 6 digits of frames up to 110 px", output);
    }

    [Fact]
    public void BenchRead_PrintsTheShareReadExactly_TheShareUnsure_AndPerDigitAccuracy()
    {
        var (exitCode, output) = CliRunner.Run("bench-read", "--model", TestData.ShippedCnn, "--count", "12", "--digits", "3", "--seed", "2");

        Assert.True(exitCode == ExitCodes.Success, output);
        Assert.Contains("Read 12 3-digit numbers built from MNIST test digits (seed 2; frames 40–110 px)", output);
        double Share(string label)
        {
            var line = output.Split('\n').Single(l => l.TrimStart().StartsWith(label, StringComparison.Ordinal));
            var percent = line[(line.IndexOf(':') + 1)..].Trim().Split('%')[0];
            return double.Parse(percent, System.Globalization.CultureInfo.InvariantCulture) / 100;
        }
        var (exact, unsure, digits) = (Share("read exactly"), Share("with an unsure digit"), Share("digits read right"));
        Assert.InRange(exact, 0.5, 1);      // the shipped CNN reads most numbers of this size
        Assert.InRange(unsure, 0, 1 - exact);
        Assert.InRange(digits, exact, 1);   // a number read exactly has all its digits right
    }

    [Fact]
    public void BenchRead_FromValidation_UsesTheDigitsTheModelHeldOut_AndDrawsEachNumberNotReadExactly()
    {
        var failures = folder.File("failures");

        var (exitCode, output) = CliRunner.Run("bench-read", "--model", TestData.ShippedCnn, "--count", "30", "--digits", "4", "--seed", "3",
            "--from", "validation", "--failures", failures);

        Assert.True(exitCode == ExitCodes.Success, output);
        Assert.Contains("Read 30 4-digit numbers built from the training digits the model held out (seed 3; frames 40–110 px)", output);
        Assert.Contains("box merged with a neighbour's", output);
        var exact = int.Parse(output.Split('\n').Single(l => l.TrimStart().StartsWith("read exactly", StringComparison.Ordinal)).Split('(')[^1].TrimEnd(')', '\r', ' '));
        var drawn = Directory.GetFiles(failures, "*.png");
        Assert.Equal(30 - exact, drawn.Length);
        Assert.All(drawn, path => Assert.Matches(@"^\d{4}-\d{4}-read-[0-9x]*\.png$", Path.GetFileName(path)));
    }

    [Theory]
    [InlineData("--count", "0", "--count must be at least 1")]
    [InlineData("--digits", "13", "--digits must be 1 to 12")]
    public void BenchRead_BadOptions_FailWithOneLine(string option, string value, string expected)
    {
        var (exitCode, output) = CliRunner.Run("bench-read", "--model", TestData.ShippedCnn, option, value);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains(expected, output);
    }
}
