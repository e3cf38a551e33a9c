using DigitRecognizer.Data;

namespace DigitRecognizer.Tests.Data;

[Trait("Category", "Fast")]
public class DigitDataTests
{
    [Theory]
    [InlineData(MnistSplit.Train, 60_000)]
    [InlineData(MnistSplit.Test, 10_000)]
    public void TheEmbeddedMnist_IsRecordedByName_NotByTheFolderItWasReadFrom(MnistSplit split, int count)
    {
        var data = DigitData.Load(null, split);

        Assert.Equal(count, data.Count);
        Assert.Equal(DigitData.EmbeddedMnistSource(split), data.Source);
        Assert.DoesNotContain('/', data.Source);
        Assert.DoesNotContain(TestData.MnistFolder, data.Source);
    }
}
