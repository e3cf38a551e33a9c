using DigitRecognizer.Data;
using DigitRecognizer.Visualization;

namespace DigitRecognizer.Tests.Visualization;

[Trait("Category", "Fast")]
public class AsciiDigitTests
{
    [Fact]
    public void Render_ShadesEachPairOfRowsByItsMeanInk()
    {
        var pixels = new float[DigitImage.PixelCount];
        // Ten bands of 0.1: column 0, full ink in rows 0 and 1 → band 9 '@'; column 1, full ink in row 0 only → mean 0.5 →
        // band 5 '+'; column 2, 0.15 in both rows → band 1 '.'; column 3, 0.09 → band 0 ' '.
        // Row pair 13 (the last line), column 27: full ink → '@'.
        pixels[0] = 1; pixels[DigitImage.Side] = 1;
        pixels[1] = 1;
        pixels[2] = 0.15f; pixels[DigitImage.Side + 2] = 0.15f;
        pixels[3] = 0.09f; pixels[DigitImage.Side + 3] = 0.09f;
        pixels[26 * DigitImage.Side + 27] = 1; pixels[27 * DigitImage.Side + 27] = 1;

        var lines = AsciiDigit.Render(pixels);

        Assert.Equal(14, lines.Length);
        Assert.All(lines, line => Assert.Equal(28, line.Length));
        Assert.Equal("@+." + new string(' ', 25), lines[0]);
        Assert.Equal(new string(' ', 27) + "@", lines[13]);
        Assert.All(lines[1..13], line => Assert.Equal(new string(' ', 28), line));
    }

    [Fact]
    public void Render_TheFirstMnistTestDigit_IsTheSevenItShows()
    {
        var seven = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Test);
        Assert.Equal(7, seven.Labels![0]);

        var lines = AsciiDigit.Render(seven.Image(0));

        string[] expected =
        [
            "                            ",
            "                            ",
            "                            ",
            "      .--:.                 ",
            "      +#*#%@%%%%%%%%%-      ",
            "            . ....:@@:      ",
            "                 :@@:       ",
            "                -@%.        ",
            "               :@%.         ",
            "              +@#.          ",
            "             %@+            ",
            "           -@@-             ",
            "          -@@@.             ",
            "          :==               ",
        ];
        Assert.Equal(expected, lines);
    }

    [Fact]
    public void Render_RejectsAnImageOfTheWrongSize() =>
        Assert.Throws<ArgumentException>(() => AsciiDigit.Render(new float[100]));
}
