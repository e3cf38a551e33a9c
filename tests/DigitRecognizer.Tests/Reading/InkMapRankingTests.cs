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

    [Fact]
    public void Bracket_OfAValueInTheFirstBin_HasNoUpperEnd_WhenSomeValueIsNaN()
    {
        // NaN shares the first bin and sorts first: with NaN about, a value there may be NaN, which no bound holds.
        float[] values = [float.NaN, 0f, 0f, 0.5f, 0.9f];
        var brackets = new InkMap.Ranking().Bracket(values, [0, 1, 3]);

        Assert.True(float.IsNaN(brackets[0].High) && float.IsNaN(brackets[1].High));
        Assert.Equal((0.5f, 0.5f + 1f / 1024), brackets[2]);
        Assert.Equal(1f / 1024, new InkMap.Ranking().Bracket([0f, 0f, 0.5f], [0])[0].High);
    }

    [Fact]
    public void PolarityFromTheBrackets_IsThePolarityOfTheExactPercentiles_WheneverItDecides()
    {
        // Pages of every kind: dark ink on light paper and the other way round, flat and close calls, values outside
        // 0–1, infinities and NaN; ranks as the ink map takes them (the median, 0.1% and 99.9%).
        var random = new Random(42);
        var decided = 0;
        for (var page = 0; page < 3_000; page++)
        {
            var count = random.Next(1, 3_000);
            var (paper, ink) = ((float)random.NextDouble(), (float)random.NextDouble());
            var inkShare = random.NextDouble() * 0.3;
            var values = Enumerable.Range(0, count).Select(_ => random.Next(200) switch
            {
                0 => float.NaN,
                1 => float.PositiveInfinity,
                2 => float.NegativeInfinity,
                3 => (float)(random.NextDouble() * 3 - 1),
                _ => random.NextDouble() < inkShare ? ink : random.Next(2) == 0 ? paper : random.Next(256) / 255f,
            }).ToArray();
            // Two pages in three as decoders give them: 0–1, no NaN or infinity.
            if (page % 3 != 0) values = values.Select(v => v is >= 0 and <= 1 ? v : paper).ToArray();
            int Rank(double share) => (int)Math.Clamp(Math.Round(share * (count - 1)), 0, count - 1);
            int[] ranks = [Rank(0.5), Rank(0.001), Rank(0.999)];
            var ranking = new InkMap.Ranking();

            var fromBrackets = InkMap.PolarityWithin(ranking.Bracket(values, ranks));
            var exact = InkMap.PolarityOf(ranking.Select(values, ranks));

            if (fromBrackets is not { } polarity) continue;
            decided++;
            Assert.True(exact == polarity, $"page {page}: brackets say {polarity}, the exact percentiles {exact}");
        }
        Assert.True(decided > 500, $"the brackets decided only {decided} of 3,000 pages");
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
