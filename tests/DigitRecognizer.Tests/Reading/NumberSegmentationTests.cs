using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
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
    public void BoxesFound_MatchThePastedDigitsInk_ForAtLeastNinetyEightPercentOfDigits()
    {
        var numbers = SyntheticNumbers.Generate(MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test), count: 250, seed: 31).ToList();
        using var classifier = Checkpoint.Load(TestData.ShippedBest);

        var report = SegmentationReport.Measure(classifier.Metadata.NumberReader(classifier), numbers);

        foreach (var line in report.Failures.Take(30)) output.WriteLine(line);
        output.WriteLine(report.Summary);
        // Issue 15 aims at a box with IoU ≥ 0.5 for 99% of the digits pasted; the rules reach 98.6% here (2026-12-02),
        // so this holds the line below that while the aim is open, and fails if a change loses ground.
        Assert.True(report.MatchedShare >= 0.98, report.Summary);
        Assert.True(report.RightCountShare >= 0.9, report.Summary);   // and few numbers with a digit too many or too few
    }
}

/// <summary>How well the boxes found match the truth over a set of synthetic numbers.</summary>
internal sealed record SegmentationReport(int Digits, int Matched, int Numbers, int RightCount, int TouchingPairs, IReadOnlyList<string> Failures)
{
    public double MatchedShare => (double)Matched / Digits;

    public double RightCountShare => (double)RightCount / Numbers;

    public string Summary =>
        $"{Matched}/{Digits} digits ({MatchedShare:P2}) found with IoU ≥ 0.5; {RightCount}/{Numbers} numbers ({RightCountShare:P1}) " +
        $"with as many digits found as pasted ({TouchingPairs} touching pairs)";

    public static SegmentationReport Measure(NumberReader reader, IReadOnlyList<SyntheticNumber> numbers)
    {
        int digits = 0, matched = 0, rightCount = 0, touching = 0;
        var failures = new List<string>();
        for (var n = 0; n < numbers.Count; n++)
        {
            var number = numbers[n];
            var reading = reader.Read(number.Encoded);
            digits += number.Boxes.Count;
            touching += number.Touching.Count(t => t);
            if (reading.Digits.Count == number.Boxes.Count) rightCount++;
            var found = reading.Digits.Select(d => d.Box).ToList();
            var missed = number.Boxes.Where(truth => !found.Any(box => box.IntersectionOverUnion(truth) >= 0.5)).ToList();
            matched += number.Boxes.Count - missed.Count;
            if (missed.Count > 0 || reading.Digits.Count != number.Boxes.Count)
                failures.Add($"#{n} '{number.Text}' read '{reading.Text}' {number.Width}×{number.Height} {(number.Jpeg ? "JPEG" : "PNG")} " +
                             $"touching [{string.Join(",", number.Touching.Select(t => t ? 1 : 0))}]: truth {string.Join(" ", number.Boxes.Select(Short))} " +
                             $"found {string.Join(" ", found.Select(Short))} marks {string.Join(" ", reading.Marks.Select(m => $"{m.Kind}{Short(m.Box)}"))}");
        }
        static string Short(PixelBox b) => $"({b.X},{b.Y} {b.Width}×{b.Height})";
        return new SegmentationReport(digits, matched, numbers.Count, rightCount, touching, failures);
    }
}
