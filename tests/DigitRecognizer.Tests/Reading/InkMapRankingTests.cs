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

    [Theory]
    [InlineData(7)]
    [InlineData(50_000)]
    public void Select_IsExact_OnPaperLikeValues_ThousandsOfThemInOneBin_AndOnExtremes(int count)
    {
        // Paper: a tone with fine noise, so one histogram bin holds thousands of distinct values and the rank inside
        // it is found by selection; a little ink; infinities and huge values, which must not overflow a bin index.
        var random = new Random(count);
        var values = Enumerable.Range(0, count)
            .Select(_ => random.NextDouble() < 0.05 ? (float)random.NextDouble() * 0.3f : 0.9f + (float)random.NextDouble() * 0.002f).ToArray();
        (values[0], values[1], values[2], values[3]) = (float.PositiveInfinity, float.NegativeInfinity, 3e38f, -3e38f);
        var sorted = (float[])values.Clone();
        Array.Sort(sorted);
        var ranking = new InkMap.Ranking();

        var ranks = Enumerable.Range(0, 40).Select(_ => random.Next(count)).Append(count / 2).Append(0).Append(count - 1).ToArray();
        Assert.Equal(ranks.Select(rank => sorted[rank]), ranking.Select(values, ranks));
        // Several ranks in the one bin of paper, asked together: each exact, whatever the order selection left the bin in.
        int[] sameBin = [count / 2, count / 2 + 1, count * 3 / 4, count / 3];
        Assert.Equal(sameBin.Select(rank => sorted[rank]), ranking.Select(values, sameBin));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(20_000)]
    public void Bracket_HoldsTheValueSortingPutsAtEveryRank_InItsBinWidth(int count)
    {
        // The ink map settles a page's polarity from these brackets when it can: each must hold the exact value.
        var random = new Random(count);
        var values = Enumerable.Range(0, count).Select(_ => random.NextDouble() < 0.5 ? random.Next(256) / 255f : (float)random.NextDouble()).ToArray();
        (values[0], values[1], values[2], values[^1]) = (0f, 1f, -0.5f, 1.5f);
        var sorted = values.Order().ToArray();
        var ranks = Enumerable.Range(0, 40).Select(_ => random.Next(count)).Append(0).Append(count - 1).ToArray();

        var brackets = new InkMap.Ranking().Bracket(values, ranks);

        for (var r = 0; r < ranks.Length; r++)
        {
            var (value, (low, high)) = (sorted[ranks[r]], brackets[r]);
            Assert.True(low <= value && value < high, $"rank {ranks[r]}: {value:R} outside [{low:R}, {high:R})");
            Assert.True(float.IsInfinity(low) || float.IsInfinity(high) || high - low == 1f / 1024, $"[{low:R}, {high:R}) is one bin wide");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1_001)]
    public void AtLeast_MarksTheSolidInk_AsComparingEachValueWould(int count)
    {
        // Vectors of comparisons narrowed to bools, and a tail one at a time: every length must give the plain answer.
        var random = new Random(count);
        var values = Enumerable.Range(0, count).Select(_ => random.Next(5) == 0 ? 0.45f : (float)random.NextDouble()).ToArray();
        if (count > 3) (values[0], values[1], values[2]) = (float.NaN, float.PositiveInfinity, -1f);
        var solid = new bool[count + 5];

        InkMap.AtLeast(values, 0.45f, solid.AsSpan(0, count));

        Assert.Equal(values.Select(v => v >= 0.45f), solid.Take(count));
        Assert.All(solid.Skip(count), Assert.False);
        Assert.All(System.Runtime.InteropServices.MemoryMarshal.AsBytes(solid.AsSpan()).ToArray(), b => Assert.True(b <= 1));
    }

    [Fact]
    public void OneRanking_ServesLongThenShorterInputs()
    {
        var ranking = new InkMap.Ranking();
        var random = new Random(3);
        foreach (var count in new[] { 10_000, 33, 1, 4_097 })
        {
            var values = Enumerable.Range(0, count).Select(_ => (float)random.NextDouble()).ToArray();
            var sorted = values.Order().ToArray();
            Assert.Equal(sorted[count / 3], ranking.Select(values, count / 3));
        }
    }
}
