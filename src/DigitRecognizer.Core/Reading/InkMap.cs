using DigitRecognizer.Imaging;

namespace DigitRecognizer.Reading;

/// <summary>
/// The ink of a whole image of a number: how strongly each pixel stands out from the paper around it, measured
/// against a background estimated locally (shading, a gradient of light across the page) and a contrast taken
/// from the whole image. A tight crop around one digit is mostly ink, so unlike a single digit's border, it
/// could not tell paper from ink; the whole line can.
/// </summary>
internal sealed class InkMap
{
    private InkMap(int width, int height, float[] ink, bool[] solid, InkPolarity polarity)
    {
        (Width, Height, Ink, Solid, Polarity) = (width, height, ink, solid, polarity);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Soft ink 0–1 per pixel, as the single-digit preprocessing makes it (noise floor dropped, stretched).</summary>
    public float[] Ink { get; }

    /// <summary>Pixels that are certainly ink: the marks are the connected parts of these.</summary>
    public bool[] Solid { get; }

    public InkPolarity Polarity { get; }

    /// <summary>The ink of <paramref name="luminance"/> (0 black … 1 white), or null when nothing stands out from the paper.</summary>
    public static InkMap? Find(float[] luminance, int width, int height, ReadingOptions options, MnistPreprocessor preprocessor)
    {
        int Rank(double share) => (int)Math.Clamp(Math.Round(share * (luminance.Length - 1)), 0, luminance.Length - 1);
        // Ink covers a minority of a page of writing: the median is paper, and the ink is the extreme further from it.
        var percentiles = new Ranking().Select(luminance, [Rank(0.5), Rank(0.001), Rank(0.999)]);
        var (median, darkest, lightest) = (percentiles[0], percentiles[1], percentiles[2]);
        var polarity = median - darkest >= lightest - median ? InkPolarity.DarkOnLight : InkPolarity.LightOnDark;

        // "Inkness": 0 white paper … 1 black ink for dark ink, the other way round for light ink.
        var inkness = new float[luminance.Length];
        for (var i = 0; i < inkness.Length; i++)
            inkness[i] = polarity == InkPolarity.DarkOnLight ? 1 - luminance[i] : luminance[i];
        var background = Background(inkness, width, height, options);
        var strength = new float[inkness.Length];
        for (var i = 0; i < strength.Length; i++) strength[i] = inkness[i] - background[i];

        var contrast = StrongestInk(strength, width, height);
        if (contrast < preprocessor.Options.MinimumContrast) return null;
        var ink = new float[strength.Length];
        var solid = new bool[strength.Length];
        var threshold = (float)(options.InkThreshold * contrast);
        for (var i = 0; i < strength.Length; i++)
        {
            ink[i] = preprocessor.InkLevel(strength[i] / contrast);
            solid[i] = strength[i] >= threshold;
        }
        return new InkMap(width, height, ink, solid, polarity);
    }

    /// <summary>
    /// The paper's inkness under every pixel: a low percentile of each square of a grid, interpolated bilinearly
    /// between the squares' centres. Ink lies above the percentile as long as it fills less than the rest of a square.
    /// </summary>
    private static float[] Background(float[] inkness, int width, int height, ReadingOptions options)
    {
        var side = Math.Max(8, (int)Math.Round(Math.Min(width, height) * options.BackgroundBlock));
        var (columns, rows) = (Math.Max(1, (int)Math.Round((double)width / side)), Math.Max(1, (int)Math.Round((double)height / side)));
        var grid = new float[columns * rows];
        var values = new float[(width / columns + 1) * (height / rows + 1)];
        var ranking = new Ranking();
        for (var row = 0; row < rows; row++)
            for (var column = 0; column < columns; column++)
            {
                var (x0, x1) = (column * width / columns, (column + 1) * width / columns);
                var (y0, y1) = (row * height / rows, (row + 1) * height / rows);
                var count = 0;
                for (var y = y0; y < y1; y++)
                    for (var x = x0; x < x1; x++)
                        values[count++] = inkness[y * width + x];
                grid[row * columns + column] = ranking.Select(values.AsSpan(0, count), (int)(options.BackgroundPercentile * (count - 1)));
            }

        // Where each column falls between the squares' centres is the same on every row: worked out once.
        var (c0s, c1s, txs) = (new int[width], new int[width], new float[width]);
        for (var x = 0; x < width; x++)
        {
            var gx = Math.Clamp((x + 0.5) * columns / width - 0.5, 0, columns - 1);
            (c0s[x], txs[x]) = ((int)Math.Floor(gx), (float)(gx - Math.Floor(gx)));
            c1s[x] = Math.Min(c0s[x] + 1, columns - 1);
        }
        var result = new float[inkness.Length];
        for (var y = 0; y < height; y++)
        {
            var gy = Math.Clamp((y + 0.5) * rows / height - 0.5, 0, rows - 1);
            var (r0, ty) = ((int)Math.Floor(gy), (float)(gy - Math.Floor(gy)));
            var r1 = Math.Min(r0 + 1, rows - 1);
            for (var x = 0; x < width; x++)
            {
                var (c0, c1, tx) = (c0s[x], c1s[x], txs[x]);
                var top = grid[r0 * columns + c0] * (1 - tx) + grid[r0 * columns + c1] * tx;
                var bottom = grid[r1 * columns + c0] * (1 - tx) + grid[r1 * columns + c1] * tx;
                result[y * width + x] = top * (1 - ty) + bottom * ty;
            }
        }
        return result;
    }

    /// <summary>
    /// The value of a given rank (0 = smallest), exactly the one sorting would put there, without sorting everything:
    /// a histogram over 0–1 finds the bin the rank falls in, and only that bin's values are sorted. Linear in the
    /// number of values; sorting a page's pixels, once for the whole and once per background square, was most of
    /// the CPU time of <c>POST /api/read</c> (profiled with dotnet-trace on 600×200 images).
    /// </summary>
    internal sealed class Ranking
    {
        private const int Bins = 1024;
        private readonly int[] counts = new int[Bins];
        private float[] bin = new float[64];

        // Monotone in the value, so sorted order is the bins in order, each sorted; NaN and values ≤ 0 share the first
        // bin, where sorting puts NaN first as Array.Sort does.
        private static int BinOf(float value) => value > 0 ? Math.Min(Bins - 1, (int)(value * Bins)) : 0;

        public float Select(ReadOnlySpan<float> values, int rank)
        {
            Count(values);
            return SelectCounted(values, rank);
        }

        /// <summary>The values of several ranks, counting the histogram once.</summary>
        public float[] Select(ReadOnlySpan<float> values, int[] ranks)
        {
            Count(values);
            var result = new float[ranks.Length];
            for (var i = 0; i < ranks.Length; i++) result[i] = SelectCounted(values, ranks[i]);
            return result;
        }

        private void Count(ReadOnlySpan<float> values)
        {
            Array.Clear(counts);
            foreach (var value in values) counts[BinOf(value)]++;
        }

        private float SelectCounted(ReadOnlySpan<float> values, int rank)
        {
            var (target, before) = (0, 0);
            while (before + counts[target] <= rank) before += counts[target++];
            if (bin.Length < counts[target]) bin = new float[counts[target]];
            var count = 0;
            var (lowest, highest) = (float.PositiveInfinity, float.NegativeInfinity);
            foreach (var value in values)
                if (BinOf(value) == target)
                {
                    bin[count++] = value;
                    (lowest, highest) = (Math.Min(lowest, value), Math.Max(highest, value));
                }
            // A page of blank paper puts most pixels in one bin, often all of one value: nothing to sort then.
            if (lowest == highest) return lowest;
            var members = bin.AsSpan(0, count);
            members.Sort();
            return members[rank - before];
        }
    }

    /// <summary>The strongest ink, as the largest mean over 2×2 pixels: one hot pixel of sensor noise is not the ink.</summary>
    private static float StrongestInk(float[] strength, int width, int height)
    {
        if (width < 2 || height < 2) return strength.Max();
        var best = float.NegativeInfinity;
        for (var y = 0; y + 1 < height; y++)
            for (var x = 0; x + 1 < width; x++)
            {
                var i = y * width + x;
                best = Math.Max(best, (strength[i] + strength[i + 1] + strength[i + width] + strength[i + width + 1]) / 4);
            }
        return best;
    }
}
