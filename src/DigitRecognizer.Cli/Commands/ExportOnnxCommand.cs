using System.CommandLine;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Export;
using DigitRecognizer.IO;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary>The options of one <c>digits export-onnx</c> run.</summary>
internal sealed record ExportOnnxOptions
{
    /// <summary>The checkpoint file, or the folder holding model.ckpt.</summary>
    public required string Model { get; init; }

    /// <summary>The .onnx file to write.</summary>
    public required string Output { get; init; }

    /// <summary>Also write a Triton model repository here (null: no).</summary>
    public string? Triton { get; init; }

    /// <summary>The model's name (and folder) in the Triton repository; default: the output file's name without .onnx.</summary>
    public string? TritonName { get; init; }
}

/// <summary><c>digits export-onnx</c>: writes a checkpoint as an ONNX model, optionally as a Triton model folder too.</summary>
internal static class ExportOnnxCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var model = new Option<string>("--model", "-m")
        {
            Description = "The checkpoint file, or the folder holding model.ckpt (what `train --output DIR` wrote). Any architecture or ensemble.",
            HelpName = "PATH",
            Required = true,
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "The ONNX file to write (input 'pixels' float32 [N,1,28,28], 0 = background, 1 = ink; output 'probabilities' float32 [N,10]).",
            HelpName = "FILE.onnx",
            Required = true,
        };
        var triton = new Option<string?>("--triton")
        {
            Description = "Also write a Triton Inference Server model repository here: DIR/NAME/config.pbtxt and DIR/NAME/1/model.onnx.",
            HelpName = "DIR",
        };
        var tritonName = new Option<string?>("--triton-name")
        {
            Description = "The model's name in the Triton repository. Default: the output file's name without .onnx.",
            HelpName = "NAME",
        };
        var command = new Command("export-onnx", "Export a trained model (checkpoint) to ONNX, to run it without libtorch: ONNX Runtime from C#, Python, the web, or Triton.")
        {
            model, output, triton, tritonName,
        };
        command.SetAction(parse => CommandRunner.Run(console, _ => Run(console, new ExportOnnxOptions
        {
            Model = parse.GetValue(model)!,
            Output = parse.GetValue(output)!,
            Triton = parse.GetValue(triton),
            TritonName = parse.GetValue(tritonName),
        })));
        return command;
    }

    private static int Run(IAnsiConsole console, ExportOnnxOptions options)
    {
        // Every check before anything is written, so a refused export leaves every existing file as it was.
        if (!options.Output.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"--output {options.Output}: the ONNX file's name must end in .onnx.");
        if (Directory.Exists(options.Output))
            throw new ArgumentException($"--output {options.Output} is a folder; give the ONNX file's name.");
        var checkpoint = Path.GetFullPath(Checkpoint.Resolve(options.Model));
        if (Path.GetFullPath(options.Output) == checkpoint)
            throw new ArgumentException($"--output {options.Output} is the checkpoint itself; choose another file.");
        if (options.TritonName is not null && options.Triton is null)
            throw new ArgumentException("--triton-name needs --triton DIR (the repository to write the model into).");
        var tritonName = options.TritonName ?? Path.GetFileNameWithoutExtension(options.Output);
        if (options.Triton is not null) TritonModelRepository.Check(options.Triton, tritonName);

        using var classifier = Checkpoint.Load(options.Model);
        byte[] onnx;
        try
        {
            onnx = OnnxExporter.ToBytes(classifier);
        }
        catch (NotSupportedException error)
        {
            throw new ArgumentException($"{checkpoint}: cannot be exported to ONNX: {error.Message}", error);
        }
        AtomicFile.WriteBytes(options.Output, onnx);
        console.MarkupLineInterpolated(
            $"Exported [bold]{Checkpoint.Describe(checkpoint, classifier.Architecture)}[/] to [bold]{options.Output}[/] ({onnx.Length / 1024.0:N0} KB, ONNX opset {OnnxExporter.Opset}).");
        if (options.Triton is not null)
        {
            var folder = TritonModelRepository.Write(options.Triton, tritonName, onnx);
            console.MarkupLineInterpolated($"Wrote the Triton model [bold]{tritonName}[/] in [bold]{folder}[/] (serve it with `tritonserver --model-repository {options.Triton}`).");
        }
        return ExitCodes.Success;
    }
}
