using System.Runtime.CompilerServices;

namespace DigitRecognizer.Reading;

/// <summary>
/// Finds the long straight lines printed on the paper or drawn under a number — the rules of lined paper, the grid of
/// squared paper, an underline — and takes them out of the ink before the digits are looked for. Left in, a rule
/// that crosses the digits strings them into one blot, and a grid is one blot the size of the page, which sets the
/// line's scale and makes every digit look like a speck.
/// <para>
/// Lines are looked for only where the blots suggest them: one as wide as most of the image, flat pieces that could
/// span it together, the many small pieces of a faint grid, a thin blot down the whole height (a margin), or a blot
/// much wider than tall (digits on an underline). Candidates come from a Hough transform (slopes up to
/// <see cref="ReadingOptions.LineMaxSlope"/>); each is followed along its length and kept only when it is long, thin
/// for its length, bare along much of it, spread along the whole page (a rule) or unbroken (an underline), and
/// straight, as print is and a handwritten stroke seldom is. Where a digit's stroke crosses or lies along the line,
/// the stroke's pixels stay. Images with none of these blots cost one look at each blot's box.
/// </para>
/// </summary>
internal static class PaperLines
{
    /// <summary>Runs longer than this across the line, in pixels, are not followed further: the line is crossed there.</summary>
    private const int RunCap = 64;

    /// <summary>Widest gap, in pixels, within a stretch of line: JPEG and faint print break a rule here and there.</summary>
    private const int MaxGap = 3;

    /// <summary>
    /// Removes the lines found from <paramref name="map"/> (its solid pixels and their soft ink) and returns each one
    /// removed as a part holding the pixels taken out (for its box). Empty when there is none, and the map is untouched.
    /// </summary>
    public static List<InkPart> Remove(InkMap map, List<InkPart> components, ReadingOptions options)
    {
        var removed = new List<InkPart>();
        if (!options.RemovePaperLines) return removed;
        removed.AddRange(RemoveRules(map, components, options));
        if (removed.Count == 0) removed.AddRange(RemoveMargin(map, components, options));
        foreach (var part in components)
        {
            // Long enough to hold a thin line, and not across most of the image (looked at with the rules), nor a blot a
            // rule ran through (digits strung on it, whose bottoms and stubs of the rule lie along a line).
            if (part.Width < options.LineMinElongation * 2 || part.Width >= options.LineMinLength * map.Width) continue;
            if (removed.Count > 0 && part.Pixels.Any(i => !map.Solid[i])) continue;
            if (RemoveFrame(map, part, options) is { Count: > 0 } frame)
            {
                removed.AddRange(frame);
                continue;
            }
            // Much wider than tall: may be digits on an underline.
            if (part.Width < options.UnderlineAspect * part.Height) continue;
            // An underline lies at the bottom of its blot, under ink it does not cross, unbroken along most of it.
            var length = options.UnderlineMinLength * part.Width;
            var underline = Find(map, map.Solid, part, horizontal: true, part.MinX, part.MaxX, new LineTest(length, length, null), options)
                .FirstOrDefault(line => line.MeanCentre >= part.MinY + (1 - options.UnderlineBottomShare) * part.Height
                                        && part.Height >= 3 * line.Thickness + options.DigitMinPixels);
            if (underline is not null) removed.Add(Erase(map, map.Solid, underline, options));
        }
        return removed;
    }

    /// <summary>
    /// The rules of lined or squared paper: lines across the image, whole (one blot as wide as most of the image,
    /// with the digits it touches) or broken into pieces (faint print, JPEG), and for squared paper its columns.
    /// </summary>
    private static List<InkPart> RemoveRules(InkMap map, List<InkPart> components, ReadingOptions options)
    {
        // Worth looking for only with a blot across most of the image, flat pieces that together could span it, or the
        // many small pieces a faint grid breaks into; nearly every image of a number has none of these.
        var wide = components.Any(p => p.Width >= options.LineMinLength * map.Width);
        var flat = components.Where(p => p.Width >= options.LinePieceAspect * p.Height && p.Width >= options.DigitMinPixels).Sum(p => p.Width);
        if (!wide && flat < options.LineMinCoverage * map.Width && components.Count < options.LineSearchParts) return [];
        // Followed on fainter ink than the solid: a light rule is solid only in pieces (JPEG, a grid's thin lines).
        var mask = new bool[map.Length];
        var pixels = new List<int>();
        for (var i = 0; i < map.Length; i++)
            if (map.Solid[i] || map.Ink[i] >= options.LineFaintInk)
            {
                mask[i] = true;
                pixels.Add(i);
            }
        var all = new InkPart(pixels, map.Width);
        var across = new LineTest(options.LineMinCoverage * map.Width, 0, (0, map.Width - 1));
        var rules = Find(map, mask, all, horizontal: true, 0, map.Width - 1, across, options);
        // One line alone, no longer than 1.5 times the tallest blot, may be a digit's own bar (a 7 or a 5 cropped tight);
        // two or more parallel ones are paper (rules with digits between, a grid).
        if (rules.Count == 1 && rules[0].Coverage < options.LoneRuleLength * components.Max(p => p.Height)) return [];
        var removed = rules.Select(line => Erase(map, mask, line, options)).ToList();
        if (removed.Count == 0) return removed;
        // The columns of squared paper, the sides of a form's boxes, or a notebook's margin: only where rules were found
        // across the image.
        var remaining = new InkPart(all.Pixels.Where(i => mask[i]).ToList(), map.Width);
        if (remaining.Pixels.Count == 0) return removed;
        // Upright lines run between the rules (a form's boxes between its frame's top and bottom, a grid across them all).
        var (first, last) = rules.Count >= 2 ? ((int)rules.Min(r => r.MeanCentre), (int)Math.Ceiling(rules.Max(r => r.MeanCentre))) : (0, map.Height - 1);
        var down = new LineTest(options.LineMinCoverage * (last - first + 1), 0, (first, last));
        var columns = Find(map, mask, remaining, horizontal: false, 0, map.Height - 1, down, options);
        // A lone upright line is a page's margin only when it runs the whole height; a 1 seldom touches both edges.
        if (columns.Count == 1 && columns[0].Coverage < options.MarginMinCoverage * map.Height) columns.Clear();
        removed.AddRange(columns.Select(line => Erase(map, mask, line, options)));
        return removed;
    }

    /// <summary>
    /// A form's boxes round the digits: a blot whose top and bottom are long straight lines, unbroken along most of its
    /// width, with at least two upright lines between them (the boxes' sides). All of them are taken out; empty when
    /// the blot is not such a frame, and then it is untouched.
    /// </summary>
    private static List<InkPart> RemoveFrame(InkMap map, InkPart part, ReadingOptions options)
    {
        // Boxes round a number of two digits or more are wider than tall; most single digits are not, and are spared the search.
        if (part.Height < 2 * options.DigitMinPixels || part.Width < options.FrameMinAspect * part.Height) return [];
        var length = options.UnderlineMinLength * part.Width;
        var lines = Find(map, map.Solid, part, horizontal: true, part.MinX, part.MaxX, new LineTest(length, length, null), options);
        var edge = options.UnderlineBottomShare * part.Height;
        var top = lines.Where(l => l.MeanCentre <= part.MinY + edge).MinBy(l => l.MeanCentre);
        var bottom = lines.Where(l => l.MeanCentre >= part.MaxY - edge).MaxBy(l => l.MeanCentre);
        if (top is null || bottom is null) return [];
        var (first, last) = ((int)top.MeanCentre, (int)Math.Ceiling(bottom.MeanCentre));
        var span = last - first + 1;
        var sides = Find(map, map.Solid, part, horizontal: false, part.MinY, part.MaxY,
            new LineTest(options.UnderlineMinLength * span, 0.5 * span, (first, last)), options);
        if (sides.Count < 2) return [];
        return [.. new[] { top, bottom }.Concat(sides).Select(line => Erase(map, map.Solid, line, options))];
    }

    /// <summary>
    /// A notebook's margin on a page whose rules were not found (too light to be ink): one thin blot down the whole
    /// height, beside ink clearly shorter than it (a 1 in a tight crop is as tall as the digits beside it).
    /// </summary>
    private static List<InkPart> RemoveMargin(InkMap map, List<InkPart> components, ReadingOptions options)
    {
        var tall = components.Where(p => p.Height >= options.MarginMinCoverage * map.Height && p.Width * options.LineMinElongation <= p.Height).ToList();
        if (tall.Count != 1) return [];
        var others = components.Where(p => p != tall[0]).ToList();
        if (others.Count == 0 || others.Max(p => p.Height) > options.MarginMaxDigitHeight * map.Height) return [];
        // Unbroken over half the page at least: a printed margin is one stroke.
        var down = new LineTest(options.MarginMinCoverage * map.Height, 0.5 * map.Height, (0, map.Height - 1));
        var margin = Find(map, map.Solid, tall[0], horizontal: false, 0, map.Height - 1, down, options);
        return margin.Count == 1 ? [Erase(map, map.Solid, margin[0], options)] : [];
    }

    /// <summary>
    /// What a line must show: ink along at least <see cref="MinCoverage"/> positions, unbroken (but for gaps of a
    /// few pixels) over <see cref="MinStretch"/> somewhere, and, when <see cref="Spread"/> is given, ink in most
    /// eighths of that span (<see cref="ReadingOptions.LineMinEighths"/>).
    /// </summary>
    private sealed record LineTest(double MinCoverage, double MinStretch, (int From, int To)? Spread);

    /// <summary>
    /// A line followed along its length: for each position along it that has ink near the line, the run of solid
    /// pixels across it there (<see cref="RunStart"/>..<see cref="RunEnd"/>) and where the line's centre was.
    /// </summary>
    private sealed record Line(bool Horizontal, int[] Along, int[] RunStart, int[] RunEnd, double[] Centre, float[] Darkest, double Thickness)
    {
        public int Coverage => Along.Length;

        /// <summary>The line's own ink: the median of its bare runs' darkest soft ink (print is often lighter than a pen).</summary>
        public float Ink { get; } = Median(Enumerable.Range(0, Along.Length).Where(i => IsBare(RunEnd[i] - RunStart[i] + 1, Thickness)).Select(i => Darkest[i]));

        /// <summary>Whether the run at position <paramref name="i"/> is bare: no thicker than the line.</summary>
        public bool BareAt(int i) => IsBare(RunEnd[i] - RunStart[i] + 1, Thickness);

        private static float Median(IEnumerable<float> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count == 0 ? 1 : sorted[sorted.Count / 2];
        }

        public double MeanCentre => Centre.Average();
    }

    /// <summary>
    /// The lines through the pixels of <paramref name="part"/> in one orientation, followed on <paramref name="mask"/> from
    /// <paramref name="alongMin"/> to <paramref name="alongMax"/>, that pass <paramref name="test"/> and
    /// <see cref="Accept"/>'s other checks, strongest first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<Line> Find(InkMap map, bool[] mask, InkPart part, bool horizontal, int alongMin, int alongMax, LineTest test, ReadingOptions options)
    {
        var (acrossMin, acrossMax) = horizontal ? (part.MinY, part.MaxY) : (part.MinX, part.MaxX);
        var length = alongMax - alongMin + 1;
        if (length < test.MinCoverage) return [];
        // Slopes a step apart that moves the far end by one pixel, up to the steepest allowed.
        var steps = Math.Min(100, (int)(options.LineMaxSlope * length));
        var slopeStep = steps == 0 ? 0 : options.LineMaxSlope / steps;
        var margin = (int)Math.Ceiling(options.LineMaxSlope * length) + 1;
        var (interceptMin, interceptCount) = (acrossMin - margin, acrossMax - acrossMin + 1 + 2 * margin);
        var slopes = 2 * steps + 1;
        var votes = new int[slopes * interceptCount];
        foreach (var index in part.Pixels)
        {
            var (x, y) = (index % map.Width, index / map.Width);
            var (along, across) = horizontal ? (x - alongMin, y) : (y - alongMin, x);
            for (var k = 0; k < slopes; k++)
            {
                var intercept = (int)Math.Round(across - (k - steps) * slopeStep * along) - interceptMin;
                votes[k * interceptCount + intercept]++;
            }
        }
        // The best slope at each intercept; peaks of those are the candidates, most votes first.
        var (best, bestSlope) = (new int[interceptCount], new int[interceptCount]);
        for (var k = 0; k < slopes; k++)
            for (var b = 0; b < interceptCount; b++)
                if (votes[k * interceptCount + b] > best[b]) (best[b], bestSlope[b]) = (votes[k * interceptCount + b], k);
        var candidates = new List<int>();
        for (var b = 0; b < interceptCount; b++)
        {
            if (best[b] < 0.5 * test.MinCoverage) continue;
            var peak = true;
            for (var d = -2; d <= 2 && peak; d++)
                if (d != 0 && b + d >= 0 && b + d < interceptCount && (best[b + d] > best[b] || (best[b + d] == best[b] && d < 0))) peak = false;
            if (peak) candidates.Add(b);
        }
        var found = new List<Line>();
        // Where each line found runs, position by position (NaN where it has no ink): a later candidate that follows one
        // of them for half its length is that line again (its edge, a part of it at another slope, strokes resting on it).
        var taken = new List<(double[] Centre, double Reach)>();
        foreach (var b in candidates.OrderByDescending(b => best[b]))
        {
            var slope = (bestSlope[b] - steps) * slopeStep;
            var intercept = b + interceptMin;
            if (Follow(map, mask, horizontal, intercept, slope, alongMin, alongMax, options) is not { } line) continue;
            var again = 0;
            for (var i = 0; i < line.Coverage; i++)
                if (taken.Any(t => Math.Abs(t.Centre[line.Along[i] - alongMin] - line.Centre[i]) <= t.Reach)) again++;
            if (2 * again >= line.Coverage || !Accept(line, test, options)) continue;
            found.Add(line);
            var centres = Enumerable.Repeat(double.NaN, length).ToArray();
            for (var i = 0; i < line.Coverage; i++) centres[line.Along[i] - alongMin] = line.Centre[i];
            taken.Add((centres, 2 * line.Thickness + 4));
        }
        return found;
    }

    private static double CentreAt(int intercept, double slope, int along) => intercept + slope * along;

    /// <summary>A run across a line is bare, the line alone, when it is no more than 2 px thicker than the line.</summary>
    private static bool IsBare(int run, double thickness) => run <= thickness + 2;

    /// <summary>The map index of the pixel <paramref name="along"/> a line and <paramref name="across"/> it.</summary>
    private static int IndexAt(InkMap map, bool horizontal, int along, int across) =>
        horizontal ? across * map.Width + along : along * map.Width + across;

    /// <summary>
    /// Follows a candidate line from <paramref name="alongMin"/> to <paramref name="alongMax"/>: at each position, the
    /// run of <paramref name="mask"/> within 2 px of where the line should be. Twice: the first pass gives the thickness (the median run:
    /// most of a line is bare), the second lets the centre drift slowly with the bare runs, as a photographed rule
    /// bends a little.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Line? Follow(InkMap map, bool[] mask, bool horizontal, int intercept, double slope, int alongMin, int alongMax, ReadingOptions options)
    {
        var (alongLimit, acrossLimit) = horizontal ? (map.Width, map.Height) : (map.Height, map.Width);
        bool On(int along, int across) => across >= 0 && across < acrossLimit && mask[IndexAt(map, horizontal, along, across)];
        var (alongs, starts, ends, centres) = (new List<int>(), new List<int>(), new List<int>(), new List<double>());
        var darkest = new List<float>();
        double thickness = 0;
        for (var pass = 0; pass < 2; pass++)
        {
            (alongs, starts, ends, centres) = (new List<int>(), new List<int>(), new List<int>(), new List<double>());
            darkest.Clear();
            var drift = 0.0;
            for (var along = Math.Max(0, alongMin); along <= Math.Min(alongLimit - 1, alongMax); along++)
            {
                var expected = CentreAt(intercept, slope, along - alongMin) + drift;
                var near = (int)Math.Round(expected);
                int? hit = null;
                foreach (var offset in (ReadOnlySpan<int>)[0, -1, 1, -2, 2])
                    if (On(along, near + offset)) { hit = near + offset; break; }
                if (hit is not { } at) continue;
                var (start, end) = (at, at);
                while (at - start < RunCap && On(along, start - 1)) start--;
                while (end - at < RunCap && On(along, end + 1)) end++;
                // Only the second pass knows the thickness, and so which runs are bare.
                var bare = pass == 1 && IsBare(end - start + 1, thickness);
                if (bare) drift += options.LineDrift * ((start + end) / 2.0 - expected);
                alongs.Add(along);
                starts.Add(start);
                ends.Add(end);
                centres.Add(bare ? (start + end) / 2.0 : expected);
                var dark = 0f;
                for (var across = start; across <= end; across++)
                    dark = Math.Max(dark, map.Ink[IndexAt(map, horizontal, along, across)]);
                darkest.Add(dark);
            }
            if (alongs.Count == 0) return null;
            if (pass == 0)
            {
                var runs = alongs.Select((_, i) => ends[i] - starts[i] + 1).Order().ToList();
                thickness = runs[runs.Count / 2];
            }
        }
        return new Line(horizontal, [.. alongs], [.. starts], [.. ends], [.. centres], [.. darkest], thickness);
    }

    /// <summary>
    /// Long enough, thin for its length, bare along most of it (of even thickness, not a stroke of a digit that
    /// happens to be straight for a while), and straight: the bare runs' centres within a pixel or two of a line.
    /// </summary>
    private static bool Accept(Line line, LineTest test, ReadingOptions options)
    {
        if (line.Coverage < test.MinCoverage || line.Coverage < options.LineMinElongation * line.Thickness) return false;
        var (longest, stretchStart) = (1, 0);
        for (var i = 1; i < line.Coverage; i++)
        {
            if (line.Along[i] - line.Along[i - 1] > MaxGap + 1) stretchStart = i;
            longest = Math.Max(longest, line.Along[i] - line.Along[stretchStart] + 1);
        }
        if (longest < test.MinStretch) return false;
        // Strokes of several digits that happen to lie along one line (a 4's bar, the bottoms of a 2 and a 5) cover it
        // where the digits are; a rule has ink all along the page, even broken into pieces.
        if (test.Spread is var (from, to))
        {
            var inEighth = new int[8];
            foreach (var along in line.Along)
                if (along >= from && along <= to) inEighth[Math.Min(7, (along - from) * 8 / (to - from + 1))]++;
            var eighth = (to - from + 1) / 8.0;
            // Or unbroken along most of the page: a form's frame, a little narrower than the image, is one stroke.
            if (inEighth.Count(n => n >= options.LineMinEighthShare * eighth) < options.LineMinEighths
                && longest < options.RuleMinUnbroken * (to - from + 1)) return false;
        }
        var bare = Enumerable.Range(0, line.Coverage).Where(line.BareAt).ToList();
        if (bare.Count < options.LineMinBareShare * line.Coverage) return false;
        // Least squares through the bare runs' centres; the deviations' root mean square.
        double n = bare.Count, sa = 0, sc = 0, saa = 0, sac = 0;
        foreach (var i in bare)
        {
            var (a, c) = ((double)line.Along[i], line.Centre[i]);
            (sa, sc, saa, sac) = (sa + a, sc + c, saa + a * a, sac + a * c);
        }
        var denominator = n * saa - sa * sa;
        var fitSlope = denominator == 0 ? 0 : (n * sac - sa * sc) / denominator;
        var fitIntercept = (sc - fitSlope * sa) / n;
        var squares = bare.Sum(i => Math.Pow(line.Centre[i] - (fitIntercept + fitSlope * line.Along[i]), 2));
        return Math.Sqrt(squares / n) <= options.LineMaxWaver + options.LineMaxWaverShare * line.Coverage;
    }

    /// <summary>
    /// Clears the line from the map where it is bare: at each position along it where the run across it is no
    /// thicker than the line and no darker, the run's solid pixels and the soft ink of its band (its thickness and a
    /// pixel either side) and rim, and the run from <paramref name="mask"/> (the map's solid pixels, or fainter ink
    /// too, that it was followed on). Returns the solid pixels cleared.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static InkPart Erase(InkMap map, bool[] mask, Line line, ReadingOptions options)
    {
        var cleared = new List<int>();
        var half = line.Thickness / 2 + 1;
        int Index(int along, int across) => IndexAt(map, line.Horizontal, along, across);
        var acrossLimit = line.Horizontal ? map.Height : map.Width;
        for (var i = 0; i < line.Coverage; i++)
        {
            var (along, start, end, centre) = (line.Along[i], line.RunStart[i], line.RunEnd[i], line.Centre[i]);
            // Thicker than the line: a digit's stroke crosses it, runs along it, or ends on it. Its pixels stay (a stub of
            // the line as wide as the stroke stays with them): cutting the band out of them took the bar off many a 7
            // whose bar lay along a rule.
            if (!line.BareAt(i)) continue;
            // Darker than the line: a digit's stroke lying along a lighter printed line, as thin as it.
            if (line.Darkest[i] > line.Ink + options.LineInkMargin) continue;
            var (low, high) = ((int)Math.Floor(centre - half), (int)Math.Ceiling(centre + half));
            var (from, to) = (Math.Min(start, low), Math.Max(end, high));
            for (var across = Math.Max(0, from - 1); across <= Math.Min(acrossLimit - 1, to + 1); across++)
            {
                var index = Index(along, across);
                var inside = across >= from && across <= to;
                if (map.Solid[index] && inside)
                {
                    map.Solid[index] = false;
                    map.Ink[index] = 0;
                    cleared.Add(index);
                }
                else if (!map.Solid[index]) map.Ink[index] = 0;
                // The mask may be the map's solid pixels themselves (cleared just above) or a wider one.
                if (inside) mask[index] = false;
            }
        }
        return new InkPart(cleared.Count > 0 ? cleared : [Index(line.Along[0], Math.Clamp(line.RunStart[0], 0, acrossLimit - 1))], map.Width);
    }
}
