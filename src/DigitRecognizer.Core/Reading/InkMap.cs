using System.Numerics;
using System.Runtime.CompilerServices;
using DigitRecognizer.Imaging;

namespace DigitRecognizer.Reading;

/// <summary>
/// The ink of a whole image of a number: how strongly each pixel stands out from the paper around it, measured
/// against a background estimated locally (shading, a gradient of light across the page) and a contrast taken
/// from the whole image. A tight crop around one digit is mostly ink, so unlike a single digit's border, it
/// could not tell paper from ink; the whole line can.
/// Its arrays are borrowed from the shared pool (see <see cref="PooledArray{T}"/>): dispose of it when the reading is done.
/// </summary>
internal sealed class InkMap : IDisposable
{
    private readonly PooledArray<float> ink;
    private readonly PooledArray<bool> solid;

    private InkMap(int width, int height, PooledArray<float> ink, PooledArray<bool> solid, InkPolarity polarity)
    {
        (Width, Height, this.ink, this.solid, Polarity) = (width, height, ink, solid, polarity);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Width × height.</summary>
    public int Length => Width * Height;

    /// <summary>Soft ink 0–1 per pixel, as the single-digit preprocessing makes it (noise floor dropped, stretched); may be longer than <see cref="Length"/>.</summary>
    public float[] Ink => ink.Array;

    /// <summary>Pixels that are certainly ink: the marks are the connected parts of these. May be longer than <see cref="Length"/>.</summary>
    public bool[] Solid => solid.Array;

    public InkPolarity Polarity { get; }

    public void Dispose()
    {
        ink.Dispose();
        solid.Dispose();
    }

    /// <summary>
    /// The ink of the first width × height values of <paramref name="luminance"/> (0 black … 1 white), or null when
    /// nothing stands out from the paper. <paramref name="knownPolarity"/>, when given, is taken instead of being
    /// told from the image.
    /// </summary>
    // Compiled optimised on first use, as are the other loops over a page's pixels (decoding, segmenting, preparing):
    // they run over hundreds of thousands of pixels even on the first call, which a one-off `digits read` or a server
    // that has just started would otherwise spend in the runtime's quick unoptimised code (measured before: with tiered
    // compilation off, a fresh server's first 1,000 reads ran at 143 requests/s instead of 103).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static InkMap? Find(float[] luminance, int width, int height, ReadingOptions options, MnistPreprocessor preprocessor,
        InkPolarity? knownPolarity = null)
    {
        var count = width * height;
        int Rank(double share) => (int)Math.Clamp(Math.Round(share * (count - 1)), 0, count - 1);
        // Ink covers a minority of a page of writing: the median is paper, and the ink is the extreme further from it.
        // The histogram alone nearly always settles it; the exact values, whose gathering and selection in a bin of
        // paper (most of the page) was the costlier half of ranking the page, only when it is close.
        using var ranking = new Ranking();
        ReadOnlySpan<float> values = luminance.AsSpan(0, count);
        // The extremes are taken 0.1% in, but no further than 100 pixels: a small number on a large page (a photo of
        // a whiteboard) is less than 0.1% of it, and 0.1% in is then paper on either side, light or dark by its shading.
        var tail = Math.Min(0.001, 100.0 / count);
        int[] ranks = [Rank(0.5), Rank(tail), Rank(1 - tail)];
        var polarity = knownPolarity ?? PolarityWithin(ranking.Bracket(values, ranks)) ?? PolarityOf(ranking.Select(values, ranks));

        // "Inkness": 0 white paper … 1 black ink for dark ink, the other way round for light ink. Worked out where it is
        // needed rather than stored: a page is hundreds of thousands of pixels, and each array of them costs as much
        // to allocate and fill as the arithmetic on it.
        var darkInk = polarity == InkPolarity.DarkOnLight;
        var grid = BackgroundGrid(luminance, darkInk, width, height, options, ranking);
        // Strength (inkness above the paper under it) first, then turned into soft ink in place.
        var ink = PooledArray<float>.Rent(count);
        grid.Subtract(luminance, darkInk, ink.Array);

        var contrast = StrongestInk(ink.Array, width, height);
        if (contrast < preprocessor.Options.MinimumContrast)
        {
            ink.Dispose();
            return null;
        }
        var solid = PooledArray<bool>.Rent(count);
        var threshold = (float)(options.InkThreshold * contrast);
        Span<float> strength = ink.Span;
        AtLeast(strength, threshold, solid.Span);
        preprocessor.InkLevels(strength, contrast);
        return new InkMap(width, height, ink, solid, polarity);
    }

    /// <summary>
    /// Which of <paramref name="values"/> are at least <paramref name="threshold"/>: four vectors of comparisons at a
    /// time, narrowed to one of bytes (a bool is a byte, 1 for true); one value at a time it took longer than the
    /// soft ink's arithmetic on the same pixels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AtLeast(ReadOnlySpan<float> values, float threshold, Span<bool> result)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(result);
        var (limit, one, step) = (new Vector<float>(threshold), new Vector<sbyte>(1), Vector<float>.Count);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i + 4 * step <= values.Length; i += 4 * step)
            {
                // Each comparison gives -1 (all bits) or 0 per value; narrowing keeps that, and & 1 makes it a bool.
                var low = Vector.Narrow(Vector.GreaterThanOrEqual(new Vector<float>(values[i..]), limit),
                    Vector.GreaterThanOrEqual(new Vector<float>(values[(i + step)..]), limit));
                var high = Vector.Narrow(Vector.GreaterThanOrEqual(new Vector<float>(values[(i + 2 * step)..]), limit),
                    Vector.GreaterThanOrEqual(new Vector<float>(values[(i + 3 * step)..]), limit));
                Vector.AsVectorByte(Vector.Narrow(low, high) & one).CopyTo(bytes[i..]);
            }
        for (; i < values.Length; i++) result[i] = values[i] >= threshold;
    }

    /// <summary>Dark ink on light paper when the median (paper) lies further from the darkest values than from the lightest.</summary>
    internal static InkPolarity PolarityOf(float[] medianDarkestLightest)
    {
        var (median, darkest, lightest) = (medianDarkestLightest[0], medianDarkestLightest[1], medianDarkestLightest[2]);
        return median - darkest >= lightest - median ? InkPolarity.DarkOnLight : InkPolarity.LightOnDark;
    }

    /// <summary>
    /// <see cref="PolarityOf"/> where every value in the brackets of the median, darkest and lightest gives the same
    /// answer (by a margin far above float rounding); null when the exact values are needed.
    /// </summary>
    internal static InkPolarity? PolarityWithin((float Low, float High)[] medianDarkestLightest)
    {
        var (median, darkest, lightest) = (medianDarkestLightest[0], medianDarkestLightest[1], medianDarkestLightest[2]);
        // (median - darkest) - (lightest - median), at its least and at its most over the brackets.
        var (least, most) = (2 * median.Low - darkest.High - lightest.High, 2 * median.High - darkest.Low - lightest.Low);
        const float margin = 1e-4f;
        return least > margin ? InkPolarity.DarkOnLight : most < -margin ? InkPolarity.LightOnDark : null;
    }

    /// <summary>
    /// The paper's inkness: a low percentile of each square of a grid, to be interpolated bilinearly between the
    /// squares' centres (<see cref="PaperGrid.Subtract"/>). Ink lies above the percentile as long as it fills less than
    /// the rest of a square.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static PaperGrid BackgroundGrid(float[] luminance, bool darkInk, int width, int height, ReadingOptions options, Ranking ranking)
    {
        var side = Math.Max(8, (int)Math.Round(Math.Min(width, height) * options.BackgroundBlock));
        var (columns, rows) = (Math.Max(1, (int)Math.Round((double)width / side)), Math.Max(1, (int)Math.Round((double)height / side)));
        var grid = new float[columns * rows];
        var values = new float[(width / columns + 1) * (height / rows + 1)];
        for (var row = 0; row < rows; row++)
            for (var column = 0; column < columns; column++)
            {
                var (x0, x1) = (column * width / columns, (column + 1) * width / columns);
                var (y0, y1) = (row * height / rows, (row + 1) * height / rows);
                var count = 0;
                for (var y = y0; y < y1; y++)
                {
                    var line = luminance.AsSpan(y * width + x0, x1 - x0);
                    if (darkInk)
                    {
                        var into = values.AsSpan(count, line.Length);
                        var x = 0;
                        for (; x + Vector<float>.Count <= line.Length; x += Vector<float>.Count)
                            (Vector<float>.One - new Vector<float>(line[x..])).CopyTo(into[x..]);
                        for (; x < line.Length; x++) into[x] = 1 - line[x];
                        count += line.Length;
                    }
                    else
                    {
                        line.CopyTo(values.AsSpan(count));
                        count += line.Length;
                    }
                }
                grid[row * columns + column] = ranking.Select(values.AsSpan(0, count), (int)(options.BackgroundPercentile * (count - 1)));
            }
        return new PaperGrid(grid, columns, rows, width, height);
    }

    /// <summary>The paper's inkness per square of a grid over the image.</summary>
    private sealed record PaperGrid(float[] Grid, int Columns, int Rows, int Width, int Height)
    {
        /// <summary>
        /// Writes each pixel's inkness less the paper's under it (bilinear between the squares' centres) to
        /// <paramref name="strength"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Subtract(float[] luminance, bool darkInk, float[] strength)
        {
            // Where each column falls between the squares' centres is the same on every row: worked out once.
            var (c0s, c1s, txs) = (new int[Width], new int[Width], new float[Width]);
            for (var x = 0; x < Width; x++)
            {
                var gx = Math.Clamp((x + 0.5) * Columns / Width - 0.5, 0, Columns - 1);
                (c0s[x], txs[x]) = ((int)Math.Floor(gx), (float)(gx - Math.Floor(gx)));
                c1s[x] = Math.Min(c0s[x] + 1, Columns - 1);
            }
            // So is each row of squares interpolated across the image; rows of pixels then mix two of those.
            var across = new float[Rows][];
            for (var r = 0; r < Rows; r++)
            {
                across[r] = new float[Width];
                for (var x = 0; x < Width; x++)
                    across[r][x] = Grid[r * Columns + c0s[x]] * (1 - txs[x]) + Grid[r * Columns + c1s[x]] * txs[x];
            }
            var paper = new float[Width];
            var step = Vector<float>.Count;
            for (var y = 0; y < Height; y++)
            {
                var gy = Math.Clamp((y + 0.5) * Rows / Height - 0.5, 0, Rows - 1);
                var (r0, ty) = ((int)Math.Floor(gy), (float)(gy - Math.Floor(gy)));
                var (top, bottom) = (across[r0], across[Math.Min(r0 + 1, Rows - 1)]);
                var (above, below) = (new Vector<float>(1 - ty), new Vector<float>(ty));
                var x = 0;
                for (; x + step <= Width; x += step)
                    (new Vector<float>(top.AsSpan(x)) * above + new Vector<float>(bottom.AsSpan(x)) * below).CopyTo(paper.AsSpan(x));
                for (; x < Width; x++) paper[x] = top[x] * (1 - ty) + bottom[x] * ty;
                var source = luminance.AsSpan(y * Width, Width);
                var target = strength.AsSpan(y * Width, Width);
                for (x = 0; x + step <= Width; x += step)
                {
                    var inkness = darkInk ? Vector<float>.One - new Vector<float>(source[x..]) : new Vector<float>(source[x..]);
                    (inkness - new Vector<float>(paper.AsSpan(x))).CopyTo(target[x..]);
                }
                for (; x < Width; x++) target[x] = (darkInk ? 1 - source[x] : source[x]) - paper[x];
            }
        }
    }

    /// <summary>
    /// The value of a given rank (0 = smallest), exactly the one sorting would put there, without sorting everything:
    /// a histogram over 0–1 finds the bin the rank falls in, and only that bin's values are sorted. Linear in the
    /// number of values; sorting a page's pixels, once for the whole and once per background square, was most of
    /// the CPU time of <c>POST /api/read</c> (profiled with dotnet-trace on 600×200 images).
    /// </summary>
    internal sealed class Ranking : IDisposable
    {
        private const int Bins = 1024;
        private readonly int[] counts = new int[Bins];
        private readonly int[] spare = new int[3 * Bins];
        private PooledArray<int>? binOf;

        public void Dispose() => binOf?.Dispose();

        // Monotone in the value, so sorted order is the bins in order, each sorted; NaN and values ≤ 0 share the first
        // bin, where sorting puts NaN first as Array.Sort does.
        private static int BinOf(float value) => value > 0 ? Math.Min(Bins - 1, (int)(value * Bins)) : 0;

        public float Select(ReadOnlySpan<float> values, int rank) => Select(values, [rank])[0];

        /// <summary>
        /// Where the values of several ranks lie, from the histogram alone: each in its bin, [bin, bin + 1) / 1024, the
        /// first bin open below (it holds everything ≤ 0, and NaN) and the last open above; a value in the first bin when
        /// some value is NaN gets NaN for its upper end, which no comparison can settle.
        /// </summary>
        public (float Low, float High)[] Bracket(ReadOnlySpan<float> values, int[] ranks)
        {
            Count(values);
            var brackets = new (float Low, float High)[ranks.Length];
            bool? anyNaN = null;
            for (var r = 0; r < ranks.Length; r++)
            {
                var (bin, _) = BinOfRank(ranks[r]);
                // The first bin's values may be NaN (sorting puts them first): then the value has no bracket at all.
                var high = bin == 0 && (anyNaN ??= HasNaN(values)) ? float.NaN
                    : bin == Bins - 1 ? float.PositiveInfinity : (float)(bin + 1) / Bins;
                brackets[r] = (bin == 0 ? float.NegativeInfinity : (float)bin / Bins, high);
            }
            return brackets;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static bool HasNaN(ReadOnlySpan<float> values)
        {
            var (i, step) = (0, Vector<float>.Count);
            for (; i + step <= values.Length; i += step)
            {
                var vector = new Vector<float>(values[i..]);
                if (!Vector.EqualsAll(vector, vector)) return true;
            }
            for (; i < values.Length; i++)
                if (float.IsNaN(values[i])) return true;
            return false;
        }

        /// <summary>The values of several ranks, counting the histogram once and gathering their bins in one more pass.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public float[] Select(ReadOnlySpan<float> values, int[] ranks)
        {
            Count(values);

            // The bin each rank falls in, and how many values lie in the bins before it.
            var (bins, before) = (new int[ranks.Length], new int[ranks.Length]);
            for (var r = 0; r < ranks.Length; r++) (bins[r], before[r]) = BinOfRank(ranks[r]);
            var wanted = bins.Distinct().ToArray();
            var members = new float[wanted.Length][];
            for (var k = 0; k < wanted.Length; k++)
                members[k] = new float[counts[wanted[k]]];
            var binned = binOf!.Array.AsSpan(0, values.Length);
            var step = Vector<int>.Count;
            for (var k = 0; k < wanted.Length; k++)
            {
                // Most values lie in other bins: skipped a vector at a time.
                var (bin, into, at) = (wanted[k], members[k], 0);
                var match = new Vector<int>(bin);
                var i = 0;
                for (; i + step <= values.Length; i += step)
                {
                    if (!Vector.EqualsAny(new Vector<int>(binned[i..]), match)) continue;
                    for (var j = i; j < i + step; j++)
                        if (binned[j] == bin) into[at++] = values[j];
                }
                for (; i < values.Length; i++)
                    if (binned[i] == bin) into[at++] = values[i];
            }
            var result = new float[ranks.Length];
            for (var r = 0; r < ranks.Length; r++)
            {
                var k = Array.IndexOf(wanted, bins[r]);
                result[r] = bins[r] == 0
                    ? Sorted(members[k])[ranks[r] - before[r]]
                    : Nth(members[k], ranks[r] - before[r]);
            }
            return result;
        }

        /// <summary>The bin of the counted histogram that holds the value of <paramref name="rank"/>, and how many values lie in the bins before it.</summary>
        private (int Bin, int Before) BinOfRank(int rank)
        {
            var (bin, before) = (0, 0);
            while (before + counts[bin] <= rank) before += counts[bin++];
            return (bin, before);
        }

        /// <summary>
        /// Each value's bin (kept for the gathering pass) and the histogram in <see cref="counts"/>. The bins are worked
        /// out a vector at a time: one at a time, converting each float to an integer was most of this loop's work.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Count(ReadOnlySpan<float> values)
        {
            if (binOf is null || binOf.Length < values.Length)
            {
                binOf?.Dispose();
                binOf = PooledArray<int>.Rent(values.Length);
            }
            var binned = binOf.Array.AsSpan(0, values.Length);
            var (scale, last, lastBin) = (new Vector<float>(Bins), new Vector<float>(Bins - 1), new Vector<int>(Bins - 1));
            var (i, step) = (0, Vector<float>.Count);
            for (; i + step <= values.Length; i += step)
            {
                // As BinOf: clamped as floats first so that no value overflows the conversion, then as integers (values
                // ≤ 0 to the first bin); NaN, which is not equal to itself, to the first bin too.
                var value = new Vector<float>(values[i..]);
                var bin = Vector.Min(Vector.Max(Vector.ConvertToInt32(Vector.Min(value * scale, last)), Vector<int>.Zero), lastBin);
                Vector.ConditionalSelect(Vector.Equals(value, value), bin, Vector<int>.Zero).CopyTo(binned[i..]);
            }
            for (; i < values.Length; i++) binned[i] = BinOf(values[i]);
            // Four histograms, summed after: a page's paper falls in a few bins, and one counter incremented by value
            // after value waits on its own last increment every time.
            Array.Clear(counts);
            Array.Clear(spare);
            Span<int> second = spare.AsSpan(0, Bins), third = spare.AsSpan(Bins, Bins), fourth = spare.AsSpan(2 * Bins, Bins);
            var k = 0;
            for (; k + 4 <= binned.Length; k += 4)
            {
                counts[binned[k]]++;
                second[binned[k + 1]]++;
                third[binned[k + 2]]++;
                fourth[binned[k + 3]]++;
            }
            for (; k < binned.Length; k++) counts[binned[k]]++;
            for (var b = 0; b < Bins; b++) counts[b] += second[b] + third[b] + fourth[b];
        }

        // The first bin may hold NaN, which only a sort orders (first, as Array.Sort does).
        private static float[] Sorted(float[] values)
        {
            Array.Sort(values);
            return values;
        }

        /// <summary>
        /// The value sorting would put at <paramref name="n"/>, by selection (Hoare's, the middle value as pivot):
        /// linear on average where sorting a bin of paper, thousands of values close together, was most of the work.
        /// Reorders <paramref name="values"/>; no NaN.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static float Nth(float[] values, int n)
        {
            var (low, high) = (0, values.Length - 1);
            while (low < high)
            {
                var pivot = values[low + (high - low) / 2];
                var (i, j) = (low, high);
                while (i <= j)
                {
                    while (values[i] < pivot) i++;
                    while (values[j] > pivot) j--;
                    if (i > j) break;
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
                // Now values[low..j] ≤ pivot ≤ values[i..high], and anything between them equals the pivot.
                if (n <= j) high = j;
                else if (n >= i) low = i;
                else return values[n];
            }
            return values[n];
        }
    }

    /// <summary>The strongest ink, as the largest mean over 2×2 pixels: one hot pixel of sensor noise is not the ink.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float StrongestInk(float[] strength, int width, int height)
    {
        if (width < 2 || height < 2) return strength.AsSpan(0, width * height).ToArray().Max();
        var step = Vector<float>.Count;
        var best = new Vector<float>(float.NegativeInfinity);
        var bestTail = float.NegativeInfinity;
        for (var y = 0; y + 1 < height; y++)
        {
            var row = strength.AsSpan(y * width, width);
            var below = strength.AsSpan((y + 1) * width, width);
            var x = 0;
            // Eight (or sixteen) windows at a time: the same sums in the same order, so the same float as one at a time.
            for (; x + step < width; x += step)
                best = Vector.Max(best, new Vector<float>(row[x..]) + new Vector<float>(row[(x + 1)..])
                                        + new Vector<float>(below[x..]) + new Vector<float>(below[(x + 1)..]));
            for (; x + 1 < width; x++)
                bestTail = Math.Max(bestTail, row[x] + row[x + 1] + below[x] + below[x + 1]);
        }
        for (var k = 0; k < step; k++) bestTail = Math.Max(bestTail, best[k]);
        // The largest sum over 4 is the largest mean (dividing by 4 is exact).
        return bestTail / 4;
    }
}
