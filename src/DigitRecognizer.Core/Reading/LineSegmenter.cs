using System.Runtime.CompilerServices;
using DigitRecognizer.Imaging;

namespace DigitRecognizer.Reading;

/// <summary>A set of ink pixels read as one thing: a digit, several touching digits, or a mark.</summary>
internal sealed class InkPart
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public InkPart(List<int> pixels, int imageWidth)
    {
        Pixels = pixels;
        (MinX, MinY, MaxX, MaxY) = (int.MaxValue, int.MaxValue, int.MinValue, int.MinValue);
        foreach (var index in pixels)
        {
            var (x, y) = (index % imageWidth, index / imageWidth);
            MinX = Math.Min(MinX, x);
            MaxX = Math.Max(MaxX, x);
            MinY = Math.Min(MinY, y);
            MaxY = Math.Max(MaxY, y);
        }
    }

    /// <summary>Indices (y · width + x) of the solid ink pixels.</summary>
    public List<int> Pixels { get; }

    public int MinX { get; }

    public int MinY { get; }

    public int MaxX { get; }

    public int MaxY { get; }

    public int Width => MaxX - MinX + 1;

    public int Height => MaxY - MinY + 1;

    public double CentreX => (MinX + MaxX) / 2.0;

    public PixelBox Box => new(MinX, MinY, Width, Height);

    public InkPart Merge(InkPart other, int imageWidth) => new([.. Pixels, .. other.Pixels], imageWidth);
}

/// <summary>
/// Finds the marks on a line of writing: the connected parts of the solid ink, the strokes of one digit put back
/// together, and what is too small or too thin to be a digit set aside. Touching digits stay one part here; the
/// reader cuts them with the classifier's help.
/// </summary>
internal static class LineSegmenter
{
    /// <summary>
    /// The parts that may be digits, left to right, the marks skipped, and the line's digit height (the median height
    /// of the parts that may be digits; 0 when there are none).
    /// </summary>
    public static (List<InkPart> Digits, List<(MarkKind Kind, InkPart Part)> Marks, double LineHeight) Segment(InkMap map, ReadingOptions options)
    {
        var components = Components(map);
        var lines = PaperLines.Remove(map, components, options);
        if (lines.Count > 0) components = Components(map);
        var marks = lines.Select(line => (MarkKind.Line, line)).ToList();
        // Taken out before the line's scale is set: a sliver of desk the length of the photo's side would set it.
        foreach (var edge in components.Where(c => HugsEdge(c, map.Width, map.Height, options)).ToList())
        {
            components.Remove(edge);
            marks.Add((MarkKind.Edge, edge));
        }
        if (components.Count == 0) return ([], marks, 0);
        // The scale of the line: the tallest of the large blots (digits, or several touching ones). Not just the
        // largest blot's height: the top of a 5 or a 3 broken off its body can hold more ink than a thin 1 beside it.
        var most = components.Max(c => c.Pixels.Count);
        var scale = (double)components.Where(c => c.Pixels.Count >= options.ScaleInkShare * most).Max(c => c.Height);
        var parts = components.Where(c => Math.Max(c.Width, c.Height) >= options.NoiseSize * scale).OrderBy(c => c.MinX).ToList();
        parts = MergeStrokes(parts, scale, map.Width, options);

        var tall = new List<InkPart>();
        var blots = new List<InkPart>();
        foreach (var part in parts.OrderBy(p => p.CentreX))
        {
            // Short for the line, or short for its own pen: a dot or a dash alone on the page sets the line's scale
            // itself, and would otherwise be read as digits (a 40-px dash came out as "1101110", a dot as "81").
            if (part.Height < Math.Max(options.DigitMinHeight * scale, options.DigitMinPixels))
                marks.Add((Flat(part) ? MarkKind.Dash : MarkKind.Speck, part));
            else if (part.Height < options.DigitMinStrokes * StrokeWidth(part, map))
                blots.Add(part);
            else
                tall.Add(part);
        }
        // A blot as tall as the digits beside it, and no wider than tall, is a digit written with a broad pen, its loops
        // filled (a heavy 8): it is short for its own pen only, and the line's other digits show that it is digit-sized.
        // Much taller or wider than them, it is a bar or a smear, not writing.
        var tallHeights = tall.Select(p => p.Height).Order().ToList();
        foreach (var blot in blots)
        {
            var ratio = tallHeights.Count == 0 ? 0 : blot.Height / (double)tallHeights[tallHeights.Count / 2];
            if (ratio >= options.BlotDigitHeight && ratio <= 1 / options.BlotDigitHeight && blot.Width <= blot.Height) tall.Add(blot);
            else marks.Add((Flat(blot) ? MarkKind.Dash : MarkKind.Speck, blot));
        }
        tall = tall.OrderBy(p => p.CentreX).ToList();
        var digits = new List<InkPart>();
        foreach (var part in tall)
        {
            var others = tall.Where(p => p != part).Select(p => p.Height).Order().ToList();
            var standsOut = others.Count >= 2 && part.Height > options.SlashHeight * others[others.Count / 2];
            if (standsOut && IsSlash(part, map.Width, options)) marks.Add((MarkKind.Slash, part));
            else digits.Add(part);
        }
        var heights = digits.Select(d => d.Height).Order().ToList();
        return (digits, marks.OrderBy(m => m.Item2.CentreX).ToList(), heights.Count == 0 ? 0 : heights[heights.Count / 2]);
    }

    private static bool Flat(InkPart part) => part.Width >= 1.5 * part.Height;

    /// <summary>
    /// Whether a part lies along one of the image's edges (<see cref="ReadingOptions.EdgeStripContact"/>): touching it
    /// over most of its length there, and thin across it.
    /// </summary>
    private static bool HugsEdge(InkPart part, int width, int height, ReadingOptions options)
    {
        if (part.MinX > 0 && part.MinY > 0 && part.MaxX < width - 1 && part.MaxY < height - 1) return false;
        var (left, right, top, bottom) = (0, 0, 0, 0);
        foreach (var index in part.Pixels)
        {
            var (x, y) = (index % width, index / width);
            if (x == 0) left++;
            if (x == width - 1) right++;
            if (y == 0) top++;
            if (y == height - 1) bottom++;
        }
        bool Along(int contact, int length, int thickness) =>
            contact >= options.EdgeStripContact * length && thickness <= options.EdgeStripThickness * length;
        return Along(left, part.Height, part.Width) || Along(right, part.Height, part.Width)
            || Along(top, part.Width, part.Height) || Along(bottom, part.Width, part.Height);
    }

    /// <summary>
    /// The mean width of a part's strokes: twice its area over its outline (the pixel edges it shares with paper); a
    /// line w wide gives w, a filled disc about a third of its height.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double StrokeWidth(InkPart part, InkMap map)
    {
        var outline = 0;
        foreach (var index in part.Pixels)
        {
            var (x, y) = (index % map.Width, index / map.Width);
            if (x == 0 || !map.Solid[index - 1]) outline++;
            if (x == map.Width - 1 || !map.Solid[index + 1]) outline++;
            if (y == 0 || !map.Solid[index - map.Width]) outline++;
            if (y == map.Height - 1 || !map.Solid[index + map.Width]) outline++;
        }
        return outline == 0 ? 1 : 2.0 * part.Pixels.Count / outline;
    }

    /// <summary>The 8-connected parts of the solid ink.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<InkPart> Components(InkMap map)
    {
        var (width, height) = (map.Width, map.Height);
        using var pooledSeen = PooledArray<bool>.Rent(map.Length, clear: true);
        var seen = pooledSeen.Array;
        var parts = new List<InkPart>();
        var stack = new Stack<int>();
        // Most of a page is paper: the next ink pixel is found a vector of pixels at a time.
        int NextInk(int from) => map.Solid.AsSpan(from, map.Length - from).IndexOf(true) is var found and >= 0 ? from + found : -1;
        for (var start = NextInk(0); start >= 0; start = NextInk(start + 1))
        {
            if (seen[start]) continue;
            var pixels = new List<int>();
            seen[start] = true;
            stack.Push(start);
            while (stack.Count > 0)
            {
                var index = stack.Pop();
                pixels.Add(index);
                var (x, y) = (index % width, index / width);
                for (var dy = -1; dy <= 1; dy++)
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        var (nx, ny) = (x + dx, y + dy);
                        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
                        var neighbour = ny * width + nx;
                        if (!map.Solid[neighbour] || seen[neighbour]) continue;
                        seen[neighbour] = true;
                        stack.Push(neighbour);
                    }
            }
            parts.Add(new InkPart(pixels, width));
        }
        return parts;
    }

    /// <summary>Joins parts that are strokes of one digit, until no two more qualify.</summary>
    private static List<InkPart> MergeStrokes(List<InkPart> parts, double scale, int imageWidth, ReadingOptions options)
    {
        var merged = true;
        while (merged)
        {
            merged = false;
            for (var i = 0; i < parts.Count && !merged; i++)
                for (var j = i + 1; j < parts.Count && !merged; j++)
                {
                    if (!AreOneDigit(parts[i], parts[j], scale, options)) continue;
                    parts[i] = parts[i].Merge(parts[j], imageWidth);
                    parts.RemoveAt(j);
                    merged = true;
                }
        }
        return parts;
    }

    private static bool AreOneDigit(InkPart a, InkPart b, double scale, ReadingOptions options)
    {
        var overlap = Math.Min(a.MaxX, b.MaxX) - Math.Max(a.MinX, b.MinX) + 1;
        if (overlap < options.MergeOverlap * Math.Min(a.Width, b.Width)) return false;
        var verticalGap = Math.Max(a.MinY, b.MinY) - Math.Min(a.MaxY, b.MaxY) - 1;
        if (verticalGap > options.MergeVerticalGap * scale) return false;
        var mergedWidth = Math.Max(a.MaxX, b.MaxX) - Math.Min(a.MinX, b.MinX) + 1;
        return mergedWidth <= options.MergeMaxWidth * scale;
    }

    /// <summary>
    /// A long thin stroke leaning right (its top further right than its bottom) by more than a handwritten 1 leans,
    /// judged from the second moments of its pixels.
    /// </summary>
    private static bool IsSlash(InkPart part, int imageWidth, ReadingOptions options)
    {
        double meanX = 0, meanY = 0;
        foreach (var index in part.Pixels)
        {
            meanX += index % imageWidth;
            meanY += index / imageWidth;
        }
        meanX /= part.Pixels.Count;
        meanY /= part.Pixels.Count;
        double xx = 0, yy = 0, xy = 0;
        foreach (var index in part.Pixels)
        {
            var (dx, dy) = (index % imageWidth - meanX, index / imageWidth - meanY);
            xx += dx * dx;
            yy += dy * dy;
            xy += dx * dy;
        }
        var (mean, spread) = ((xx + yy) / 2, Math.Sqrt((xx - yy) * (xx - yy) / 4 + xy * xy));
        var (along, across) = (mean + spread, Math.Max(mean - spread, 1e-9));
        if (Math.Sqrt(along / across) < options.SlashElongation) return false;
        // The principal axis' angle from upright; y grows downwards, so a stroke whose top leans right has xy < 0.
        var fromUpright = 90 - Math.Abs(0.5 * Math.Atan2(2 * xy, xx - yy) * 180 / Math.PI);
        return xy < 0 && fromUpright > options.SlashAngle;
    }
}
