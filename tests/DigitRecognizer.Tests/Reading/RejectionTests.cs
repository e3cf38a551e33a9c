using System.Text.Json;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Export;
using DigitRecognizer.Imaging;
using DigitRecognizer.Inference;
using DigitRecognizer.IO;
using DigitRecognizer.Onnx;
using SkiaSharp;
using Xunit.Abstractions;

namespace DigitRecognizer.Tests.Reading;

/// <summary>
/// The refusal rule: chosen on validation images (MNIST training images), measured on MNIST test digits (refused
/// share) and on non-digits the test draws itself: letters and symbols that look like no digit, in the DejaVu fonts
/// (fonts-dejavu-core, which .ci/run installs), and random scribbles.
/// </summary>
public sealed class RejectionTests(ITestOutputHelper output)
{
    // Letters and symbols unlike any digit: no O o D I l i S s Z z B b g q G (0, 1, 5, 2, 8, 9, 6 look-alikes), no T t J j
    // y (7, 1, 4 look-alikes), no A (4) or U u (0, 4).
    private const string NotDigits = "ACEFHKLMNPRVWXYacefhkmnprvwx#%&@*+=?!{}";
    private static readonly string[] Fonts = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf"];

    [Fact]
    public void Calibrator_RefusesTheTargetShareOfValidation_AndIsChosenByWhatItLetsThrough()
    {
        var validation = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train).Select(Enumerable.Range(50_000, 10_000).ToArray());

        var choice = RejectionCalibrator.Choose(TestModels.Mnist, validation, "MNIST training images 50,000–59,999");
        var digitsOnly = RejectionCalibrator.Choose(TestModels.Mnist, validation, "MNIST training images 50,000–59,999",
            new RejectionOptions { NonDigitsPerDigit = 0 });

        Assert.Equal(2, choice.Candidates.Count);
        foreach (var candidate in choice.Candidates)
        {
            Assert.InRange(candidate.Rule.RefusedShare, 0.0065, 0.0075);
            Assert.InRange(candidate.NonDigitsRefusedShare!.Value, 0, 1);
            // Wrong digits accepted, plus the non-digits drawn (half as many as the validation digits) not refused.
            var accepted = (int)Math.Round(validation.Count * (1 - candidate.Rule.RefusedShare));
            var nonDigits = (int)Math.Round(validation.Count * new RejectionOptions().NonDigitsPerDigit);
            var expected = (int)Math.Round(candidate.Rule.ErrorShareOfAccepted * accepted) + (int)Math.Round(nonDigits * (1 - candidate.NonDigitsRefusedShare.Value));
            Assert.Equal(expected, candidate.LetThrough);
        }
        Assert.Equal(choice.Candidates.Min(c => c.LetThrough), choice.Candidates.Single(c => c.Rule == choice.Chosen).LetThrough);
        // The same thresholds on the digits alone; then the fewest errors left among them decide.
        Assert.Equal(choice.Candidates.Select(c => c.Rule), digitsOnly.Candidates.Select(c => c.Rule));
        Assert.All(digitsOnly.Candidates, c => Assert.Null(c.NonDigitsRefusedShare));
        Assert.Equal(digitsOnly.Candidates.Min(c => c.Rule.ErrorShareOfAccepted), digitsOnly.Chosen.ErrorShareOfAccepted);
        var round = JsonSerializer.Deserialize<Rejection>(JsonSerializer.Serialize(choice.Chosen, JsonFormat.Options), JsonFormat.Options);
        Assert.Equal(choice.Chosen, round);
    }

    [Theory]
    [InlineData(0.40, 5, 0.005)]     // 5 of the 7 digits the target allows are the fewest that still refuse 40 of the 100
    [InlineData(0.56, 7, 0.007)]     // all 7 are needed for 56%
    [InlineData(0.60, 7, 0.0075)]    // even 7 refuse only 56%: the target share stays as it was asked
    public void Calibrator_LowersTheShare_ToTheFewestDigitsRefused_ThatStillRefuseTheFloorOfUnseenNonDigits(double floor, int expectedRefused,
        double expectedTarget)
    {
        // 1,000 digits read right with max-probabilities 0.2000, 0.2008, 0.2016, …: refusing k of them puts the threshold at
        // 0.2 + 0.0008·k. 100 unseen non-digits score 0.20005, 0.20015, …, so that threshold refuses 8·k of them (at most 100).
        // The target of 0.75% allows 7 digits, which refuse 56 non-digits.
        var digits = Rows(Enumerable.Range(0, 1000).Select(i => 0.2f + 0.0008f * i));
        var unseen = Rows(Enumerable.Range(0, 100).Select(j => 0.20005f + 0.0001f * j));
        var options = new RejectionOptions { Methods = [RejectionMethod.MaxProbability], MinUnseenRefusedShare = floor };

        var chosen = RejectionCalibrator.Choose(digits, new int[1000], "rows", options, unseenNonDigits: unseen).Chosen;
        var unlowered = RejectionCalibrator.Choose(digits, new int[1000], "rows", options with { MinUnseenRefusedShare = null }, unseenNonDigits: unseen).Chosen;

        Assert.Equal(expectedRefused / 1000.0, chosen.RefusedShare, 9);
        Assert.Equal(Math.Min(8 * expectedRefused, 100) / 100.0, chosen.UnseenNonDigitsRefusedShare!.Value, 9);
        Assert.Equal(7 / 1000.0, unlowered.RefusedShare, 9);
        Assert.Equal(0.56, unlowered.UnseenNonDigitsRefusedShare!.Value, 9);
        // Recorded as the share aimed at, so that an int8 export of the model refuses as many.
        Assert.Equal(expectedTarget, chosen.TargetRefusedShare, 9);
        var again = RejectionCalibrator.Choose(digits, new int[1000], "rows",
            new RejectionOptions { Methods = [RejectionMethod.MaxProbability], TargetRefusedShare = chosen.TargetRefusedShare, MinUnseenRefusedShare = null }).Chosen;
        Assert.Equal(chosen.Threshold, again.Threshold);
        Assert.Null(again.UnseenNonDigitsRefusedShare);
    }

    [Fact]
    public void UnseenNonDigits_AreTheSameForTheSameSeed_AndNoneIsAGlyphTrainingDraws()
    {
        var first = UnseenNonDigits.Generate(400, seed: 3, out var kinds);
        var again = UnseenNonDigits.Generate(400, seed: 3);
        var other = UnseenNonDigits.Generate(400, seed: 4);

        Assert.Equal(400, first.Count);
        Assert.False(first.IsLabelled);
        Assert.Equal(first.Pixels, again.Pixels);
        Assert.NotEqual(first.Pixels, other.Pixels);
        Assert.All(Enumerable.Range(0, first.Count), i => Assert.Equal(1f, first.Image(i).ToArray().Max()));   // prepared: strongest ink 1
        Assert.Empty(UnseenNonDigits.GlyphNames.Intersect(SyntheticNonDigits.GlyphNames));
        Assert.Equal(new[] { "dots", "harmonic", "loops" }, kinds.Where(k => !UnseenNonDigits.GlyphNames.Contains(k)).Distinct().Order());
        Assert.InRange(kinds.Count(k => k == "harmonic") / 400.0, 0.22, 0.38);   // 30% drawn
    }

    private static PredictionSet Rows(IEnumerable<float> maxProbabilities)
    {
        var rows = new List<float>();
        foreach (var best in maxProbabilities)
        {
            rows.Add(best);
            rows.AddRange(Enumerable.Repeat((1 - best) / 9, 9));
        }
        return new PredictionSet(rows.ToArray());
    }

    [Fact]
    public void TheRule_RefusesFewTestDigits_AndSomeNonDigits()
    {
        // TestModels.Mnist trained on all 60,000 training images, so its "validation" images are seen ones: its confidence
        // there runs high and the threshold low. Measured: 1.06% of test digits refused, 12.8% of letters, 18.5% of scribbles —
        // far from the 90% aimed at: a dense network's softmax is sure of most non-digits. The floors asserted are what is
        // reached (a broken rule refuses none); training shown non-digits (the tests below) is the way to the aim.
        var rule = RejectionCalibrator.Choose(TestModels.Mnist, TrainingTail(), "MNIST training images 50,000–59,999").Chosen;

        var figures = Measure(TestModels.Mnist, rule);

        Assert.True(figures.TestRefused <= 0.0125, $"{figures.TestRefused:P2} of MNIST test digits refused");
        Assert.True(figures.Letters >= 0.08, $"only {figures.Letters:P1} of letters refused");
        Assert.True(figures.Scribbles >= 0.08, $"only {figures.Scribbles:P1} of scribbles refused");
    }

    [Fact]
    public void TheRule_OfAModelShownNonDigits_RefusesMostLettersAndScribbles()
    {
        var model = TestModels.MnistShownNonDigits;
        var rule = RejectionCalibrator.Choose(model, TrainingTail(), "MNIST training images 50,000–59,999 (unseen by this model)").Chosen;

        var figures = Measure(model, rule);

        Assert.True(figures.TestRefused <= 0.0125, $"{figures.TestRefused:P2} of MNIST test digits refused");
        Assert.True(figures.Letters >= 0.5, $"only {figures.Letters:P1} of letters refused");
        Assert.True(figures.Scribbles >= 0.5, $"only {figures.Scribbles:P1} of scribbles refused");
    }

    [Theory]
    [Trait("Category", "Model")]
    [InlineData("best.ckpt")]
    [InlineData("best-int8.onnx")]
    public void TheShippedBestModel_RefusesFewTestDigits_AndMostNonDigits(string file)
    {
        // models/best.ckpt is trained shown synthetic non-digits (--non-digit-weight 0.5) and calibrated on its own
        // validation part, and so is its int8 export's own rule; each stored rule is measured here on what neither
        // the training nor the threshold saw.
        var path = Path.Combine(TestData.ModelsFolder, file);
        using var model = file.EndsWith(".onnx") ? (IDisposable)OnnxDigitClassifier.Load(path) : Checkpoint.Load(path);
        var (classifier, rule) = model switch
        {
            OnnxDigitClassifier onnx => ((IDigitClassifier)onnx, OnnxExporter.ReadCheckpointMetadata(onnx.Metadata)!.Rejection!),
            DigitClassifier checkpoint => (checkpoint, checkpoint.Metadata.Rejection!),
            _ => throw new InvalidOperationException(),
        };

        var figures = Measure(classifier, rule);

        Assert.True(figures.TestRefused <= 0.01, $"{figures.TestRefused:P2} of MNIST test digits refused");   // issue 15: at most 1%
        Assert.True(figures.Letters >= 0.9, $"only {figures.Letters:P1} of letters refused");
        Assert.True(figures.Scribbles >= 0.9, $"only {figures.Scribbles:P1} of scribbles refused");
    }

    private sealed record RefusalFigures(double TestRefused, double Letters, double Scribbles);

    private static DigitDataset TrainingTail() =>
        MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train).Select(Enumerable.Range(50_000, 10_000).ToArray());

    /// <summary>The shares <paramref name="rule"/> refuses of the MNIST test digits, the letters and the scribbles; printed, with the letters read as digits.</summary>
    private RefusalFigures Measure(IDigitClassifier model, Rejection rule)
    {
        var test = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test);
        var testPredictions = model.Predict(test);
        var testRefused = Enumerable.Range(0, test.Count).Count(i => rule.Refuses(testPredictions.Row(i))) / (double)test.Count;

        var (nonDigits, kinds) = DrawNonDigits();
        var predictions = model.Predict(nonDigits);
        var refused = Enumerable.Range(0, nonDigits.Count).Where(i => rule.Refuses(predictions.Row(i))).ToHashSet();
        double Share(string kind)
        {
            var set = kinds.Select((k, i) => (k, i)).Where(x => x.k == kind).Select(x => x.i).ToList();
            return set.Count(refused.Contains) / (double)set.Count;
        }
        var readAsDigits = kinds.Select((k, i) => (k, i)).Where(x => x.k == "glyph" && !refused.Contains(x.i))
            .Select(x => $"{Glyphs[x.i]}→{predictions.Labels[x.i]}");

        output.WriteLine($"rule: {rule.Describe()}");
        output.WriteLine($"MNIST test digits refused: {testRefused:P2}; letters/symbols refused: {Share("glyph"):P1}; scribbles refused: {Share("scribble"):P1}");
        output.WriteLine($"letters read as digits: {string.Join(" ", readAsDigits)}");
        return new RefusalFigures(testRefused, Share("glyph"), Share("scribble"));
    }

    // Which glyph each non-digit image is, in DrawNonDigits' order (fonts outer, glyphs inner), for messages.
    private static readonly string[] Glyphs = Fonts.SelectMany(_ => NotDigits.Select(c => c.ToString())).ToArray();

    /// <summary>Every glyph in every font, dark on white, and 200 seeded scribbles, each through the single-digit preprocessing.</summary>
    private static (DigitDataset Images, List<string> Kinds) DrawNonDigits()
    {
        var preprocessor = new MnistPreprocessor();
        var pixels = new List<float>();
        var kinds = new List<string>();
        void Add(SKBitmap bitmap, string kind)
        {
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            var digit = preprocessor.FromEncoded(data.ToArray());
            if (digit.IsEmpty) return;
            pixels.AddRange(digit.Pixels);
            kinds.Add(kind);
        }
        foreach (var font in Fonts)
        {
            using var typeface = SKTypeface.FromFile(Path.Combine("/usr/share/fonts/truetype/dejavu", font));
            Assert.NotNull(typeface);
            using var skFont = new SKFont(typeface, 90);
            foreach (var glyph in NotDigits)
            {
                using var bitmap = new SKBitmap(128, 128);
                using var canvas = new SKCanvas(bitmap);
                canvas.Clear(SKColors.White);
                using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
                canvas.DrawText(glyph.ToString(), 20, 100, skFont, paint);
                Add(bitmap, "glyph");
            }
        }
        var random = new Random(3);
        for (var n = 0; n < 200; n++)
        {
            using var bitmap = new SKBitmap(128, 128);
            using var canvas = new SKCanvas(bitmap);
            canvas.Clear(SKColors.White);
            using var pen = new SKPaint { Color = SKColors.Black, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 6 + random.Next(6), StrokeCap = SKStrokeCap.Round };
            using var path = new SKPath();
            path.MoveTo(random.Next(10, 118), random.Next(10, 118));
            for (var s = 0; s < 4 + random.Next(6); s++)
                path.QuadTo(random.Next(0, 128), random.Next(0, 128), random.Next(10, 118), random.Next(10, 118));
            canvas.DrawPath(path, pen);
            Add(bitmap, "scribble");
        }
        return (new DigitDataset([.. pixels], null, "non-digits"), kinds);
    }
}
