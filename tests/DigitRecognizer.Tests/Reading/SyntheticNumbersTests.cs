using DigitRecognizer.Data;
using DigitRecognizer.Reading;
using SkiaSharp;

namespace DigitRecognizer.Tests.Reading;

/// <summary>
/// The numbers the reading tests and <c>digits bench-read</c> are measured on cover what issue 15 lists: 2 to 6
/// digits, different heights, baselines a little off, gaps from wide down to touching with some pairs 1–3 px into
/// each other, PNG and JPEG, dark ink on uneven light paper. A change to the generator that drops a case fails here.
/// </summary>
[Trait("Category", "Fast")]
public sealed class SyntheticNumbersTests
{
    private static readonly DigitDataset Training = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train);

    private static readonly List<SyntheticNumber> Numbers = SyntheticNumbers.Generate(Training, count: 200, seed: 9).ToList();

    [Fact]
    public void TypedNumbers_AreAPngOfTheTextsSize_AndAFontThatCannotBeReadIsNamed()
    {
        using var bitmap = SKBitmap.Decode(SyntheticNumbers.Typed("2026", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 30));
        Assert.Equal((150, 66), (bitmap.Width, bitmap.Height));
        Assert.Contains(Enumerable.Range(0, bitmap.Width), x => bitmap.GetPixel(x, 35).Red < 64);   // through the digits, above the baseline at 45

        var missing = Path.Combine(Path.GetTempPath(), "no-such-font.ttf");
        var error = Assert.Throws<ArgumentException>(() => SyntheticNumbers.Typed("1", missing, 30));
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void OnADesk_TheSameNumbersLieOnASheetInALargerDarkerPhoto()
    {
        var plain = SyntheticNumbers.Generate(Training, 12, seed: 5).ToList();
        var onDesk = SyntheticNumbers.Generate(Training, 12, seed: 5, new SyntheticNumberOptions { Paper = PaperKind.Desk }).ToList();

        Assert.Equal(plain.Select(n => n.Text), onDesk.Select(n => n.Text));
        for (var i = 0; i < plain.Count; i++)
        {
            var (sheet, photo) = (plain[i], onDesk[i]);
            Assert.True(photo.Width >= sheet.Width * 1.25 - 1 && photo.Height >= sheet.Height * 1.25 - 1, $"{photo.Width}×{photo.Height} for a {sheet.Width}×{sheet.Height} sheet");
            Assert.Equal(sheet.Boxes.Select(b => (b.Width, b.Height)), photo.Boxes.Select(b => (b.Width, b.Height)));
            using var bitmap = SKBitmap.Decode(photo.Encoded);
            // The sheet fills at most 1/1.25² of the photo: some of its edge is desk, darker than any paper drawn.
            var edge = Enumerable.Range(0, bitmap.Width).Select(x => bitmap.GetPixel(x, 0).Red)
                .Concat(Enumerable.Range(0, bitmap.Width).Select(x => bitmap.GetPixel(x, bitmap.Height - 1).Red))
                .Concat(Enumerable.Range(0, bitmap.Height).Select(y => bitmap.GetPixel(0, y).Red))
                .Concat(Enumerable.Range(0, bitmap.Height).Select(y => bitmap.GetPixel(bitmap.Width - 1, y).Red));
            Assert.Contains(edge, tone => tone < 0.45 * 255);
        }
    }

    [Fact]
    public void Numbers_HoldTwoToSixDigits_WithTheirLabelsAndABoxEach()
    {
        Assert.Equal([2, 3, 4, 5, 6], Numbers.Select(n => n.Text.Length).Distinct().Order());
        foreach (var number in Numbers)
        {
            Assert.Equal(number.Text.Length, number.Boxes.Count);
            Assert.Equal(number.Text, string.Concat(number.Indices.Select(i => Training.Labels![i])));
            Assert.All(number.Boxes, b => Assert.True(b.Width > 0 && b.Right <= number.Width && b.Bottom <= number.Height, $"{b}"));
        }
    }

    [Fact]
    public void Gaps_RunFromWideDownToInkOverlappingByOneToThreePixels()
    {
        var pairs = Numbers.SelectMany(n => n.Boxes.Zip(n.Boxes.Skip(1), (left, right) => (Gap: right.X - left.Right, Height: left.Height))).ToList();
        var overlaps = pairs.Select(p => -p.Gap).Where(o => o > 0).ToList();

        Assert.Contains(pairs, p => p.Gap > 0.5 * p.Height);              // wide
        Assert.Contains(pairs, p => p.Gap is >= 0 and <= 1);               // touching
        foreach (var pixels in new[] { 1, 2, 3 }) Assert.Contains(pixels, overlaps);
        // Laid out at most 3 px into each other; turning the number by up to 4° moves a box's edge by at most its height · tan 4°.
        var tilt = Math.Tan(new SyntheticNumberOptions().MaxRotation * Math.PI / 180);
        Assert.All(pairs.Where(p => p.Gap < 0), p => Assert.True(-p.Gap <= 3 + Math.Ceiling(p.Height * tilt) + 1, $"{-p.Gap} px into each other"));
        Assert.InRange(Numbers.Average(n => n.Touching.Count(t => t) / (double)n.Touching.Count), 0.15, 0.35);
    }

    [Fact]
    public void Digits_DifferInHeightAndBaseline_OnUnevenPaper_InPngAndJpeg()
    {
        Assert.Contains(Numbers, n => n.Jpeg);
        Assert.Contains(Numbers, n => !n.Jpeg);
        // Baselines a little off: the bottoms of neighbours differ, by less than half a digit.
        var steps = Numbers.SelectMany(n => n.Boxes.Zip(n.Boxes.Skip(1), (a, b) => Math.Abs(a.Bottom - b.Bottom) / (double)a.Height)).ToList();
        Assert.True(steps.Count(s => s > 0.03) > steps.Count / 2, "baselines are level");
        // Paper: light, and not one flat tone; ink: dark.
        var number = Numbers.First(n => !n.Jpeg);
        using var page = SKBitmap.Decode(number.Encoded);
        var corners = new[] { page.GetPixel(1, 1), page.GetPixel(page.Width - 2, 1), page.GetPixel(1, page.Height - 2), page.GetPixel(page.Width - 2, page.Height - 2) }
            .Select(c => (int)c.Red).ToList();
        Assert.All(corners, c => Assert.True(c > 150, $"paper tone {c}"));
        Assert.True(corners.Max() - corners.Min() >= 4, $"paper tones {string.Join(", ", corners)}: flat");
        var box = number.Boxes[0];
        var darkest = Enumerable.Range(box.Y, box.Height).SelectMany(y => Enumerable.Range(box.X, box.Width).Select(x => page.GetPixel(x, y).Red)).Min();
        Assert.True(darkest < 110, $"ink tone {darkest}");
    }

    [Fact]
    public void TheSameSeed_DrawsTheSameImages()
    {
        var again = SyntheticNumbers.Generate(Training, count: 3, seed: 9).ToList();

        for (var i = 0; i < again.Count; i++) Assert.Equal(Numbers[i].Encoded, again[i].Encoded);
    }

    [Theory]
    [InlineData(PaperKind.Ruled)]
    [InlineData(PaperKind.Squared)]
    [InlineData(PaperKind.Underlined)]
    public void PaperWithLines_HoldsTheSameDigitsInTheSamePlaces_AndLinesAcrossThePaper(PaperKind paper)
    {
        var options = new SyntheticNumberOptions { Paper = paper, JpegShare = 0 };
        var plain = SyntheticNumbers.Generate(Training, count: 10, seed: 9, options with { Paper = PaperKind.Plain }).ToList();
        var lined = SyntheticNumbers.Generate(Training, count: 10, seed: 9, options).ToList();

        for (var n = 0; n < plain.Count; n++)
        {
            Assert.Equal(plain[n].Indices, lined[n].Indices);
            Assert.Equal(plain[n].Boxes, lined[n].Boxes);
            // Paper between the digits' boxes: plain on plain paper, and on lined paper darker somewhere (a line).
            var (plainDark, linedDark) = (DarkOutsideDigits(plain[n]), DarkOutsideDigits(lined[n]));
            Assert.True(linedDark > plainDark + 20, $"{paper} #{n}: {linedDark} dark pixels outside the digits, {plainDark} on plain paper");
        }
    }

    [Fact]
    public void InAFormsBoxes_NoDigitsTouch_AndLinesRunBetweenThem()
    {
        var numbers = SyntheticNumbers.Generate(Training, count: 10, seed: 9, new SyntheticNumberOptions { Paper = PaperKind.Boxes, JpegShare = 0 }).ToList();

        foreach (var number in numbers)
        {
            Assert.DoesNotContain(true, number.Touching);
            Assert.True(DarkOutsideDigits(number) > 20, $"#{numbers.IndexOf(number)}: no box drawn");
        }
    }

    [Fact]
    public void PlainPaper_DrawsWhatTheDefaultsDraw()
    {
        var defaults = SyntheticNumbers.Generate(Training, count: 5, seed: 9).Select(n => n.Encoded);
        var plain = SyntheticNumbers.Generate(Training, count: 5, seed: 9, new SyntheticNumberOptions { Paper = PaperKind.Plain }).Select(n => n.Encoded);

        Assert.Equal(defaults, plain);
    }

    // Pixels well darker than the page's median that lie outside every digit's box (grown by 2 px).
    private static int DarkOutsideDigits(SyntheticNumber number)
    {
        using var bitmap = SKBitmap.Decode(number.Encoded);
        var tones = new List<byte>();
        for (var y = 0; y < bitmap.Height; y++)
            for (var x = 0; x < bitmap.Width; x++) tones.Add(bitmap.GetPixel(x, y).Red);
        var median = tones.Order().ElementAt(tones.Count / 2);
        var dark = 0;
        for (var y = 0; y < bitmap.Height; y++)
            for (var x = 0; x < bitmap.Width; x++)
            {
                if (number.Boxes.Any(b => x >= b.X - 2 && x < b.Right + 2 && y >= b.Y - 2 && y < b.Bottom + 2)) continue;
                if (tones[y * bitmap.Width + x] < median - 40) dark++;
            }
        return dark;
    }
}
