using DigitRecognizer.Evaluation;
using DigitRecognizer.Inference;

namespace DigitRecognizer.Tests.Evaluation;

[Trait("Category", "Fast")]
public class NetworkAgreementTests
{
    [Fact]
    public void Measure_CountsEachNetworksMistakes_AndHowManyNetworksGetEachImageWrong()
    {
        int[] truth = [0, 1, 2, 3];
        var networks = new[]
        {
            ("a", Answers(0, 1, 2, 3)),     // all right
            ("b", Answers(0, 1, 9, 9)),     // images 2 and 3 wrong
            ("c", Answers(0, 5, 9, 3)),     // images 1 and 2 wrong
        };

        var agreement = NetworkAgreement.Measure(networks, truth);

        Assert.Equal(["a", "b", "c"], agreement.Architectures);
        Assert.Equal([0, 2, 2], agreement.NetworkErrors);
        Assert.Equal([1, 2, 1, 0], agreement.ImagesWrongIn);   // image 0 by none; 1 and 3 by one; 2 by two
        Assert.Equal(0, agreement.WrongInAll);
        Assert.Equal(4, agreement.Images);
    }

    [Fact]
    public void Measure_WithPredictionsForAnotherNumberOfImages_NamesTheNetworkAndBothCounts()
    {
        var error = Assert.Throws<ArgumentException>(() => NetworkAgreement.Measure([("resnet", Answers(1, 2))], [1, 2, 3]));

        Assert.Contains("resnet predicted 2 images but there are 3 labels", error.Message);
    }

    // Predictions that put all probability on the given digits.
    private static PredictionSet Answers(params int[] digits)
    {
        var probabilities = new float[digits.Length * DigitImage.ClassCount];
        for (var i = 0; i < digits.Length; i++) probabilities[i * DigitImage.ClassCount + digits[i]] = 1;
        return new PredictionSet(probabilities);
    }
}
