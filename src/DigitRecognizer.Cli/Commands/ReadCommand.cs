using System.CommandLine;
using System.Globalization;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Imaging;
using DigitRecognizer.IO;
using DigitRecognizer.Reading;
using DigitRecognizer.Web;
using SkiaSharp;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary><c>digits read</c>: reads the handwritten number in an image (or in each image of a folder).</summary>
internal static class ReadCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var input = new Argument<string>("IMAGE|FOLDER") { Description = "A PNG or JPEG of a number written on one line, or a folder of them." };
        var model = new Option<string?>("--model", "-m")
        {
            Description = $"The checkpoint file, the folder holding model.ckpt, or an exported .onnx file (run by ONNX Runtime). Default: {DefaultModel.Described}. Its refusal rule (digits calibrate) marks unsure digits.",
            HelpName = "PATH",
        };
        var show = new Option<string?>("--show")
        {
            Description = "Also write a picture of the image with a box and the answer over each digit (one image only).",
            HelpName = "OUT.png",
        };
        var csv = new Option<string>("--csv")
        {
            Description = "For a folder: the CSV to write (file,text,confidence), atomically.",
            DefaultValueFactory = _ => "numbers.csv",
            HelpName = "FILE",
        };
        var command = new Command("read", "Read a handwritten number (1–12 digits on one line) in a photo, scan or drawing.") { input, model, show, csv };
        command.SetAction(parse => CommandRunner.Run(console, cancellation =>
            Run(console, parse.GetValue(input)!, DefaultModel.Resolve(parse.GetValue(model), console), parse.GetValue(show), parse.GetValue(csv)!, cancellation)));
        return command;
    }

    private static int Run(IAnsiConsole console, string inputPath, string modelPath, string? showPath, string csvPath, CancellationToken cancellation)
    {
        var isFolder = Directory.Exists(inputPath);
        if (!isFolder && !File.Exists(inputPath)) throw new FileNotFoundException($"{inputPath}: no such file or folder.");
        var images = isFolder ? ImageFiles.Find(inputPath) : [inputPath];
        if (images is null) throw new ArgumentException($"{inputPath}: the folder holds no PNG or JPEG images.");
        if (isFolder && showPath is not null) throw new ArgumentException("--show draws one image; give an image, not a folder.");
        OutputPaths.RefuseOverwritingInput(showPath, "--show", inputPath, modelPath);
        if (isFolder) OutputPaths.RefuseOverwritingInput(csvPath, "--csv", [.. images, modelPath]);
        using var model = ModelFile.Load(modelPath);
        var reader = model.NumberReader();

        if (!isFolder)
        {
            var reading = ReadOne(reader, inputPath, cancellation);
            Render(console, inputPath, reading, reader.Rejection is not null);
            // No digits is a failure: the picture is not drawn, so an earlier one of the same name stays as it was.
            if (showPath is not null && !reading.NoDigits)
            {
                AtomicFile.WriteBytes(showPath, Draw(File.ReadAllBytes(inputPath), reading));
                console.MarkupLineInterpolated($"Drew the digits found in [bold]{showPath}[/].");
            }
            return reading.NoDigits ? ExitCodes.Failure : ExitCodes.Success;
        }

        var rows = new List<string> { "file,text,confidence" };
        var table = new Table().Border(TableBorder.Simple).AddColumn("image").AddColumn("number").AddColumn(new TableColumn("confidence").RightAligned());
        var failed = 0;
        foreach (var path in images)
        {
            cancellation.ThrowIfCancellationRequested();
            var name = Path.GetFileName(path);
            try
            {
                var reading = ReadOne(reader, path, cancellation);
                rows.Add($"{Csv(name)},{reading.Text},{reading.Confidence.ToString("F4", CultureInfo.InvariantCulture)}");
                table.AddRow(Markup.Escape(name), reading.NoDigits ? "[yellow]no digits found[/]" : $"[bold]{reading.Text}[/]{(reading.Unsure ? " [yellow](unsure)[/]" : "")}",
                    $"{reading.Confidence:P1}");
                if (reading.NoDigits) failed++;
            }
            catch (ArgumentException error)
            {
                rows.Add($"{Csv(name)},,");
                table.AddRow(Markup.Escape(name), $"[red]{Markup.Escape(error.Message)}[/]", "");
                failed++;
            }
        }
        AtomicFile.WriteText(csvPath, writer =>
        {
            foreach (var row in rows) writer.WriteLine(row);
        });
        console.Write(table);
        console.MarkupLineInterpolated($"Read {images.Count - failed} of {images.Count} images; wrote [bold]{csvPath}[/].");
        return failed > 0 ? ExitCodes.Failure : ExitCodes.Success;
    }

    private static string Csv(string value) => value.Contains(',') || value.Contains('"') ? $"\"{value.Replace("\"", "\"\"")}\"" : value;

    /// <summary>Reads one file; a file that is not a usable image is an error naming it, as for `digits predict`.</summary>
    private static NumberReading ReadOne(NumberReader reader, string path, CancellationToken cancellation)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length == 0) throw new InvalidImageException("the file is empty");
            return reader.Read(bytes, cancellation);
        }
        catch (InvalidImageException error)
        {
            throw new ArgumentException($"{path}: {error.Message}");
        }
    }

    private static void Render(IAnsiConsole console, string path, NumberReading reading, bool hasRule)
    {
        if (reading.NoDigits)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {path}: no digits found (no ink stands out from the paper, or only marks too small to be digits).");
            return;
        }
        console.MarkupLineInterpolated($"[bold]{reading.Text}[/]{(reading.Unsure ? " (unsure: ? marks a digit too uncertain to read)" : "")}");
        var table = new Table().Border(TableBorder.Simple).AddColumn("#").AddColumn("digit").AddColumn(new TableColumn("probability").RightAligned())
            .AddColumn("box (x, y, width, height)");
        for (var i = 0; i < reading.Digits.Count; i++)
        {
            var digit = reading.Digits[i];
            var box = digit.Box;
            table.AddRow($"{i + 1}", digit.Unsure ? $"[yellow]{digit.Label}?[/]" : $"[bold]{digit.Label}[/]", $"{digit.Probabilities[digit.Label]:P1}",
                $"{box.X}, {box.Y}, {box.Width}, {box.Height}");
        }
        console.Write(table);
        foreach (var mark in reading.Marks)
            console.MarkupLineInterpolated($"[grey]skipped a {mark.Kind.ToString().ToLowerInvariant()} at {mark.Box.X}, {mark.Box.Y} ({mark.Box.Width}×{mark.Box.Height})[/]");
        if (!hasRule)
            console.MarkupLine("[grey]The model has no refusal rule yet (digits calibrate --model PATH): no digit is marked unsure.[/]");
    }

    /// <summary>The image with a box around each digit and its answer above it: green when sure, orange when unsure.</summary>
    internal static byte[] Draw(byte[] encoded, NumberReading reading)
    {
        using var original = SKBitmap.Decode(encoded) ?? throw new ArgumentException("the image cannot be decoded for --show");
        using var surface = SKSurface.Create(new SKImageInfo(reading.Width, reading.Height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.DrawBitmap(original, new SKRect(0, 0, reading.Width, reading.Height));
        var stroke = Math.Max(2, reading.Height / 100f);
        using var font = new SKFont(SKTypeface.Default, Math.Max(12, reading.Height / 8f));
        foreach (var digit in reading.Digits)
        {
            var colour = digit.Unsure ? SKColors.DarkOrange : SKColors.ForestGreen;
            using var pen = new SKPaint { Color = colour, Style = SKPaintStyle.Stroke, StrokeWidth = stroke, IsAntialias = true };
            using var ink = new SKPaint { Color = colour, IsAntialias = true };
            var box = digit.Box;
            canvas.DrawRect(box.X, box.Y, box.Width, box.Height, pen);
            var label = digit.Unsure ? $"{digit.Label}?" : $"{digit.Label}";
            canvas.DrawText($"{label} {digit.Probabilities[digit.Label]:P0}", box.X, Math.Max(font.Size, box.Y - stroke * 2), font, ink);
        }
        using var grey = new SKPaint { Color = SKColors.Gray, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        foreach (var mark in reading.Marks) canvas.DrawRect(mark.Box.X, mark.Box.Y, mark.Box.Width, mark.Box.Height, grey);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
