#:project ../src/DigitRecognizer.Web/DigitRecognizer.Web.csproj
#:property PublishAot=false
// Reads numbers typed in every font of the machine, at the sizes given, with a model's NumberReader, and prints how
// many come out exactly (black on white PNGs, drawn here; nothing is trained or tuned on them).
//   dotnet run scripts/typed-numbers.cs -- MODEL [SIZE...]      e.g. models/best.onnx 20 24 30
// Fonts: every .ttf under /usr/share/fonts/truetype (the DejaVu and Liberation packages on Debian).
using DigitRecognizer.Web;
using SkiaSharp;

if (args.Length < 1) { Console.Error.WriteLine("usage: dotnet run scripts/typed-numbers.cs -- MODEL [SIZE...]"); return 2; }
using var model = ModelFile.Load(args[0]);
var reader = model.NumberReader();
var sizes = args.Length > 1 ? args[1..].Select(float.Parse).ToArray() : [20f, 24f, 30f, 40f, 64f];
var fonts = Directory.GetFiles("/usr/share/fonts/truetype", "*.ttf", SearchOption.AllDirectories).Order().ToList();
string[] texts = ["0123456789", "2026", "31415", "8675309", "47"];
Console.WriteLine($"{fonts.Count} fonts × {texts.Length} numbers per size, read by {model.Name}");
foreach (var size in sizes)
{
    var failures = new List<string>();
    foreach (var font in fonts)
    {
        using var typeface = SKTypeface.FromFile(font);
        foreach (var text in texts)
        {
            var read = reader.Read(Typed(text, typeface, size));
            if (read.Text != text) failures.Add($"{Path.GetFileNameWithoutExtension(font)} {text} → {read.Text}");
        }
    }
    var total = fonts.Count * texts.Length;
    Console.WriteLine($"{size,5} px: {total - failures.Count} of {total} read exactly");
    foreach (var failure in failures) Console.WriteLine($"          {failure}");
}
return 0;

static byte[] Typed(string text, SKTypeface typeface, float size)
{
    using var bitmap = new SKBitmap((int)(size * (text.Length + 1)), (int)(size * 2.2));
    using (var canvas = new SKCanvas(bitmap))
    {
        canvas.Clear(SKColors.White);
        using var font = new SKFont(typeface, size);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(text, size / 2, size * 1.5f, font, paint);
    }
    using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
    return png.ToArray();
}
