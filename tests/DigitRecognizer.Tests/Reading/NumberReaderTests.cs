using DigitRecognizer.Data;
using DigitRecognizer.Inference;
using DigitRecognizer.Reading;

namespace DigitRecognizer.Tests.Reading;

public sealed class NumberReaderTests
{
    private static readonly DigitDataset Training = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train);

    /// <summary>A white page with the MNIST training digits at <paramref name="indices"/> pasted 28 × <paramref name="scale"/> px tall, 30 px apart.</summary>
    private static (float[] Page, int Width, int Height, List<PixelBox> Boxes) Page(int[] indices, Action<float[], int>? draw = null, int scale = 3)
    {
        const int gap = 30, top = 20;
        var width = 40 + indices.Length * (28 * scale + gap);
        var height = 28 * scale + 2 * top;
        var page = Enumerable.Repeat(0.9f, width * height).ToArray();
        var boxes = new List<PixelBox>();
        for (var n = 0; n < indices.Length; n++)
        {
            var image = Training.Image(indices[n]);
            var left = 20 + n * (28 * scale + gap);
            int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
            for (var y = 0; y < 28 * scale; y++)
                for (var x = 0; x < 28 * scale; x++)
                {
                    var ink = image[y / scale * 28 + x / scale];
                    page[(top + y) * width + left + x] = 0.9f - 0.8f * ink;
                    if (ink < 0.5f) continue;
                    (minX, minY, maxX, maxY) = (Math.Min(minX, left + x), Math.Min(minY, top + y), Math.Max(maxX, left + x), Math.Max(maxY, top + y));
                }
            boxes.Add(new PixelBox(minX, minY, maxX - minX + 1, maxY - minY + 1));
        }
        draw?.Invoke(page, width);
        return (page, width, height, boxes);
    }

    [Fact]
    public void ABlankPage_HasNoDigits_AndIsNothingReadable()
    {
        var reading = new NumberReader(TestModels.Mnist).Read(Enumerable.Repeat(0.8f, 300 * 100).ToArray(), 300, 100);

        Assert.True(reading.NoDigits);
        Assert.True(reading.NothingReadable);
        Assert.True(reading.Unsure);
        Assert.Equal("", reading.Text);
    }

    [Fact]
    public void DashesAndDots_AreSkippedAsMarks_AndLeftOutOfTheText()
    {
        // Digits 0, 1 and 2 of the training set, with a dash between the first two and a dot after the last.
        var indices = new[] { 1, 3, 5 };
        var (page, width, height, boxes) = Page(indices, (page, width) =>
        {
            void Fill(int x0, int y0, int w, int h)
            {
                for (var y = y0; y < y0 + h; y++)
                    for (var x = x0; x < x0 + w; x++) page[y * width + x] = 0.1f;
            }
            Fill(GapAfter(0) + 4, 60, 20, 5);
            Fill(width - 20, 95, 5, 5);
        });
        var reader = new NumberReader(TestModels.Mnist);

        var reading = reader.Read(page, width, height);

        Assert.Equal(3, reading.Digits.Count);
        Assert.Equal(string.Concat(indices.Select(i => Training.Labels![i])), reading.Text);
        for (var i = 0; i < 3; i++) Assert.True(reading.Digits[i].Box.IntersectionOverUnion(boxes[i]) >= 0.8, $"{reading.Digits[i].Box} vs {boxes[i]}");
        Assert.Contains(reading.Marks, m => m.Kind == MarkKind.Dash);
        Assert.Contains(reading.Marks, m => m.Kind == MarkKind.Speck);
    }

    [Fact]
    public void ASlashBetweenDigits_AsInADate_IsSkippedAsAMark_AndLeftOutOfTheText()
    {
        // Four training digits with a slash between the second and the third: the pasted frames' full height (a third
        // taller than the digits' ink), leaning 25° from upright, a 5 px pen.
        var indices = new[] { 1, 3, 5, 7 };
        var (page, width, height, boxes) = Page(indices, (page, width) =>
        {
            var (bottomX, bottomY, topY) = (GapAfter(1) + 8.0, 104.0, 20.0);
            var lean = Math.Tan(25 * Math.PI / 180);
            for (var y = (int)topY; y <= bottomY; y++)
            {
                var centre = bottomX + (bottomY - y) * lean;
                for (var x = (int)(centre - 3); x <= centre + 3; x++)
                    if (Math.Abs(x - centre) <= 2.5) page[y * width + x] = 0.1f;
            }
        });

        var reading = new NumberReader(TestModels.Mnist).Read(page, width, height);

        Assert.Equal(string.Concat(indices.Select(i => Training.Labels![i])), reading.Text);
        for (var i = 0; i < 4; i++) Assert.True(reading.Digits[i].Box.IntersectionOverUnion(boxes[i]) >= 0.8, $"{reading.Digits[i].Box} vs {boxes[i]}");
        var slash = Assert.Single(reading.Marks);
        Assert.Equal(MarkKind.Slash, slash.Kind);
        Assert.InRange(slash.Box.X, GapAfter(1), GapAfter(1) + 30);
    }

    [Theory]
    [InlineData(0, 8)]     // a dot of a fine pen
    [InlineData(0, 14)]    // a dot of a marker: alone, it sets the line's scale itself
    [InlineData(40, 14)]   // a short dash (read as "1101110" before strokes were measured)
    [InlineData(150, 14)]  // a long dash
    public void ADotOrADashAlone_IsAMark_AndNothingIsRead(int length, int pen)
    {
        // A round pen drawn from (400, 120) for `length` px on an 840×240 pad, as the page's Number mode would send it.
        const int width = 840, height = 240;
        var page = Enumerable.Repeat(1f, width * height).ToArray();
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var along = Math.Clamp(x - 400, 0, length);
                if (Math.Pow(x - 400 - along, 2) + Math.Pow(y - 120, 2) <= pen * pen / 4.0) page[y * width + x] = 0f;
            }

        var reading = new NumberReader(TestModels.Mnist).Read(page, width, height);

        Assert.Empty(reading.Digits);
        Assert.True(reading.NothingReadable);
        Assert.Equal(length > 0 ? MarkKind.Dash : MarkKind.Speck, Assert.Single(reading.Marks).Kind);
    }

    [Fact]
    public void ABlotAsTallAsTheDigitsBesideIt_IsADigit_NotASpeck()
    {
        // Digits 0, 1 and 2, and in the fourth place a solid ellipse as tall as their median ink: an 8 or a 0 written with
        // a broad pen, its loops filled. Its strokes are "wide" (twice its area over its outline is a third of its
        // height), which alone would make it a blot.
        var indices = new[] { 1, 3, 5, 7 };
        PixelBox blot = default;
        var (page, width, height, boxes) = Page(indices, (page, width) =>
        {
            var left = GapAfter(2) + 30;
            for (var y = 0; y < 28 * 3; y++)
                for (var x = left; x < left + 28 * 3; x++) page[(20 + y) * width + x] = 0.9f;
        });
        var digitHeight = boxes.Take(3).Select(b => b.Height).Order().ElementAt(1);
        var (centreX, centreY, radiusX, radiusY) = (GapAfter(2) + 30 + 42, boxes[0].Y + boxes[0].Height / 2.0, 0.35 * digitHeight, 0.5 * digitHeight);
        var (minX, minY, maxX, maxY) = (int.MaxValue, int.MaxValue, -1, -1);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                if (Math.Pow((x - centreX) / radiusX, 2) + Math.Pow((y - centreY) / radiusY, 2) > 1) continue;
                page[y * width + x] = 0.1f;
                (minX, minY, maxX, maxY) = (Math.Min(minX, x), Math.Min(minY, y), Math.Max(maxX, x), Math.Max(maxY, y));
            }
        blot = new PixelBox(minX, minY, maxX - minX + 1, maxY - minY + 1);
        var reader = new NumberReader(TestModels.Mnist);
        var asBefore = new NumberReader(TestModels.Mnist, options: reader.Options with { BlotDigitHeight = double.PositiveInfinity });

        var reading = reader.Read(page, width, height);
        var blotsAsMarks = asBefore.Read(page, width, height);

        Assert.Equal(4, reading.Digits.Count);
        Assert.True(reading.Digits[3].Box.IntersectionOverUnion(blot) >= 0.8, $"{reading.Digits[3].Box} vs {blot}");
        Assert.DoesNotContain(reading.Marks, m => m.Box.IntersectionOverUnion(blot) > 0);
        // The rule is what finds it: without it, the blot is skipped as a speck and the number comes out a digit short.
        Assert.Equal(3, blotsAsMarks.Digits.Count);
        Assert.Contains(blotsAsMarks.Marks, m => m.Kind == MarkKind.Speck && m.Box.IntersectionOverUnion(blot) >= 0.8);
    }

    // The x of the gap after the first digit of Page's layout.
    private static int GapAfter(int n) => 20 + (n + 1) * 28 * 3 + n * 30;

    [Fact]
    public void ALargeImage_GivesBoxesInItsOwnPixels_NotInTheReducedWorkingCopy()
    {
        // 2,400 px wide: decoded at 1,024 px, and the boxes scaled back.
        var options = new SyntheticNumberOptions { MinDigits = 3, MaxDigits = 3, FrameSide = (400, 420), Size = (2400, 800), TouchingShare = 0 };
        var number = SyntheticNumbers.Generate(Training, 1, seed: 5, options).Single();

        var reading = new NumberReader(TestModels.Mnist).Read(number.Encoded);

        Assert.Equal((2400, 800), (reading.Width, reading.Height));
        Assert.Equal(3, reading.Digits.Count);
        for (var i = 0; i < 3; i++)
            Assert.True(reading.Digits[i].Box.IntersectionOverUnion(number.Boxes[i]) >= 0.8, $"{reading.Digits[i].Box} vs {number.Boxes[i]}");
    }

    [Fact]
    public void ASmallNumberOnALargePhoto_IsFound_AndReadCloserFromTheFilesOwnPixels()
    {
        // 3,000 px wide: the working copy is a third of it, the digits' ink about 15 px tall there (a number photographed
        // from afar, under 0.1% of the page). The closer look decodes the number's part of the file again, larger.
        var options = new SyntheticNumberOptions { MinDigits = 3, MaxDigits = 3, FrameSide = (60, 66), Size = (3000, 2000), TouchingShare = 0 };
        var number = SyntheticNumbers.Generate(Training, 1, seed: 11, options).Single();
        var closer = new NumberReader(TestModels.Mnist);
        var workingCopyOnly = new NumberReader(TestModels.Mnist, options: closer.Options with { SmallLineHeight = 0 });

        var read = closer.Read(number.Encoded);
        var reduced = workingCopyOnly.Read(number.Encoded);

        Assert.Equal((3000, 2000), (read.Width, read.Height));
        Assert.Equal(3, read.Digits.Count);
        Assert.Equal(3, reduced.Digits.Count);
        double MeanOverlap(NumberReading reading) => reading.Digits.Select((d, i) => d.Box.IntersectionOverUnion(number.Boxes[i])).Average();
        for (var i = 0; i < 3; i++)
            Assert.True(read.Digits[i].Box.IntersectionOverUnion(number.Boxes[i]) >= 0.7, $"{read.Digits[i].Box} vs {number.Boxes[i]}");
        // Boxes found in pixels three times finer fit the ink at least as well, and the digits were prepared from them.
        Assert.True(MeanOverlap(read) >= MeanOverlap(reduced), $"closer {MeanOverlap(read):F3}, working copy {MeanOverlap(reduced):F3}");
        Assert.NotEqual(reduced.Digits[0].Input, read.Digits[0].Input);
    }

    [Fact]
    public void SmallDigitsOfALuminancePage_AreReadEnlarged_WithBoxesInThePagesPixels()
    {
        // Pasted 28 px tall: ink about 20 px, under the closer look's 24.
        var (page, width, height, boxes) = Page([1, 3, 5, 7], scale: 1);
        var closer = new NumberReader(TestModels.Mnist);
        var asGiven = new NumberReader(TestModels.Mnist, options: closer.Options with { SmallLineHeight = 0 });

        var read = closer.Read(page, width, height);
        var plain = asGiven.Read(page, width, height);

        Assert.Equal(4, read.Digits.Count);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(read.Digits[i].Box.IntersectionOverUnion(boxes[i]) >= 0.6, $"{read.Digits[i].Box} vs {boxes[i]}");
            Assert.InRange(read.Digits[i].Box.Right, 1, width);
            Assert.InRange(read.Digits[i].Box.Bottom, 1, height);
        }
        Assert.NotEqual(plain.Digits[0].Input, read.Digits[0].Input);
        Assert.Equal(read.Text, closer.Read(page, width, height).Text);
    }

    [Fact]
    public void ACloserLookAtAMostlyDarkPartOfALightPage_KeepsThePagesInkPolarity()
    {
        // Small dark digits between two dark bars on a light page (a number on a form's black rule, at the edge of a
        // shadow): the page is paper-light, but the part the closer look reads is mostly bar. Told from that part
        // alone, the ink would be light on dark, and the paper between the bars the writing.
        const int width = 700, height = 300, left = 250, top = 140, pitch = 34;
        var page = Enumerable.Repeat(0.9f, width * height).ToArray();
        int[] digits = [1, 3, 5, 7];
        for (var n = 0; n < digits.Length; n++)
        {
            var image = Training.Image(digits[n]);
            for (var y = 0; y < 28; y++)
                for (var x = 0; x < 28; x++)
                    page[(top + y) * width + left + n * pitch + x] = 0.9f - 0.8f * image[y * 28 + x];
        }
        foreach (var (from, to) in new[] { (top - 40, top + 1), (top + 27, top + 68) })
            for (var y = from; y < to; y++)
                for (var x = left - 60; x < left + digits.Length * pitch + 60; x++)
                    page[y * width + x] = 0.15f;
        var reader = new NumberReader(TestModels.Mnist);
        var asGiven = new NumberReader(TestModels.Mnist, options: reader.Options with { SmallLineHeight = 0 });

        var read = reader.Read(page, width, height);

        Assert.Equal(string.Concat(digits.Select(i => Training.Labels![i])), asGiven.Read(page, width, height).Text);
        Assert.Equal(asGiven.Read(page, width, height).Text, read.Text);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(24)]
    public void TypedDigitsUnderTheCloserLooksHeight_AreReadExactly_ThoughEnlargedTheirThinStrokesComeApart(int fontSize)
    {
        // DejaVu Serif at 20–24 px: digits 14–17 px tall, so the line is looked at again enlarged; enlarged bilinearly,
        // its hairlines come apart and the 6 is refused. Read as the file gives them, every digit is sure: the
        // enlarged look must not replace a reading it makes less sure.
        using var model = DigitRecognizer.Web.ModelFile.Load(Path.Combine(TestData.ModelsFolder, "best.onnx"));
        var reader = model.NumberReader();
        foreach (var text in new[] { "0123456789", "2026", "8675309" })
        {
            var read = reader.Read(SyntheticNumbers.Typed(text, "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", fontSize));
            Assert.Equal(text, read.Text);
            Assert.False(read.Unsure);
        }
    }

    [Fact]
    public void ReadingsDoNotDependOnWhatWasReadBefore_OrBesideThem()
    {
        // The reader borrows its page-sized arrays from a shared pool, so each reading gets arrays another image of
        // another size left its values in: in whatever order, and concurrently, the answers must not change.
        var numbers = SyntheticNumbers.Generate(Training, count: 8, seed: 17).ToList();
        // ONNX Runtime's session may be asked from several threads at once (a TorchSharp module may not).
        var reader = new NumberReader(TestModels.OnnxMnist);
        static string Answer(NumberReading reading) => string.Join("; ",
            reading.Digits.Select(d => $"{d.Label} {d.Box} {d.Confidence:R} {string.Join(',', d.Probabilities.Select(p => p.ToString("R")))}")
                .Concat(reading.Marks.Select(m => $"{m.Kind} {m.Box}")));

        var inOrder = numbers.Select(n => Answer(reader.Read(n.Encoded))).ToList();
        var backwards = Enumerable.Reverse(numbers).Select(n => Answer(reader.Read(n.Encoded))).Reverse().ToList();
        var together = new string[numbers.Count];
        Parallel.For(0, numbers.Count * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            i => together[i % numbers.Count] = Answer(reader.Read(numbers[i % numbers.Count].Encoded)));

        Assert.True(numbers.Select(n => (n.Width, n.Height)).Distinct().Count() > 1, "images of several sizes");
        Assert.All(inOrder, answer => Assert.NotEqual("", answer));
        Assert.Equal(inOrder, backwards);
        Assert.Equal(inOrder, together);
    }

    [Theory]
    [InlineData(6)]   // stored turned a quarter anticlockwise: shown turned clockwise, as most phones held upright store it
    [InlineData(3)]   // stored upside down
    [InlineData(8)]   // stored turned a quarter clockwise
    public void APhotoStoredTurned_IsReadAsItsExifOrientationShowsIt_WithBoxesInTheUprightImage(int orientation)
    {
        var options = new SyntheticNumberOptions { MinDigits = 4, MaxDigits = 4, Size = (600, 200), FrameSide = (50, 80), TouchingShare = 0, JpegShare = 0 };
        var number = SyntheticNumbers.Generate(Training, 1, seed: 23, options).Single();
        using var upright = SkiaSharp.SKBitmap.Decode(number.Encoded, new SkiaSharp.SKImageInfo(600, 200, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque));
        var (w, h) = (upright.Width, upright.Height);
        var pixels = upright.Bytes;
        // The stored pixels: the upright image turned the other way from what the orientation tells a viewer to do.
        var (storedWidth, storedHeight) = orientation == 3 ? (w, h) : (h, w);
        var stored = new byte[w * h];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var (sx, sy) = orientation switch
                {
                    6 => (y, w - 1 - x),
                    8 => (h - 1 - y, x),
                    _ => (w - 1 - x, h - 1 - y),
                };
                stored[sy * storedWidth + sx] = pixels[y * w + x];
            }
        var reader = new NumberReader(TestModels.OnnxMnist);

        var expected = reader.Read(Jpeg(pixels, w, h, orientation: null));
        var reading = reader.Read(Jpeg(stored, storedWidth, storedHeight, orientation));

        Assert.Equal((600, 200), (reading.Width, reading.Height));
        Assert.True(expected.Digits.Count >= 4, expected.Text);
        Assert.Equal(expected.Text, reading.Text);
        for (var i = 0; i < expected.Digits.Count; i++)
            Assert.True(reading.Digits[i].Box.IntersectionOverUnion(expected.Digits[i].Box) >= 0.8, $"{reading.Digits[i].Box} vs {expected.Digits[i].Box}");
    }

    /// <summary>A grayscale JPEG, with an EXIF block holding only <paramref name="orientation"/> when it is given.</summary>
    private static byte[] Jpeg(byte[] gray, int width, int height, int? orientation)
    {
        using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(width, height, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(gray, 0, bitmap.GetPixels(), gray.Length);
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 95);
        var jpeg = data.ToArray();
        if (orientation is not { } value) return jpeg;
        // APP1 "Exif": a big-endian TIFF header and one IFD of one entry, tag 0x0112 (orientation), type SHORT, count 1.
        byte[] exif =
        [
            0xFF, 0xE1, 0x00, 34, (byte)'E', (byte)'x', (byte)'i', (byte)'f', 0, 0,
            (byte)'M', (byte)'M', 0x00, 0x2A, 0, 0, 0, 8,
            0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)value, 0, 0,
            0, 0, 0, 0,
        ];
        return [.. jpeg[..2], .. exif, .. jpeg[2..]];
    }

    [Theory]
    [InlineData(700, 500)]
    [InlineData(500, 300)]
    [InlineData(350, 200)]
    public void ASheetOfPaperOnADarkDesk_IsReadAgainstThePaper(int sheetWidth, int sheetHeight)
    {
        // A photo of a number on a sheet lying on a dark desk, the sheet 73%, 31% or 15% of the photo. Where the desk
        // is most of it, its tone was the page's median, and the dark ink was taken for paper.
        const int width = 800, height = 600, scale = 2, pitch = 60;
        var photo = Enumerable.Repeat(0.15f, width * height).ToArray();
        var (sheetLeft, sheetTop) = ((width - sheetWidth) / 2, (height - sheetHeight) / 2);
        for (var y = sheetTop; y < sheetTop + sheetHeight; y++)
            for (var x = sheetLeft; x < sheetLeft + sheetWidth; x++)
                photo[y * width + x] = 0.88f + 0.04f * x / width;
        int[] digits = [1, 3, 5, 7];
        var (left, top) = (width / 2 - 2 * pitch, height / 2 - 28);
        for (var n = 0; n < digits.Length; n++)
        {
            var image = Training.Image(digits[n]);
            for (var y = 0; y < 28 * scale; y++)
                for (var x = 0; x < 28 * scale; x++)
                    if (image[y / scale * 28 + x / scale] is var ink and > 0)
                        photo[(top + y) * width + left + n * pitch + x] = 0.88f - 0.75f * ink;
        }
        var reader = new NumberReader(TestModels.Mnist);
        // Unpainted, and with strips along the edge read as ink: where the sheet is most of the photo (700×500),
        // leaving the edge strips out reads the number right even unpainted, which would hide what painting does.
        var unpainted = new NumberReader(TestModels.Mnist, options: reader.Options with
        {
            Preprocessing = reader.Options.Preprocessing with { PaintSurround = false },
            EdgeStripContact = 2,
        });

        var read = reader.Read(photo, width, height);

        Assert.Equal(string.Concat(digits.Select(i => Training.Labels![i])), read.Text);
        Assert.Empty(read.Marks);
        Assert.NotEqual(read.Text, unpainted.Read(photo, width, height).Text);
    }

    [Fact]
    public void ChalkOnABoard_IsReadAsInkOnPaper()
    {
        // The same number light on dark: the page's polarity comes from its own percentiles, not from an assumption.
        var (page, width, height, boxes) = Page([1, 3, 5, 7]);
        var board = page.Select(v => 1 - v).ToArray();
        var reader = new NumberReader(TestModels.Mnist);

        var onPaper = reader.Read(page, width, height);
        var onBoard = reader.Read(board, width, height);

        Assert.Equal(4, onBoard.Digits.Count);
        Assert.Equal(onPaper.Text, onBoard.Text);
        for (var i = 0; i < 4; i++) Assert.True(onBoard.Digits[i].Box.IntersectionOverUnion(boxes[i]) >= 0.8, $"{onBoard.Digits[i].Box} vs {boxes[i]}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AStripAlongTheImagesEdge_IsAnEdgeMark_NotADigit(bool left)
    {
        // A sliver of desk where a photographed sheet runs off the photo: dark, thin, lying along the edge, a triangle
        // 2–5 px wide; alone it has a 1's shape.
        var (page, width, height, boxes) = Page([1, 3, 5]);
        for (var y = 10; y < height - 10; y++)
            for (var x = 0; x < 2 + 3 * (y - 10) / (height - 20); x++)
                page[y * width + (left ? x : width - 1 - x)] = 0.2f;
        var reader = new NumberReader(TestModels.Mnist);
        var readingEdgesAsInk = new NumberReader(TestModels.Mnist, options: reader.Options with { EdgeStripContact = 2 });

        var read = reader.Read(page, width, height);

        Assert.Equal(reader.Read(Page([1, 3, 5]).Page, width, height).Text, read.Text);
        Assert.Equal(3, read.Digits.Count);
        for (var i = 0; i < 3; i++) Assert.True(read.Digits[i].Box.IntersectionOverUnion(boxes[i]) >= 0.8, $"{read.Digits[i].Box} vs {boxes[i]}");
        var edge = Assert.Single(read.Marks, m => m.Kind == MarkKind.Edge);
        Assert.Equal(left ? 0 : width, left ? edge.Box.X : edge.Box.Right);
        Assert.Equal(4, readingEdgesAsInk.Read(page, width, height).Digits.Count);
    }

    [Fact]
    public void ADigitBelowTheThreshold_IsUnsure_AndShownAsAQuestionMark()
    {
        var (page, width, height, _) = Page([1, 3]);
        var sure = new NumberReader(TestModels.Mnist).Read(page, width, height);
        var strictest = new Rejection
        {
            Method = RejectionMethod.MaxProbability, Threshold = 1.01, ChosenOn = "a test", Images = 1, RefusedShare = 1,
            ErrorShareOfAccepted = 0, TargetRefusedShare = 1,
        };

        var refused = new NumberReader(TestModels.Mnist, strictest).Read(page, width, height);

        Assert.False(sure.Unsure);
        Assert.Equal(2, sure.Text.Length);
        Assert.Equal("??", refused.Text);
        Assert.True(refused.NothingReadable);
        Assert.Equal(sure.Digits.Select(d => d.Probabilities), refused.Digits.Select(d => d.Probabilities));
    }

    [Fact]
    public void SkippingCutsOnSurelyReadParts_AsksTheClassifierForFewerInputs_AndReadsSeparateDigitsTheSame()
    {
        // Digits 0, 4, 1, 9 and 2 of the training set, well apart: none needs cutting.
        var (page, width, height, boxes) = Page([1, 2, 3, 4, 5]);
        var everyCut = new CountingClassifier(TestModels.Mnist);
        var surelyOne = new CountingClassifier(TestModels.Mnist);

        var tried = new NumberReader(everyCut).Read(page, width, height);
        var skipped = new NumberReader(surelyOne, options: new ReadingOptions { SkipCutsSureness = 0 }).Read(page, width, height);

        Assert.Equal(tried.Text, skipped.Text);
        Assert.Equal(tried.Digits.Select(d => d.Box), skipped.Digits.Select(d => d.Box));
        // Every part read whole once; with cuts tried, each wide part adds two inputs per cut.
        Assert.Equal(5, surelyOne.Inputs);
        Assert.True(everyCut.Inputs > 5, $"{everyCut.Inputs} inputs with every cut tried");
    }

    [Theory]
    [InlineData(0.1, 4.51)]
    [InlineData(0.2, 3.71)]
    public void TheSurenessCeiling_OfALabelSmoothedModel_IsTheLogRatioOfItsTargets(double smoothing, double nats)
    {
        Assert.Equal(nats, ReadingOptions.SurenessCeiling(smoothing), tolerance: 0.01);
        Assert.Equal(nats * ReadingOptions.SkipCutsShareOfCeiling, new ReadingOptions().ForLabelSmoothing(smoothing).SkipCutsSureness, tolerance: 0.01);
        Assert.Equal(double.PositiveInfinity, new ReadingOptions().ForLabelSmoothing(0).SkipCutsSureness);
    }

    /// <summary>Counts the 28×28 inputs a reader asks for.</summary>
    private sealed class CountingClassifier(IDigitClassifier inner) : IDigitClassifier
    {
        public int Inputs { get; private set; }

        public string Architecture => inner.Architecture;

        public PredictionSet Predict(DigitDataset data, int batchSize = PredictionSet.DefaultBatchSize, IProgress<int>? progress = null,
            CancellationToken cancellation = default)
        {
            Inputs += data.Count;
            return inner.Predict(data, batchSize, progress, cancellation);
        }
    }
}
