using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Evaluation;
using DigitRecognizer.Reading;
using Xunit.Abstractions;

namespace DigitRecognizer.Tests.Reading;

/// <summary>
/// Finding the digits of numbers built from MNIST digits pasted on paper (<see cref="SyntheticNumbers"/>: 2 to 6
/// digits, touching or 1–3 px into each other in a quarter of the gaps, PNG and JPEG). The reading rules were tuned on
/// numbers made of MNIST training digits; this measures them on numbers made of test digits, which tuned nothing,
/// read with the shipped best model, as <c>digits read</c> reads them on a fresh clone (the boxes depend on the classifier
/// where touching digits are cut: on numbers made of training digits, seeds 1 and 2, it boxed 99.6% and 99.1% of the
/// digits, the shipped CNN 98.7% and 98.4%).
/// </summary>
[Trait("Category", "Model")]
public sealed class NumberSegmentationTests(ITestOutputHelper output)
{
    [Fact]
    public void BoxesFound_MatchThePastedDigitsInk_ForAtLeastNinetyNinePercentOfDigits()
    {
        var numbers = SyntheticNumbers.Generate(MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test), count: 250, seed: 31).ToList();
        using var classifier = Checkpoint.Load(TestData.ShippedBest);

        var score = NumberReadingScore.Measure(classifier.Metadata.NumberReader(classifier), numbers);

        foreach (var failure in score.Failures.Where(f => f.Faults.Any(x => x.Fault is not (DigitFault.Misread or DigitFault.Unsure))).Take(30))
            output.WriteLine(Describe(failure));
        var summary = $"{score.BoxesFound}/{score.Digits} digits ({score.BoxesFoundShare:P2}) found with IoU ≥ 0.5; {score.RightDigitCount}/{score.Numbers} " +
                      $"numbers ({score.RightDigitCountShare:P1}) with as many digits found as pasted " +
                      $"({numbers.Sum(n => n.Touching.Count(t => t))} touching pairs); " + string.Join(", ", score.FaultCounts.Select(f => $"{f.Key} {f.Value}"));
        output.WriteLine(summary);
        // Issue 15 asks for a box with IoU ≥ 0.5 for 99% of the digits pasted: 99.23% here (1,036 of 1,044, 2026-12-07)
        // with the best model shown touching pairs as non-digits and reader views (99.14% without the views, 98.56%
        // without either).
        Assert.True(score.BoxesFoundShare >= 0.99, summary);
        Assert.True(score.RightDigitCountShare >= 0.9, summary);   // and few numbers with a digit too many or too few
    }

    private static string Describe(NumberReadingFailure failure)
    {
        var (number, reading) = (failure.Number, failure.Reading);
        static string Short(PixelBox b) => $"({b.X},{b.Y} {b.Width}×{b.Height})";
        return $"#{failure.Index} '{number.Text}' read '{reading.Text}' {number.Width}×{number.Height} {(number.Jpeg ? "JPEG" : "PNG")} " +
               $"touching [{string.Join(",", number.Touching.Select(t => t ? 1 : 0))}]: {string.Join(", ", failure.Faults.Select(f => $"digit {f.Digit + 1} {f.Fault}"))}; " +
               $"truth {string.Join(" ", number.Boxes.Select(Short))} found {string.Join(" ", reading.Digits.Select(d => Short(d.Box)))} " +
               $"marks {string.Join(" ", reading.Marks.Select(m => $"{m.Kind}{Short(m.Box)}"))}";
    }
}
