using DigitRecognizer.Data;
using DigitRecognizer.Evaluation;
using DigitRecognizer.Reading;
using DigitRecognizer.Tests.Training;

namespace DigitRecognizer.Tests.Evaluation;

/// <summary>What <see cref="NumberReadingScore"/> calls each way a pasted digit can go wrong, and its counts over a real reading.</summary>
public sealed class NumberReadingScoreTests
{
    // "16": two digits whose ink boxes run 2 px into each other.
    private static readonly SyntheticNumber Sixteen = new([], Jpeg: false, 100, 60, "16",
        [new PixelBox(10, 10, 12, 40), new PixelBox(20, 10, 30, 40)], [0, 1], [true]);

    private static NumberReading Read(params ReadDigit[] digits) => new() { Digits = digits, Marks = [], Width = 100, Height = 60 };

    private static ReadDigit Digit(int label, PixelBox box, bool unsure = false)
    {
        var probabilities = new float[10];
        probabilities[label] = 1;
        return new ReadDigit(label, probabilities, 1, box, unsure, new float[DigitImage.PixelCount]);
    }

    [Fact]
    public void EachDigit_IsRightMisreadOrUnsure_WhenItsBoxIsFound()
    {
        var reading = Read(Digit(7, new PixelBox(10, 11, 12, 39)), Digit(6, new PixelBox(21, 10, 29, 40), unsure: true));

        Assert.Equal(DigitFault.Misread, NumberReadingScore.FaultOf(Sixteen, 0, reading));
        Assert.Equal(DigitFault.Unsure, NumberReadingScore.FaultOf(Sixteen, 1, reading));
        Assert.Null(NumberReadingScore.FaultOf(Sixteen, 1, Read(Digit(6, new PixelBox(21, 10, 29, 40)))));
    }

    [Fact]
    public void OneBoxOverBothDigits_IsAMerge_TwoBoxesInsideOne_IsACut()
    {
        var merged = Read(Digit(4, new PixelBox(10, 10, 40, 40)));
        Assert.Equal(DigitFault.MergedWithNeighbour, NumberReadingScore.FaultOf(Sixteen, 0, merged));
        // The wide 6 still has a box matching its own (IoU 0.75): it was found, and read as what the pair looked like.
        Assert.Equal(DigitFault.Misread, NumberReadingScore.FaultOf(Sixteen, 1, merged));

        var cut = Read(Digit(1, new PixelBox(10, 10, 12, 40)), Digit(0, new PixelBox(20, 10, 14, 40)), Digit(0, new PixelBox(36, 10, 14, 40)));
        Assert.Null(NumberReadingScore.FaultOf(Sixteen, 0, cut));
        Assert.Equal(DigitFault.CutInTwo, NumberReadingScore.FaultOf(Sixteen, 1, cut));

        Assert.Equal(DigitFault.NotFound, NumberReadingScore.FaultOf(Sixteen, 0, Read(Digit(6, new PixelBox(21, 10, 29, 40)))));
    }

    [Fact]
    public void Measure_CountsEveryDigitOnce_AndListsTheNumbersNotReadExactly()
    {
        var numbers = SyntheticNumbers.Generate(MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train), count: 20, seed: 3).ToList();
        var reported = new List<int>();

        var score = NumberReadingScore.Measure(new NumberReader(TestModels.Mnist), numbers, new ListProgress<int>(reported));

        Assert.Equal(20, score.Numbers);
        Assert.Equal(Enumerable.Range(1, 20), reported);
        Assert.Equal(numbers.Sum(n => n.Text.Length), score.Digits);
        Assert.Equal(score.Digits, score.DigitsRight + score.FaultCounts.Values.Sum());
        Assert.Equal(score.DigitsRight + score.FaultCounts[DigitFault.Misread] + score.FaultCounts[DigitFault.Unsure], score.BoxesFound);
        Assert.Equal(20 - score.Exact, score.Failures.Count);
        Assert.All(score.Failures, f => Assert.NotEqual(f.Number.Text, f.Reading.Text));
        Assert.True(score.Exact > 0, "a trained model reads some numbers of training digits exactly");
    }
}
