using DigitRecognizer.Data;
using DigitRecognizer.Imaging;

namespace DigitRecognizer.Tests.Imaging;

public sealed class PaperSurroundTests
{
    private static readonly DigitDataset Training = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train);
    private static readonly PreprocessingOptions Options = new();

    /// <summary>MNIST digit <paramref name="index"/>, white on black as MNIST has it, enlarged <paramref name="scale"/> times.</summary>
    private static (float[] Image, int Side) LightOnBlack(int index, int scale)
    {
        var side = 28 * scale;
        var digit = Training.Image(index);
        var image = new float[side * side];
        for (var y = 0; y < side; y++)
            for (var x = 0; x < side; x++)
                image[y * side + x] = digit[y / scale * 28 + x / scale];
        return (image, side);
    }

    [Fact]
    public void ASheetOnADesk_HasItsDeskPaintedThePapersTone_AndItsWritingKept()
    {
        const int width = 600, height = 400;
        var photo = Enumerable.Repeat(0.15f, width * height).ToArray();
        for (var y = 100; y < 300; y++)
            for (var x = 150; x < 450; x++)
                photo[y * width + x] = y is > 180 and < 220 && x % 40 < 4 ? 0.1f : 0.9f;   // strokes of ink on the sheet

        using var painted = PaperSurround.Fill(photo, width, height, Options);

        Assert.NotNull(painted);
        Assert.InRange(painted.Array[10 * width + 10], 0.85f, 0.95f);                   // the desk
        Assert.Equal(0.1f, painted.Array[200 * width + 200]);                            // a stroke on the sheet
        Assert.Equal(0.9f, painted.Array[150 * width + 300]);                            // the sheet
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    public void ALightDigitOnBlack_IsNoSheet(int scale)
    {
        // Black joined to the whole edge, thick and even, round a light shape: only the shape's thinness tells it from
        // a sheet; painting its background would wipe the digit out.
        for (var index = 0; index < 30; index++)
        {
            var (image, side) = LightOnBlack(index, scale);
            using var painted = PaperSurround.Fill(image, side, side, Options);
            Assert.True(painted is null, $"digit {index} ({Training.Labels![index]}) at {scale}× was taken for a sheet");
        }
    }

    [Theory]
    [InlineData(10)]
    [InlineData(16)]
    public void AnUnderlineAlongTheImagesEdge_WithDigitsTouchingIt_IsNoDesk(int bar)
    {
        // A tight crop of an underlined number: a marker line along the bottom edge, three of the four digits (MNIST's,
        // 4× enlarged) run into it. Joined to the line, they make a dark region along 40% of the edge and over a tenth
        // of the image; worn down from inside the image, the line is gone (both were painted, digits and all, when
        // beyond the image counted as dark and the wearing could be a single cell).
        const int scale = 4, width = 28 * scale * 4 + 40;
        var height = 28 * scale - 8 + bar;
        var page = Enumerable.Repeat(0.9f, width * height).ToArray();
        for (var n = 0; n < 4; n++)
        {
            var digit = Training.Image(new[] { 1, 3, 5, 7 }[n]);
            var raise = n == 2 ? 14 : 0;
            for (var y = 0; y < 28 * scale; y++)
                for (var x = 0; x < 28 * scale; x++)
                {
                    var row = y - 8 - raise;
                    if (row < 0 || row >= height) continue;
                    ref var pixel = ref page[row * width + 20 + n * 28 * scale + x];
                    pixel = Math.Min(pixel, 0.9f - 0.8f * digit[y / scale * 28 + x / scale]);
                }
        }
        for (var y = height - bar; y < height; y++)
            for (var x = 0; x < width; x++)
                page[y * width + x] = 0.1f;

        using var painted = PaperSurround.Fill(page, width, height, Options);

        Assert.Null(painted);
    }

    [Fact]
    public void APageWithoutASurround_IsLeftAlone()
    {
        const int width = 400, height = 200;
        var page = Enumerable.Range(0, width * height).Select(i => 0.85f + 0.1f * (i % width) / width).ToArray();
        using var painted = PaperSurround.Fill(page, width, height, Options);
        Assert.Null(painted);
    }
}
