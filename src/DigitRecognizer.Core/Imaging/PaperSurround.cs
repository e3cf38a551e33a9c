using System.Runtime.CompilerServices;

namespace DigitRecognizer.Imaging;

/// <summary>
/// Finds what lies round a sheet of paper in a photo — the desk or the table it was photographed on — and paints it
/// the paper's tone, so that the ink is read against the paper alone. Without it, a sheet covering less than half the
/// photo made its surround the page's median: dark ink on light paper was taken for light ink on dark, and the
/// surround's edge for strokes. The surround is told on a coarse copy of the image: the darker of two clearly separated
/// tones, joined to the image's edge along much of it, large, and thick (it survives being worn down, which strokes of
/// ink do not). A page of writing without a surround (a scan, a drawing, a photo filled by the paper) is left as it is.
/// </summary>
internal static class PaperSurround
{
    /// <summary>
    /// The image with its surround painted the paper's tone, in a borrowed copy; null when there is none, or
    /// <see cref="PreprocessingOptions.PaintSurround"/> is off (the image is then read as it is).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static PooledArray<float>? Fill(float[] luminance, int width, int height, PreprocessingOptions options)
    {
        if (!options.PaintSurround || width < options.SurroundMinimumSide || height < options.SurroundMinimumSide) return null;
        var step = Math.Max(1, (int)Math.Ceiling((double)Math.Max(width, height) / options.SurroundGridSide));
        var (columns, rows) = ((width + step - 1) / step, (height + step - 1) / step);
        var grid = Coarse(luminance, width, height, step, columns, rows);

        var threshold = Otsu(grid, out var darkMean, out var lightMean);
        if (lightMean - darkMean < options.SurroundContrast) return null;
        var dark = grid.Select(v => v < threshold).ToArray();
        // Only a thick dark region can be a desk: a stroke of ink, even a marker's in a tight crop, is worn away.
        var radius = Math.Max(2, (int)Math.Round(options.SurroundThickness * Math.Min(columns, rows)));
        // The thick dark joined to the edge, then all the dark joined to that: the desk's thin strips, where the sheet
        // nearly reaches the photo's edge, go with it; strokes of ink on the sheet, apart from the desk, do not.
        var core = JoinedToEdge(Wear(dark, columns, rows, radius), columns, rows, margin: radius);
        // The core alone must be large: a rule or a marker's underline along the image's edge, with the digits that
        // touch it, can be as large as a desk once joined, but its worn-down core is a thin line.
        if (core.Count(c => c) < options.SurroundCoreShare * grid.Length) return null;
        var surround = Joined(dark, core, columns, rows);
        var (area, edge) = (surround.Count(s => s), EdgeShare(surround, columns, rows));
        if (area < options.SurroundMinimumShare * grid.Length || edge < options.SurroundEdgeShare) return null;
        // The paper must be thick too (chalk on a board leaves thin light strokes, not a sheet), and what is dark on it
        // must be writing: strokes, worn away as thin, not the dark inside the loops of a light digit on black (MNIST's
        // own look), which is thick, nor nothing at all, as round a light 1.
        var light = dark.Select(d => !d).ToArray();
        var solidLight = Wear(light, columns, rows, radius).Count(l => l);
        if (solidLight < options.PaperMinimumShare * grid.Length || solidLight < options.SolidPaperShare * light.Count(l => l)) return null;
        var writing = dark.Select((d, i) => d && !surround[i]).ToArray();
        var (written, thickWriting) = (writing.Count(w => w), Wear(writing, columns, rows, radius).Count(w => w));
        if (written == 0 || thickWriting > options.SurroundThickWritingShare * written) return null;
        // And a cell further: the paper's shaded edge goes with the desk.
        var grown = Grow(surround, columns, rows, 1);

        var paper = new List<float>();
        for (var i = 0; i < grid.Length; i++)
            if (!grown[i] && !dark[i]) paper.Add(grid[i]);
        if (paper.Count == 0) return null;
        paper.Sort();
        var tone = paper[paper.Count / 2];
        // A desk is even; a shadow over the writing has ink in it, which painting would wipe out: then leave it all.
        var surroundTones = new List<float>();
        for (var y = 0; y < height; y += step)
            for (var x = 0; x < width; x += step)
                if (grown[y / step * columns + x / step]) surroundTones.Add(luminance[y * width + x]);
        surroundTones.Sort();
        var desk = surroundTones[surroundTones.Count / 2];
        var inked = 0;
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                if (grown[y / step * columns + x / step] && luminance[y * width + x] < desk - options.SurroundContrast / 2) inked++;
        if (inked > options.SurroundInkShare * area * step * step) return null;

        var filled = PooledArray<float>.Rent(width * height);
        luminance.AsSpan(0, width * height).CopyTo(filled.Span);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                if (grown[y / step * columns + x / step]) filled.Array[y * width + x] = tone;
        return filled;
    }

    private static float[] Coarse(float[] luminance, int width, int height, int step, int columns, int rows)
    {
        var sums = new double[columns * rows];
        var counts = new int[columns * rows];
        for (var y = 0; y < height; y++)
        {
            var row = y / step * columns;
            for (var x = 0; x < width; x++)
            {
                sums[row + x / step] += luminance[y * width + x];
                counts[row + x / step]++;
            }
        }
        return sums.Select((s, i) => (float)(s / counts[i])).ToArray();
    }

    /// <summary>Otsu's threshold over 0–1 values (256 levels), with the means of the two classes it separates.</summary>
    private static float Otsu(float[] values, out double darkMean, out double lightMean)
    {
        var histogram = new int[256];
        foreach (var v in values) histogram[Math.Clamp((int)(v * 255), 0, 255)]++;
        double total = values.Length, sum = 0;
        for (var i = 0; i < 256; i++) sum += i * (double)histogram[i];
        double weightDark = 0, sumDark = 0, best = -1;
        var (bestLevel, bestDark, bestLight) = (0, 0.0, 0.0);
        for (var i = 0; i < 256; i++)
        {
            weightDark += histogram[i];
            if (weightDark == 0) continue;
            var weightLight = total - weightDark;
            if (weightLight == 0) break;
            sumDark += i * (double)histogram[i];
            var (meanDark, meanLight) = (sumDark / weightDark, (sum - sumDark) / weightLight);
            var between = weightDark * weightLight * (meanDark - meanLight) * (meanDark - meanLight);
            if (between > best) (best, bestLevel, bestDark, bestLight) = (between, i, meanDark, meanLight);
        }
        (darkMean, lightMean) = (bestDark / 255, bestLight / 255);
        return (bestLevel + 1) / 255f;
    }

    /// <summary>
    /// The cells whose whole square of side 2·radius + 1 is set (erosion, <see cref="Raster.Morph"/>). Beyond the image
    /// is unset: an underline or a rule along the image's edge, however long, is worn away like any stroke (a desk is
    /// thick away from the edge too).
    /// </summary>
    private static bool[] Wear(bool[] mask, int columns, int rows, int radius) => Morph(mask, columns, rows, radius, grow: false);

    /// <summary>The cells with any set cell in their square of side 2·radius + 1 (dilation, <see cref="Raster.Morph"/>).</summary>
    private static bool[] Grow(bool[] mask, int columns, int rows, int radius) => Morph(mask, columns, rows, radius, grow: true);

    private static bool[] Morph(bool[] mask, int columns, int rows, int radius, bool grow) =>
        Raster.Morph(mask.Select(set => set ? 1f : 0f).ToArray(), columns, rows, radius, grow).Select(v => v > 0.5f).ToArray();

    /// <summary>The set cells joined (4-neighbours) to a set cell within <paramref name="margin"/> cells of the grid's edge (worn-down cells lie that far in).</summary>
    private static bool[] JoinedToEdge(bool[] mask, int columns, int rows, int margin) =>
        Joined(mask, mask.Select((set, i) => set && (i % columns <= margin || i / columns <= margin || i % columns >= columns - 1 - margin || i / columns >= rows - 1 - margin)).ToArray(),
            columns, rows);

    /// <summary>The set cells of <paramref name="mask"/> joined (4-neighbours, within the mask) to a cell of <paramref name="seeds"/>.</summary>
    private static bool[] Joined(bool[] mask, bool[] seeds, int columns, int rows)
    {
        var joined = new bool[mask.Length];
        var stack = new Stack<int>();
        for (var i = 0; i < mask.Length; i++)
            if (seeds[i] && mask[i]) { joined[i] = true; stack.Push(i); }
        while (stack.Count > 0)
        {
            var at = stack.Pop();
            var (x, y) = (at % columns, at / columns);
            foreach (var next in new[] { x > 0 ? at - 1 : -1, x < columns - 1 ? at + 1 : -1, y > 0 ? at - columns : -1, y < rows - 1 ? at + columns : -1 })
                if (next >= 0 && mask[next] && !joined[next]) { joined[next] = true; stack.Push(next); }
        }
        return joined;
    }

    /// <summary>Share of the grid's edge cells that are set.</summary>
    private static double EdgeShare(bool[] mask, int columns, int rows)
    {
        var (set, edge) = (0, 0);
        for (var i = 0; i < mask.Length; i++)
        {
            var (x, y) = (i % columns, i / columns);
            if (x != 0 && y != 0 && x != columns - 1 && y != rows - 1) continue;
            edge++;
            if (mask[i]) set++;
        }
        return (double)set / edge;
    }
}
