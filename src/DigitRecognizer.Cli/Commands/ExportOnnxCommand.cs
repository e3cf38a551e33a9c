using System.CommandLine;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Cli.Rendering;
using DigitRecognizer.Data;
using DigitRecognizer.Export;
using DigitRecognizer.Inference;
using DigitRecognizer.IO;
using DigitRecognizer.Training;
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

    /// <summary>Write 8-bit integer weights and activations (int8 QDQ) instead of float32.</summary>
    public bool Int8 { get; init; }

    /// <summary>
    /// For <see cref="Int8"/>: the labelled training data the model was trained on, whose validation part calibrates the
    /// activation ranges and the refusal rule (null: the embedded MNIST training set).
    /// </summary>
    public string? Data { get; init; }
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
        var quantize = new Option<string?>("--quantize")
        {
            Description = "int8: write the convolutions and hidden layers with 8-bit integer weights and activations (QDQ), measured on the model's validation images: " +
                          "about a quarter of the file, and faster on CPUs with 8-bit dot products. The input and output stay float32.",
            HelpName = "int8",
            CustomParser = result => result.Tokens is [{ Value: var value }] && value.Equals("int8", StringComparison.OrdinalIgnoreCase)
                ? "int8"
                : FailParse(result, $"--quantize takes int8, not '{string.Join(" ", result.Tokens.Select(t => t.Value))}'."),
        };
        var data = new Option<string?>("--data")
        {
            Description = "With --quantize: the labelled training data the model was trained on, to find its validation part again (default: the embedded MNIST training set).",
            HelpName = "PATH",
        };
        var command = new Command("export-onnx", "Export a trained model (checkpoint) to ONNX, to run it without libtorch: ONNX Runtime from C#, Python, the web, or Triton.")
        {
            model, output, triton, tritonName, quantize, data,
        };
        command.SetAction(parse => CommandRunner.Run(console, cancellation => Run(console, new ExportOnnxOptions
        {
            Model = parse.GetValue(model)!,
            Output = parse.GetValue(output)!,
            Triton = parse.GetValue(triton),
            TritonName = parse.GetValue(tritonName),
            Int8 = parse.GetValue(quantize) is not null,
            Data = parse.GetValue(data),
        }, cancellation)));
        return command;
    }

    private static string? FailParse(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return null;
    }

    private static int Run(IAnsiConsole console, ExportOnnxOptions options, CancellationToken cancellation)
    {
        // Every check before anything is written, so a refused export leaves every existing file as it was.
        if (!options.Output.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"--output {options.Output}: the ONNX file's name must end in .onnx.");
        if (Directory.Exists(options.Output))
            throw new ArgumentException($"--output {options.Output} is a folder; give the ONNX file's name.");
        var checkpoint = Path.GetFullPath(Checkpoint.Resolve(options.Model));
        if (Path.GetFullPath(options.Output) == checkpoint)
            throw new ArgumentException($"--output {options.Output} is the checkpoint itself; choose another file.");
        if (options.Data is not null && !options.Int8)
            throw new ArgumentException("--data is only read with --quantize int8 (its validation part calibrates the 8-bit ranges).");
        if (options.TritonName is not null && options.Triton is null)
            throw new ArgumentException("--triton-name needs --triton DIR (the repository to write the model into).");
        var tritonName = options.TritonName ?? Path.GetFileNameWithoutExtension(options.Output);
        if (options.Triton is not null) TritonModelRepository.Check(options.Triton, tritonName);

        using var classifier = Checkpoint.Load(options.Model);
        byte[] onnx;
        try
        {
            onnx = options.Int8 ? Quantized(console, classifier, options.Data, cancellation) : OnnxExporter.ToBytes(classifier);
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

    // The int8 export, calibrated and compared on the model's validation part.
    private static byte[] Quantized(IAnsiConsole console, DigitClassifier classifier, string? dataPath, CancellationToken cancellation)
    {
        var training = Loading.Load(console, dataPath, MnistSplit.Train);
        if (training.Labels is null)
            throw new DataFormatException(training.Source, 1, 1, "--quantize needs the labelled training data: expected a 'label' column before pixel0");
        DigitDataset validation;
        try
        {
            validation = TrainingSplit.ValidationPart(training, classifier.Metadata);
        }
        catch (ArgumentException error)
        {
            throw new ArgumentException($"--quantize int8 measures the 8-bit ranges on the model's validation part: {error.Message}", error);
        }
        var description = $"{DigitData.Describe(training.Source)}, validation part";
        var export = Working.Status(console, $"Quantizing to int8 on {validation.Count:N0} validation images",
            () => OnnxExporter.ToQuantizedBytes(classifier, validation, description, cancellation));
        console.MarkupLineInterpolated(
            $"int8 on {export.Images:N0} images ({export.ImagesDescription}): accuracy [bold]{export.QuantizedAccuracy:P2}[/] (float32 {export.FloatAccuracy:P2}), the same label on {export.SameLabels:N0} of them, probabilities within {export.LargestProbabilityDifference:F3}.");
        if (export.Rejection is { } rule)
            console.MarkupLineInterpolated($"Refusal rule chosen again for the int8 weights: {rule.Describe()}.");
        return export.Bytes;
    }
}
