using DigitRecognizer.Checkpoints;
using DigitRecognizer.Cli;
using DigitRecognizer.Data;
using DigitRecognizer.Tests.Imaging;
using SkiaSharp;

namespace DigitRecognizer.Tests.Cli;

/// <summary><c>digits predict</c> on image files and the parts of <c>digits serve</c> that need no running server.</summary>
[Trait("Category", "Cli")]
public sealed class ServeAndImageCliTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Predict_OnAFolderOfImages_PrintsEachDigitWithItsProbabilities()
    {
        var model = folder.File("model.ckpt");
        Checkpoint.Save(TestModels.Mnist, model);
        var digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test).Take(3);   // 7, 2, 1
        var images = Path.Combine(folder.Path, "photos");
        Directory.CreateDirectory(images);
        foreach (var rendering in PaperDigits.Render(digits, seed: 3))
            File.WriteAllBytes(Path.Combine(images, $"digit-{rendering.Index}.png"), rendering.Encoded);
        using (var blank = new SKBitmap(64, 64))
        {
            blank.Erase(SKColors.White);
            File.WriteAllBytes(Path.Combine(images, "blank.png"), blank.Encode(SKEncodedImageFormat.Png, 100).ToArray());
        }

        var (exitCode, output) = CliRunner.Run("predict", "--model", model, "--input", images);

        Assert.True(exitCode == ExitCodes.Success, output);
        var lines = output.Split('\n');
        for (var i = 0; i < 3; i++)
        {
            var line = lines.Single(l => l.Contains($"digit-{i}.png"));
            var cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(digits.Labels![i].ToString(), cells[1]);
            Assert.Equal(13, cells.Length); // name, digit, probability, ten probabilities
        }
        Assert.Contains("empty: no ink", lines.Single(l => l.Contains("blank.png")));
        Assert.Contains("3 of 4 images read", output);
    }

    [Fact]
    public void Predict_OnAFileThatIsNotAnImage_FailsWithOneLine()
    {
        var model = folder.File("model.ckpt");
        Checkpoint.Save(TestModels.Mnist, model);
        var fake = folder.File("fake.png");
        File.WriteAllText(fake, "not a picture");

        var (exitCode, output) = CliRunner.Run("predict", "--model", model, "--input", fake);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("fake.png: not an image", output);
    }

    [Theory]
    [InlineData("serve", "--urls", "[default: http://127.0.0.1:5000]")]
    [InlineData("bench-serve", "--clients", "[default: 1|8|32]")]
    public void Help_ShowsTheServerVerbsDefaults(string verb, string option, string expected)
    {
        var (exitCode, output) = CliRunner.Run(verb, "--help");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains(option, output);
        Assert.Contains(expected, output);
    }
}
