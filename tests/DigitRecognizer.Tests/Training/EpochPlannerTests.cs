using DigitRecognizer.Training;

namespace DigitRecognizer.Tests.Training;

[Trait("Category", "Fast")]
public class EpochPlannerTests
{
    [Fact]
    public void OneSlowEpoch_DoesNotCutTheRunShort()
    {
        // A first epoch slowed to 80 s by a busy machine, then 40 s epochs: 13.5 minutes are left.
        var planned = EpochPlanner.EpochsThatFit(3, 40, [80, 40, 40], TimeSpan.FromMinutes(13.5));

        Assert.Equal(3 + 19, planned);   // 810 s / (40 s × 1.05) = 19.3
    }

    [Fact]
    public void AMachineThatStaysSlow_GetsFewerEpochs()
    {
        var planned = EpochPlanner.EpochsThatFit(3, 40, [80, 80, 40], TimeSpan.FromMinutes(13.5));

        Assert.Equal(3 + 9, planned);    // 810 s / (80 s × 1.05) = 9.6
    }

    [Fact]
    public void NeverPlansMoreThanTheMaximum_NorFewerThanWhatIsDone()
    {
        Assert.Equal(40, EpochPlanner.EpochsThatFit(2, 40, [1, 1], TimeSpan.FromHours(1)));
        Assert.Equal(5, EpochPlanner.EpochsThatFit(5, 40, [60, 60, 60, 60, 60], TimeSpan.FromSeconds(-3)));
        Assert.Equal(5, EpochPlanner.EpochsThatFit(5, 40, [60, 60, 60, 60, 60], TimeSpan.FromSeconds(62)));
    }
}
