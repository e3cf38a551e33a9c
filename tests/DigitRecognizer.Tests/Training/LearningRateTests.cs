using DigitRecognizer.Training;

namespace DigitRecognizer.Tests.Training;

[Trait("Category", "Fast")]
public class LearningRateTests
{
    [Theory]
    [InlineData(0, 1e-3)]
    [InlineData(50, 0.5e-3)]
    [InlineData(100, 0)]
    [InlineData(25, 1e-3 * 0.5 * (1 + 0.70710678118654757))]
    public void Cosine_FallsFromTheBaseRateToZero(long step, double expected) =>
        Assert.Equal(expected, new LearningRatePlan(LearningRateSchedule.Cosine, 1e-3, 100).At(step), 12);

    [Fact]
    public void Constant_IsTheBaseRateAtEveryStep() =>
        Assert.All(new long[] { 0, 1, 99, 100 }, step =>
            Assert.Equal(1e-3, new LearningRatePlan(LearningRateSchedule.Constant, 1e-3, 100).At(step)));

    [Fact]
    public void Cosine_NeverRisesAgain()
    {
        var plan = new LearningRatePlan(LearningRateSchedule.Cosine, 1, 200);
        var rates = Enumerable.Range(0, 201).Select(s => plan.At(s)).ToArray();

        Assert.True(rates.Zip(rates.Skip(1)).All(pair => pair.Second <= pair.First));
    }

    [Fact]
    public void OneCycle_WarmsUpToThePeakAt30PercentThenFallsFarBelowTheStart()
    {
        var plan = new LearningRatePlan(LearningRateSchedule.OneCycle, 0.01, 1000);

        Assert.Equal(0.01 / 25, plan.At(0), 12);
        Assert.Equal(0.01, plan.At(300), 12);
        Assert.True(plan.At(150) is > 0.01 / 25 and < 0.01);
        Assert.Equal(0.01 / 25 / 1e4, plan.At(1000), 15);
        var rates = Enumerable.Range(300, 701).Select(s => plan.At(s)).ToArray();
        Assert.True(rates.Zip(rates.Skip(1)).All(pair => pair.Second <= pair.First));
    }

    [Fact]
    public void Step_HalvesEveryStepEpochs()
    {
        var plan = new LearningRatePlan(LearningRateSchedule.Step, 1e-3, TotalSteps: 1000, StepsPerEpoch: 10, StepEpochs: 2, StepFactor: 0.5);

        Assert.Equal(1e-3, plan.At(19), 12);     // epoch 2, last step
        Assert.Equal(0.5e-3, plan.At(20), 12);   // epoch 3
        Assert.Equal(0.25e-3, plan.At(45), 12);  // epoch 5
    }
}
