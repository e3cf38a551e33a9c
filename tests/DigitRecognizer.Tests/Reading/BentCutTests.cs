using DigitRecognizer.Reading;

namespace DigitRecognizer.Tests.Reading;

/// <summary>The bent cut: the least-ink path from a part's top to its bottom, for digits no straight cut parts.</summary>
[Trait("Category", "Fast")]
public sealed class BentCutTests
{
    private const int ImageWidth = 24;

    [Fact]
    public void TwoLeaningStrokes_ThatNoColumnParts_AreCutApartWithoutCrossingInk()
    {
        // Two strokes, 2 px thick, leaning right one column every two rows, 5 columns apart: the left one's foot
        // (x 11–12) lies right of the right one's head (x 9–10), so every straight cut crosses one of them.
        var left = new List<int>();
        var right = new List<int>();
        for (var y = 0; y < 20; y++)
        {
            left.AddRange([y * ImageWidth + 2 + y / 2, y * ImageWidth + 3 + y / 2]);
            right.AddRange([y * ImageWidth + 9 + y / 2, y * ImageWidth + 10 + y / 2]);
        }
        var part = new InkPart([.. left, .. right], ImageWidth);
        Assert.All(Enumerable.Range(part.MinX + 1, part.Width - 1), column =>
            Assert.False(left.All(i => i % ImageWidth < column) && right.All(i => i % ImageWidth >= column), $"column {column} parts them"));

        var path = NumberReader.LeastInkPath(part, ImageWidth, column: 10, reach: 6, margin: 1);

        Assert.NotNull(path);
        Assert.Equal(part.Height, path.Length);
        Assert.All(path.Zip(path.Skip(1)), step => Assert.InRange(step.Second - step.First, -1, 1));
        Assert.All(left, i => Assert.True(i % ImageWidth < path[i / ImageWidth - part.MinY], $"left pixel {i} is right of the cut"));
        Assert.All(right, i => Assert.True(i % ImageWidth >= path[i / ImageWidth - part.MinY], $"right pixel {i} is left of the cut"));
    }

    [Fact]
    public void OnePart_TooNarrowForThePathsMargins_HasNoPath()
    {
        var part = new InkPart([.. Enumerable.Range(0, 10).Select(y => y * ImageWidth + 5)], ImageWidth);

        Assert.Null(NumberReader.LeastInkPath(part, ImageWidth, column: 5, reach: 3, margin: 1));
    }
}
