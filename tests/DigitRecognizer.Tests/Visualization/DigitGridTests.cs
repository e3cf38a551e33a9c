using DigitRecognizer.Visualization;

namespace DigitRecognizer.Tests.Visualization;

[Trait("Category", "Fast")]
public class DigitGridTests
{
    [Fact]
    public void Render_ATinySet_IsAPngOfTheLaidOutSize_WithDarkInkOnWhite()
    {
        var data = TestData.Synthetic(7);
        var tiles = DigitPictures.SampleTiles(data, 7, labels: true);

        var png = DigitGrid.Render(tiles, "title", "subtitle", new DigitGridOptions { Scale = 5, Columns = 4 });

        using var bitmap = Png.Decode(png);
        // 4 columns of 140 px tiles with 3 gaps of 12, plus 16 px margins: 4·140 + 3·12 + 2·16 = 628 wide.
        // Height: margin 16 + heading 60 + 2 rows of (140 tile + 19 caption line) + 1 gap of 12 + margin 16 = 422.
        Assert.Equal((628, 422), (bitmap.Width, bitmap.Height));
        Assert.Equal((628, 422), DigitGrid.Measure(tiles, new DigitGridOptions { Scale = 5, Columns = 4 }));
        // Synthetic digit 0 is a full-ink 4×4 square from column 2 (its top row varies with the seed): inside it the
        // first tile must be black; its bottom-right corner (no ink, only noise below 0.2) light.
        const int tileLeft = 16, tileTop = 16 + 60;
        var squareTop = Enumerable.Range(0, 28).First(row => data.Image(0)[row * 28 + 3] == 1f);
        var ink = bitmap.GetPixel(tileLeft + 3 * 5 + 2, tileTop + (squareTop + 1) * 5 + 2);
        var paper = bitmap.GetPixel(tileLeft + 27 * 5 - 2, tileTop + 27 * 5 - 2);
        Assert.True(ink.Red < 40 && ink.Green < 40 && ink.Blue < 40, $"ink drawn as {ink}");
        Assert.True(paper.Red > 190, $"paper drawn as {paper}");
    }

    [Fact]
    public void Render_AutomaticLayout_IsNearSquare()
    {
        var tiles = DigitPictures.SampleTiles(TestData.Synthetic(10), 10, labels: false);

        using var bitmap = Png.Decode(DigitGrid.Render(tiles, "t", "s"));

        // ⌈√10⌉ = 4 columns, 3 rows of 84 px tiles; 4·84 + 3·12 + 32 = 404 is below the 560 minimum width.
        Assert.Equal((DigitGrid.MinWidth, 16 + 60 + 3 * (84 + 19) + 2 * 12 + 16), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void Render_WithNoDigits_Throws() =>
        Assert.Throws<ArgumentException>(() => DigitGrid.Render([], "t", "s"));

    [Fact]
    public void Render_WithAnImageOfTheWrongSize_Throws() =>
        Assert.Throws<ArgumentException>(() => DigitGrid.Render([new DigitTile(new float[10], "x")], "t", "s"));
}
