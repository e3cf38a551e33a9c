using DigitRecognizer.Training;

namespace DigitRecognizer.Tests.Training;

public class LearningRateTests
{
    [Theory]
    [InlineData(0, 1e-3)]
    [InlineData(50, 0.5e-3)]
    [InlineData(100, 0)]
    [InlineData(25, 1e-3 * 0.5 * (1 + 0.70710678118654757))]
    public void Cosine_FallsFromTheBaseRateToZero(long step, double expected) =>
        Assert.Equal(expected, LearningRates.At(LearningRateSchedule.Cosine, 1e-3, step, 100), 12);

    [Fact]
    public void Constant_IsTheBaseRateAtEveryStep() =>
        Assert.All(new long[] { 0, 1, 99, 100 }, step => Assert.Equal(1e-3, LearningRates.At(LearningRateSchedule.Constant, 1e-3, step, 100)));

    [Fact]
    public void Cosine_NeverRisesAgain()
    {
        var rates = Enumerable.Range(0, 201).Select(s => LearningRates.At(LearningRateSchedule.Cosine, 1, s, 200)).ToArray();

        Assert.True(rates.Zip(rates.Skip(1)).All(pair => pair.Second <= pair.First));
    }
}
