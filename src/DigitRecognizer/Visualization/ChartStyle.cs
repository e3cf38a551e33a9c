using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace DigitRecognizer.Visualization;

/// <summary>
/// The one look of every picture: size, fonts and colours chosen so a chart reads at 100% zoom on a
/// laptop screen or in a README column; and turning plots into PNG bytes, headless.
/// </summary>
internal static class ChartStyle
{
    /// <summary>Width of a one-panel chart, in pixels.</summary>
    public const int Width = 1000;

    /// <summary>Height of a chart, in pixels.</summary>
    public const int Height = 700;

    // Font sizes in pixels. ScottPlot's defaults (12–16 px) need zooming at 1000 px wide.
    public const float TitleSize = 22;
    public const float LabelSize = 18;
    public const float TickSize = 15;
    public const float LegendSize = 15;

    // Okabe–Ito colours: told apart with the common colour-vision deficiencies, and in greyscale print.
    public static readonly Color Blue = Color.FromHex("#0072B2");
    public static readonly Color Orange = Color.FromHex("#E69F00");
    public static readonly Color Green = Color.FromHex("#009E73");
    public static readonly Color Vermillion = Color.FromHex("#D55E00");
    public static readonly Color Ink = Color.FromHex("#222222");

    /// <summary>Colour of right answers.</summary>
    public static Color Right => Green;

    /// <summary>Colour of wrong answers.</summary>
    public static Color Wrong => Vermillion;

    /// <summary>
    /// A sans-serif family this machine has. ScottPlot's own guess can land on a serif face on Linux;
    /// the fallback is whatever SkiaSharp's default is.
    /// </summary>
    public static string FontName { get; } = PickFont();

    /// <summary>The typeface of <see cref="FontName"/>, for pictures drawn with SkiaSharp directly.</summary>
    public static SKTypeface Typeface(bool bold = false) =>
        SKTypeface.FromFamilyName(FontName, bold ? SKFontStyle.Bold : SKFontStyle.Normal) ?? SKTypeface.Default;

    /// <summary>A plot with the house style, its title (first line: what; second line: the model and data) and axis labels.</summary>
    public static Plot NewPlot(string title, string subtitle, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Title(string.IsNullOrEmpty(subtitle) ? title : $"{title}\n{subtitle}", TitleSize);
        plot.XLabel(xLabel, LabelSize);
        plot.YLabel(yLabel, LabelSize);
        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
        {
            axis.TickLabelStyle.FontSize = TickSize;
            axis.TickLabelStyle.ForeColor = Ink;
            axis.Label.ForeColor = Ink;
        }
        plot.Axes.Title.Label.ForeColor = Ink;
        plot.Legend.FontSize = LegendSize;
        return plot;
    }

    /// <summary>Renders <paramref name="plot"/> to PNG bytes.</summary>
    public static byte[] ToPng(Plot plot, int width = Width, int height = Height) =>
        plot.GetImageBytes(width, height, ImageFormat.Png);

    /// <summary>
    /// Renders <paramref name="panels"/> side by side, each <paramref name="panelWidth"/> wide, under a heading
    /// of two centred lines (what the picture shows; the model and the data), into one PNG.
    /// </summary>
    public static byte[] ToPng(IReadOnlyList<Plot> panels, int panelWidth, string title, string subtitle, int height = Height)
    {
        const int headingHeight = 76;
        var info = new SKImageInfo(panelWidth * panels.Count, headingHeight + height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using (var font = new SKFont(Typeface(), TitleSize))
        using (var paint = new SKPaint { Color = Ink.ToSKColor(), IsAntialias = true })
        {
            canvas.DrawText(title, info.Width / 2f, 30, SKTextAlign.Center, font, paint);
            canvas.DrawText(subtitle, info.Width / 2f, 60, SKTextAlign.Center, font, paint);
        }
        for (var i = 0; i < panels.Count; i++)
        {
            // Each panel on its own surface: Plot.Render clears the whole canvas it is given.
            using var panel = SKSurface.Create(new SKImageInfo(panelWidth, height, SKColorType.Rgba8888, SKAlphaType.Premul));
            panels[i].Render(panel);
            using var image = panel.Snapshot();
            canvas.DrawImage(image, i * panelWidth, headingHeight);
        }
        return Encode(surface);
    }

    /// <summary>The surface's pixels as PNG bytes.</summary>
    public static byte[] Encode(SKSurface surface)
    {
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>Formats with the invariant culture, so pictures read the same on every machine (1,234.5).</summary>
    public static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A share 0–1 as a percentage with two decimals, "99.12%".</summary>
    public static string Percent(double share) => Text($"{share * 100:F2}%");

    private static string PickFont()
    {
        foreach (var family in new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Segoe UI", "Noto Sans" })
        {
            using var typeface = SKFontManager.Default.MatchFamily(family);
            if (typeface is not null && typeface.FamilyName == family)
                return family;
        }
        return SKTypeface.Default.FamilyName;
    }
}
