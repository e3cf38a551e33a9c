using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Evaluation;
using DigitRecognizer.Inference;
using DigitRecognizer.Reading;
using Xunit.Abstractions;

namespace DigitRecognizer.Tests.Reading;

/// <summary>
/// Numbers written on lined and squared paper, and underlined (<see cref="PaperKind"/>), built from MNIST training
/// digits (the rules of <see cref="PaperLines"/> were chosen on these and on held-out training digits), read with the
/// shipped best model, with the lines taken out and with them left in.
/// </summary>
[Trait("Category", "Model")]
public sealed class PaperLinesTests(ITestOutputHelper output)
{
    private static readonly DigitDataset Training = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train);

    [Theory]
    // Measured 2026-12-06 (seed 41, 60 numbers each): see the output for the figures of the day.
    [InlineData(PaperKind.Ruled, 0.95)]
    [InlineData(PaperKind.Squared, 0.95)]
    [InlineData(PaperKind.Underlined, 0.93)]
    [InlineData(PaperKind.Boxes, 0.95)]
    public void DigitsOnPaperWithLines_AreFound_AndMuchBetterThanWithTheLinesLeftIn(PaperKind paper, double leastBoxesFound)
    {
        var numbers = SyntheticNumbers.Generate(Training, count: 60, seed: 41, new SyntheticNumberOptions { Paper = paper }).ToList();
        using var classifier = Checkpoint.Load(TestData.ShippedBest);
        var reader = classifier.Metadata.NumberReader(classifier);
        var linesLeftIn = LinesLeftIn(reader, classifier);

        var score = NumberReadingScore.Measure(reader, numbers);
        var before = NumberReadingScore.Measure(linesLeftIn, numbers);

        var summary = $"{paper}: {score.BoxesFoundShare:P2} of {score.Digits} boxes found, {score.ExactShare:P1} read exactly " +
                      $"(lines left in: {before.BoxesFoundShare:P2}, {before.ExactShare:P1})";
        output.WriteLine(summary);
        Assert.True(score.BoxesFoundShare >= leastBoxesFound, summary);
        Assert.True(score.BoxesFoundShare >= before.BoxesFoundShare + 0.05, summary);
        Assert.True(score.Exact > before.Exact, summary);
    }

    // The same reader, rules and model, with the lines of the paper left in the ink.
    private static NumberReader LinesLeftIn(NumberReader reader, IDigitClassifier classifier) =>
        new(classifier, reader.Rejection, reader.Options with { RemovePaperLines = false });

    [Fact]
    public void OnPlainPaper_TakingLinesOutChangesNoReading()
    {
        var numbers = SyntheticNumbers.Generate(Training, count: 40, seed: 43).ToList();
        using var classifier = Checkpoint.Load(TestData.ShippedBest);
        var reader = classifier.Metadata.NumberReader(classifier);
        var linesLeftIn = LinesLeftIn(reader, classifier);

        foreach (var number in numbers)
        {
            var (with, without) = (reader.Read(number.Encoded), linesLeftIn.Read(number.Encoded));
            Assert.Equal(without.Text, with.Text);
            Assert.Equal(without.Digits.Select(d => d.Box), with.Digits.Select(d => d.Box));
            Assert.DoesNotContain(with.Marks, m => m.Kind == MarkKind.Line);
        }
    }

    [Fact]
    public void TheRulesTakenOut_AreListedAsLineMarksAcrossTheImage()
    {
        var number = SyntheticNumbers.Generate(Training, count: 1, seed: 44,
            new SyntheticNumberOptions { Paper = PaperKind.Ruled, MinDigits = 4, MaxDigits = 4, JpegShare = 0 }).Single();
        using var classifier = Checkpoint.Load(TestData.ShippedBest);

        var reading = classifier.Metadata.NumberReader(classifier).Read(number.Encoded);

        var lines = reading.Marks.Where(m => m.Kind == MarkKind.Line).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.True(line.Box.Width >= 0.5 * number.Width, $"{string.Join(", ", lines.Select(l => l.Box))} in a {number.Width}×{number.Height} image"));
        Assert.Equal(number.Text, reading.Text);
    }

    [Fact]
    public void ANotebooksMarginDownTheWholePage_IsALine_NotAOne()
    {
        // Numbers on lined paper with a dark upright margin 3 px wide drawn down the whole page, left of the digits.
        var numbers = SyntheticNumbers.Generate(Training, count: 10, seed: 45,
            new SyntheticNumberOptions { Paper = PaperKind.Ruled, MinDigits = 3, MaxDigits = 3, JpegShare = 0 }).ToList();
        using var classifier = Checkpoint.Load(TestData.ShippedBest);
        var reader = classifier.Metadata.NumberReader(classifier);

        foreach (var number in numbers)
        {
            var (page, width, height) = DigitRecognizer.Imaging.ImageDecoder.Decode(number.Encoded, reader.Options.Preprocessing);
            var margin = number.Boxes.Min(b => b.X) / 2;
            for (var y = 0; y < height; y++)
                for (var x = margin - 1; x <= margin + 1; x++) page[y * width + x] = 0.15f;

            var (withMargin, without) = (reader.Read(page, width, height), reader.Read(number.Encoded));

            Assert.Equal(without.Text, withMargin.Text);
            Assert.True(withMargin.Marks.Any(m => m.Kind == MarkKind.Line && m.Box.Height >= 0.9 * height && m.Box.Width <= 6),
                $"margin at x = {margin} in {width}×{height}: marks {string.Join(", ", withMargin.Marks)}");
        }
    }

    /// <summary>A white page with dark strokes: each a straight pen <paramref name="pen"/> px wide from one point to another.</summary>
    private static float[] Strokes(int width, int height, double pen, params (double X0, double Y0, double X1, double Y1)[] strokes)
    {
        var page = Enumerable.Repeat(0.95f, width * height).ToArray();
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                foreach (var (x0, y0, x1, y1) in strokes)
                {
                    var (dx, dy) = (x1 - x0, y1 - y0);
                    var t = Math.Clamp(((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy), 0, 1);
                    if (Math.Pow(x - x0 - t * dx, 2) + Math.Pow(y - y0 - t * dy, 2) <= pen * pen / 4) page[y * width + x] = 0.1f;
                }
        return page;
    }

    [Fact]
    public void AThinStraightOne_DownTheWholeHeightBetweenRules_IsADigit_NotALine()
    {
        // Two rules across a 300×220 page, and a 1 drawn as a ruler-straight stroke 4 px wide down 90% of the height.
        const int width = 300, height = 220;
        var page = Strokes(width, height, 2, (0, 60, width - 1, 62), (0, 160, width - 1, 162));
        var one = Strokes(width, height, 4, (150, 11, 150, 209));
        for (var i = 0; i < page.Length; i++) page[i] = Math.Min(page[i], one[i]);

        var reading = new NumberReader(TestModels.Mnist).Read(page, width, height);

        var digit = Assert.Single(reading.Digits);
        Assert.True(digit.Box.Height >= 190, $"{digit.Box}");
        Assert.Equal(2, reading.Marks.Count(m => m.Kind == MarkKind.Line));
    }

    [Fact]
    public void ASevenCroppedTight_KeepsItsStraightBar()
    {
        // A 7 whose ruler-straight bar runs across the whole of a 120×170 crop: one line across the image, but no
        // longer than the blot is tall, so it is the digit's own.
        const int width = 120, height = 170;
        var page = Strokes(width, height, 5, (3, 6, 116, 6), (116, 6, 45, 166));

        var reading = new NumberReader(TestModels.Mnist).Read(page, width, height);

        var digit = Assert.Single(reading.Digits);
        Assert.True(digit.Box.Width >= 110 && digit.Box.Y <= 5, $"{digit.Box}");
        Assert.DoesNotContain(reading.Marks, m => m.Kind == MarkKind.Line);
    }
}
