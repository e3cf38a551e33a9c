using DigitRecognizer.Data;
using DigitRecognizer.Evaluation;
using DigitRecognizer.Inference;
using DigitRecognizer.Visualization;

namespace DigitRecognizer.Tests.Visualization;

[Trait("Category", "Fast")]
public class DigitPicturesTests
{
    [Fact]
    public void SampleTiles_NumberFromOne_AndShowLabelsOnlyWhenAskedAndKnown()
    {
        var labelled = TestData.Synthetic(12);
        var unlabelled = TestData.Synthetic(12, labelled: false);

        Assert.Equal(["#1: 0", "#2: 1", "#3: 2"], DigitPictures.SampleTiles(labelled, 3, labels: true).Select(t => t.Caption));
        Assert.Equal(["#1", "#2"], DigitPictures.SampleTiles(labelled, 2, labels: false).Select(t => t.Caption));
        Assert.Equal(["#1", "#2"], DigitPictures.SampleTiles(unlabelled, 2, labels: true).Select(t => t.Caption));
        Assert.Equal(12, DigitPictures.SampleTiles(labelled, 100, labels: true).Count);
        Assert.Equal(labelled.Image(11).ToArray(), DigitPictures.SampleTiles(labelled, 12, labels: true)[11].Pixels.ToArray());
    }

    [Fact]
    public void PredictionTiles_MarkRightAndWrongAnswers_WithTheTrueDigit()
    {
        var data = TestData.Synthetic(3);               // labels 0, 1, 2
        var predictions = Predictions((0, 0.9f), (1, 0.6f), (7, 0.75f));

        var tiles = DigitPictures.PredictionTiles(data, predictions, 3);

        Assert.Equal(["#1 → 0\n90.0%", "#2 → 1\n60.0%", "#3 → 7\n75.0%\ntrue 2"], tiles.Select(t => t.Caption));
        Assert.Equal([TileTone.Right, TileTone.Right, TileTone.Wrong], tiles.Select(t => t.Tone));
        var unlabelled = DigitPictures.PredictionTiles(TestData.Synthetic(3, labelled: false), predictions, 3);
        Assert.All(unlabelled, t => Assert.Equal(TileTone.Plain, t.Tone));
        Assert.Equal("#3 → 7\n75.0%", unlabelled[2].Caption);
    }

    [Fact]
    public void Mistakes_AreTheWrongAnswers_MostConfidentFirst()
    {
        var data = TestData.Synthetic(5);               // labels 0 … 4
        var predictions = Predictions((0, 0.99f), (7, 0.55f), (2, 0.8f), (8, 0.95f), (9, 0.55f));
        var result = new EvaluationResult("dense", "synthetic", predictions, data.Labels!);

        var mistakes = result.Mistakes();

        Assert.Equal([new Mistake(3, 3, 8, 0.95f), new Mistake(1, 1, 7, 0.55f), new Mistake(4, 4, 9, 0.55f)], mistakes);
        Assert.Single(result.Mistakes(1));
        Assert.Equal(["true 3 → 8\n95.0% · #4", "true 1 → 7\n55.0% · #2", "true 4 → 9\n55.0% · #5"],
            DigitPictures.MistakeTiles(data, mistakes).Select(t => t.Caption));
    }

    [Fact]
    public void Tiles_WithCountZero_AreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => DigitPictures.SampleTiles(TestData.Synthetic(3), 0, labels: false));
        Assert.Contains("at least 1", error.Message);
    }

    /// <summary>A prediction set whose answer for image i is the given digit with the given probability (the rest spread evenly).</summary>
    internal static PredictionSet Predictions(params (int Digit, float Probability)[] answers)
    {
        var probabilities = new float[answers.Length * DigitImage.ClassCount];
        for (var i = 0; i < answers.Length; i++)
        {
            var (digit, probability) = answers[i];
            for (var d = 0; d < DigitImage.ClassCount; d++)
                probabilities[i * DigitImage.ClassCount + d] = d == digit ? probability : (1 - probability) / (DigitImage.ClassCount - 1);
        }
        return new PredictionSet(probabilities);
    }
}
