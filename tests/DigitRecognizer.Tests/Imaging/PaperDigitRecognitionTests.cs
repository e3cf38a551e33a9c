using DigitRecognizer.Data;
using DigitRecognizer.Imaging;
using Xunit.Abstractions;

namespace DigitRecognizer.Tests.Imaging;

/// <summary>
/// The preprocessor end to end with a trained model: MNIST digits rendered as photos of paper, preprocessed,
/// and predicted, against the model's answers for the original 28×28 images.
/// </summary>
[Trait("Category", "Model")]
public sealed class PaperDigitRecognitionTests(ITestOutputHelper output)
{
    /// <summary>
    /// The model's probability for its answer at which the original counts as one it is sure of. Disagreements on
    /// the others move with the model's own borderline: TestModels.Mnist is trained with one libtorch thread per core,
    /// and a different thread count or CPU (summation order in the kernels) trains a slightly different network.
    /// </summary>
    private const float SureProbability = 0.9f;

    private readonly MnistPreprocessor preprocessor = new();

    [Fact]
    public void DigitsOnPaper_ArePredictedAsTheOriginal28x28Digits_WhereTheModelIsSureOfThem()
    {
        var digits = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test).Take(400);
        var classifier = TestModels.Mnist;
        var original = classifier.Predict(digits);

        var renderings = PaperDigits.Render(digits, seed: 11).ToList();
        var prepared = new float[digits.Count * DigitImage.PixelCount];
        foreach (var rendering in renderings)
        {
            var digit = preprocessor.FromEncoded(rendering.Encoded);
            Assert.False(digit.IsEmpty, rendering.Description);
            Assert.Equal(InkPolarity.DarkOnLight, digit.Polarity);
            digit.Pixels.CopyTo(prepared, rendering.Index * DigitImage.PixelCount);
        }
        var recovered = classifier.Predict(new DigitDataset(prepared, null, "paper"));

        var disagreements = renderings.Where(r => recovered.Labels[r.Index] != original.Labels[r.Index]).ToList();
        foreach (var r in disagreements)
            output.WriteLine($"{r.Description}: original {original.Labels[r.Index]} ({original.Confidence(r.Index):P1}), from paper {recovered.Labels[r.Index]} ({recovered.Confidence(r.Index):P1}) (true {digits.Labels![r.Index]})");
        var agreement = 1 - disagreements.Count / (double)digits.Count;
        var sure = renderings.Where(r => original.Confidence(r.Index) >= SureProbability).ToList();
        var sureAgreement = 1 - sure.Count(r => recovered.Labels[r.Index] != original.Labels[r.Index]) / (double)sure.Count;
        var similarity = Enumerable.Range(0, digits.Count).Average(i => MnistPreprocessorTests.Cosine(digits.Image(i), prepared.AsSpan(i * DigitImage.PixelCount, DigitImage.PixelCount)));
        output.WriteLine($"agreement {agreement:P1} over all {digits.Count} renderings, {sureAgreement:P1} over the {sure.Count} whose original the model is sure of; mean cosine similarity {similarity:F3}");
        // Where the model is sure of the original, the photo must give the same digit: a preprocessing fault
        // (off-centre, wrong size or polarity, lost strokes) flips sure digits too. Where the model is unsure
        // of the original, a flip says more about the model than about the preprocessing.
        Assert.True(sure.Count >= digits.Count * 0.8, $"the model is sure of only {sure.Count} of {digits.Count} originals: too weak to judge preprocessing with");
        Assert.True(sureAgreement >= 0.99, $"only {sureAgreement:P1} of the {sure.Count} paper renderings of digits the model is sure of were predicted as their originals");
        // Model-free: the recovered images look like the originals (thickness and rotation differ on purpose).
        Assert.True(similarity >= 0.85, $"mean cosine similarity {similarity:F3}");
    }
}
