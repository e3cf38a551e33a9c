using SkiaSharp;

namespace DigitRecognizer.Visualization;

/// <summary>How a tile's caption is coloured: plain, or marked as a right or a wrong answer.</summary>
public enum TileTone
{
    /// <summary>Nothing to judge (a label, an unchecked prediction).</summary>
    Plain,

    /// <summary>The model's answer matches the label.</summary>
    Right,

    /// <summary>The model's answer does not match the label; the tile also gets a coloured frame.</summary>
    Wrong,
}

/// <summary>One digit of a grid with its caption (one or two lines, separated by a line feed).</summary>
/// <param name="Pixels">784 values 0 (background) … 1 (ink), row by row, as in <see cref="Data.DigitDataset"/>.</param>
public sealed record DigitTile(ReadOnlyMemory<float> Pixels, string Caption, TileTone Tone = TileTone.Plain);

/// <summary>How a digit grid is laid out.</summary>
public sealed record DigitGridOptions
{
    /// <summary>Screen pixels per image pixel: 3 draws each 28×28 digit as an 84×84 tile.</summary>
    public int Scale { get; init; } = 3;

    /// <summary>Tiles per row; 0 chooses a near-square grid of at most <see cref="DigitGrid.MaxAutoColumns"/> columns.</summary>
    public int Columns { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (Scale is < 1 or > 16) throw new ArgumentException($"Scale must be 1–16 screen pixels per image pixel (got {Scale}).");
        if (Columns < 0) throw new ArgumentException($"Columns must be 0 (automatic) or more (got {Columns}).");
    }
}

/// <summary>
/// Draws digits as a grid of tiles, dark ink on white as on paper, each with a caption under it and a
/// two-line heading above (what the picture shows; where the digits come from). Headless, with SkiaSharp.
/// </summary>
/// <remarks>
/// Layout, in pixels: a <see cref="Margin"/> all round; a heading of <see cref="HeadingHeight"/>; tiles of
/// 28 × Scale with <see cref="Gap"/> between them; under each tile <see cref="LineHeight"/> per caption line
/// (the most any tile has). The picture is at least <see cref="MinWidth"/> wide so the heading fits; the
/// grid is centred in it.
/// </remarks>
public static class DigitGrid
{
    /// <summary>Most columns an automatic layout uses.</summary>
    public const int MaxAutoColumns = 12;

    /// <summary>Space round the picture's edge.</summary>
    public const int Margin = 16;

    /// <summary>Height of the two-line heading.</summary>
    public const int HeadingHeight = 60;

    /// <summary>Space between tiles, across and down.</summary>
    public const int Gap = 12;

    /// <summary>Height of one caption line.</summary>
    public const int LineHeight = 19;

    /// <summary>Narrowest picture, so a heading fits.</summary>
    public const int MinWidth = 560;

    private const float HeadingSize = 18;
    private const float SubheadingSize = 14;
    private const float CaptionSize = 15;

    /// <summary>Renders <paramref name="tiles"/> as a PNG.</summary>
    /// <exception cref="ArgumentException">There are no tiles, a tile is not 784 pixels, or an option is out of range.</exception>
    public static byte[] Render(IReadOnlyList<DigitTile> tiles, string title, string subtitle, DigitGridOptions? options = null)
    {
        options ??= new DigitGridOptions();
        options.Validate();
        if (tiles.Count == 0) throw new ArgumentException("There are no digits to draw.", nameof(tiles));
        foreach (var tile in tiles)
            if (tile.Pixels.Length != DigitImage.PixelCount)
                throw new ArgumentException($"A digit has {tile.Pixels.Length} pixels; expected {DigitImage.PixelCount}.", nameof(tiles));

        var layout = Layout.Of(tiles, options);
        var info = new SKImageInfo(layout.Width, layout.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        DrawHeading(canvas, layout.Width, title, subtitle);

        using var captionFont = new SKFont(ChartStyle.Typeface(), CaptionSize);
        using var paint = new SKPaint { IsAntialias = true };
        for (var i = 0; i < tiles.Count; i++)
        {
            var (left, top) = layout.TileOrigin(i);
            var tile = tiles[i];
            var rect = SKRect.Create(left, top, layout.TileSide, layout.TileSide);
            using (var image = ToImage(tile.Pixels.Span))
                canvas.DrawImage(image, rect, new SKSamplingOptions(SKFilterMode.Nearest));

            paint.Style = SKPaintStyle.Stroke;
            paint.StrokeWidth = tile.Tone == TileTone.Wrong ? 3 : 1;
            paint.Color = tile.Tone == TileTone.Wrong ? ChartStyle.Wrong.ToSKColor() : new SKColor(0xC8, 0xC8, 0xC8);
            canvas.DrawRect(rect, paint);

            paint.Style = SKPaintStyle.Fill;
            paint.Color = ToneColor(tile.Tone);
            var lines = tile.Caption.Split('\n');
            for (var line = 0; line < lines.Length; line++)
                DrawFitted(canvas, lines[line], captionFont, layout.TileSide + Gap - 2,
                    left + layout.TileSide / 2f, top + layout.TileSide + (line + 1) * LineHeight - 4, paint);
        }
        return ChartStyle.Encode(surface);
    }

    /// <summary>The size in pixels of the picture <see cref="Render"/> draws for these tiles.</summary>
    public static (int Width, int Height) Measure(IReadOnlyList<DigitTile> tiles, DigitGridOptions? options = null)
    {
        var layout = Layout.Of(tiles, options ?? new DigitGridOptions());
        return (layout.Width, layout.Height);
    }

    private static SKColor ToneColor(TileTone tone) => tone switch
    {
        TileTone.Right => ChartStyle.Right.ToSKColor(),
        TileTone.Wrong => ChartStyle.Wrong.ToSKColor(),
        _ => ChartStyle.Ink.ToSKColor(),
    };

    // Ink 1 → black, background 0 → white.
    private static SKImage ToImage(ReadOnlySpan<float> pixels)
    {
        var gray = new byte[DigitImage.PixelCount];
        for (var i = 0; i < gray.Length; i++)
            gray[i] = (byte)Math.Round(255 * (1 - Math.Clamp(pixels[i], 0f, 1f)));
        var info = new SKImageInfo(DigitImage.Side, DigitImage.Side, SKColorType.Gray8, SKAlphaType.Opaque);
        return SKImage.FromPixelCopy(info, gray, DigitImage.Side);
    }

    private static void DrawHeading(SKCanvas canvas, int width, string title, string subtitle)
    {
        using var paint = new SKPaint { IsAntialias = true, Color = ChartStyle.Ink.ToSKColor() };
        using var titleFont = new SKFont(ChartStyle.Typeface(bold: true), HeadingSize);
        using var subtitleFont = new SKFont(ChartStyle.Typeface(), SubheadingSize);
        DrawFitted(canvas, title, titleFont, width - 2 * Margin, width / 2f, Margin + 20, paint);
        DrawFitted(canvas, subtitle, subtitleFont, width - 2 * Margin, width / 2f, Margin + 42, paint);
    }

    // Centred on one line; a line wider than the room is drawn smaller rather than cut or run into its neighbours.
    private static void DrawFitted(SKCanvas canvas, string text, SKFont font, float room, float centre, float baseline, SKPaint paint)
    {
        var size = font.Size;
        var measured = font.MeasureText(text);
        if (measured > room) font.Size = Math.Max(8, size * room / measured);
        canvas.DrawText(text, centre, baseline, SKTextAlign.Center, font, paint);
        font.Size = size;
    }

    private sealed record Layout(int Columns, int Rows, int TileSide, int CaptionLines, int Width, int Height)
    {
        public static Layout Of(IReadOnlyList<DigitTile> tiles, DigitGridOptions options)
        {
            var count = Math.Max(1, tiles.Count);
            var columns = options.Columns > 0
                ? Math.Min(options.Columns, count)
                : Math.Min(MaxAutoColumns, (int)Math.Ceiling(Math.Sqrt(count)));
            var rows = (count + columns - 1) / columns;
            var tileSide = DigitImage.Side * options.Scale;
            var captionLines = tiles.Count == 0 ? 0 : tiles.Max(t => t.Caption.Length == 0 ? 0 : t.Caption.Split('\n').Length);
            var gridWidth = columns * tileSide + (columns - 1) * Gap;
            var width = Math.Max(MinWidth, gridWidth + 2 * Margin);
            var height = Margin + HeadingHeight + rows * (tileSide + captionLines * LineHeight) + (rows - 1) * Gap + Margin;
            return new Layout(columns, rows, tileSide, captionLines, width, height);
        }

        public (float Left, float Top) TileOrigin(int index)
        {
            var gridWidth = Columns * TileSide + (Columns - 1) * Gap;
            var left = (Width - gridWidth) / 2 + index % Columns * (TileSide + Gap);
            var top = Margin + HeadingHeight + index / Columns * (TileSide + CaptionLines * LineHeight + Gap);
            return (left, top);
        }
    }
}
