#:project ../src/DigitRecognizer.Web/DigitRecognizer.Web.csproj
#:property PublishAot=false
// Reads numbers typed in every font of the machine, at the sizes given, with a model's NumberReader, and prints how
// many come out exactly (black on white PNGs, SyntheticNumbers.Typed; nothing is trained or tuned on them).
//   dotnet run scripts/typed-numbers.cs -- MODEL [SIZE...]      e.g. models/best.onnx 20 24 30
// Fonts: every .ttf under /usr/share/fonts/truetype (the DejaVu and Liberation packages on Debian).
using DigitRecognizer.Reading;
using DigitRecognizer.Web;

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
        foreach (var text in texts)
        {
            var read = reader.Read(SyntheticNumbers.Typed(text, font, size));
            if (read.Text != text) failures.Add($"{Path.GetFileNameWithoutExtension(font)} {text} → {read.Text}");
        }
    var total = fonts.Count * texts.Length;
    Console.WriteLine($"{size,5} px: {total - failures.Count} of {total} read exactly");
    foreach (var failure in failures) Console.WriteLine($"          {failure}");
}
return 0;
