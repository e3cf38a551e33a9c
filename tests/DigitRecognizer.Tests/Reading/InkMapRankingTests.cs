using DigitRecognizer.Reading;

namespace DigitRecognizer.Tests.Reading;

/// <summary>The percentiles of the ink map are taken without sorting; they must be exactly the ones sorting gives.</summary>
[Trait("Category", "Fast")]
public sealed class InkMapRankingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(997)]
    [InlineData(20_000)]
    public void Select_GivesTheValueSortingPutsAtEveryRank(int count)
    {
        var random = new Random(count);
        // Pixel-like values (256 levels, many equal), a few outside 0–1 and a NaN, as a decoder's arithmetic might leave.
        var values = Enumerable.Range(0, count).Select(_ => random.Next(256) / 255f).ToArray();
        if (count > 10) (values[0], values[1], values[2], values[3]) = (-0.25f, 1.5f, float.NaN, 1e-7f);
        var sorted = (float[])values.Clone();
        Array.Sort(sorted);
        var ranking = new InkMap.Ranking();

        var ranks = Enumerable.Range(0, 50).Select(_ => random.Next(count)).Append(0).Append(count - 1).ToArray();
        foreach (var rank in ranks)
            Assert.Equal(sorted[rank], ranking.Select(values, rank));
        Assert.Equal(ranks.Select(rank => sorted[rank]), ranking.Select(values, ranks));
    }
}
