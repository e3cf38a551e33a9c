using DigitRecognizer.Data;
using DigitRecognizer.Reading;
using Xunit.Abstractions;

namespace DigitRecognizer.Tests.Reading;

public sealed class TuningReport(ITestOutputHelper output)
{
    [Fact]
    public void Aspects()
    {
        var digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train);
        var numbers = SyntheticNumbers.Generate(digits, count: 400, seed: 2).ToList();
        var single = new List<(double, char)>();
        var pairs = new List<double>();
        foreach (var n in numbers)
        {
            for (var i = 0; i < n.Boxes.Count; i++) single.Add(((double)n.Boxes[i].Width / n.Boxes[i].Height, n.Text[i]));
            for (var i = 0; i < n.Touching.Count; i++)
                if (n.Touching[i]) { var u = n.Boxes[i].Union(n.Boxes[i + 1]); pairs.Add((double)u.Width / u.Height); }
        }
        var s = single.Select(x => x.Item1).Order().ToList();
        var p = pairs.Order().ToList();
        string Q(List<double> l) => string.Join(" ", new[] { 0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0 }.Select(q => $"{q}:{l[(int)(q * (l.Count - 1))]:F2}"));
        output.WriteLine("single " + Q(s));
        output.WriteLine("pairs " + Q(p));
        output.WriteLine("single > 0.9: " + string.Join("", single.Where(x => x.Item1 > 0.9).Select(x => x.Item2)));
    }

    [Fact]
    public void Tune()
    {
        var digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train);
        var numbers = SyntheticNumbers.Generate(digits, count: 100, seed: 1).ToList();
        var grid = Environment.GetEnvironmentVariable("TUNE_GRID")!.Split(';');
        foreach (var point in grid)
        {
            var v = point.Split(',').Select(double.Parse).ToArray();
            var options = new ReadingOptions { SplitAspect = v[0], SplitHandicap = v[1], ForceSplitAspect = v[2] };
            var reader = new NumberReader(TestModels.Mnist, null, options);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var report = SegmentationReport.Measure(reader, numbers);
            if (grid.Length == 1) foreach (var line in report.Failures.Take(60)) output.WriteLine(line);
            output.WriteLine(point + ": " + report.Summary + $" in {clock.Elapsed.TotalSeconds:F1} s");
        }
    }
}
