using DigitRecognizer.Data;

namespace DigitRecognizer.Tests.Data;

[Trait("Category", "Fast")]
public class StratifiedSplitTests
{
    [Fact]
    public void Indices_KeepEachClassShareAndPartitionTheData()
    {
        // 100 of class 0, 50 of class 1, 10 of class 2.
        var labels = Enumerable.Repeat(0, 100).Concat(Enumerable.Repeat(1, 50)).Concat(Enumerable.Repeat(2, 10)).ToArray();

        var (train, validation) = StratifiedSplit.Indices(labels, 0.2, seed: 1);

        Assert.Equal(20, validation.Count(i => labels[i] == 0));
        Assert.Equal(10, validation.Count(i => labels[i] == 1));
        Assert.Equal(2, validation.Count(i => labels[i] == 2));
        Assert.Empty(train.Intersect(validation));
        Assert.Equal(Enumerable.Range(0, labels.Length), train.Concat(validation).Order());
    }

    [Fact]
    public void Indices_AreDrivenByTheSeed()
    {
        var labels = Enumerable.Range(0, 500).Select(i => i % 10).ToArray();

        var first = StratifiedSplit.Indices(labels, 0.1, seed: 4).Validation;
        var again = StratifiedSplit.Indices(labels, 0.1, seed: 4).Validation;
        var other = StratifiedSplit.Indices(labels, 0.1, seed: 5).Validation;

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Split_CopiesImagesWithTheirLabels()
    {
        var data = TestData.Synthetic(50);

        var (train, validation) = StratifiedSplit.Split(data, 0.2, seed: 2);

        Assert.Equal(40, train.Count);
        Assert.Equal(10, validation.Count);
        var (trainIndices, _) = StratifiedSplit.Indices(data.Labels!, 0.2, seed: 2);
        Assert.Equal(data.Image(trainIndices[3]).ToArray(), train.Image(3).ToArray());
        Assert.Equal(data.Labels![trainIndices[3]], train.Labels![3]);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Indices_RejectFractionsOutsideZeroToOne(double fraction) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedSplit.Indices([0, 1, 2], fraction, 1));
}
