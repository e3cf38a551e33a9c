using System.Text.RegularExpressions;
using DigitRecognizer.Inference;
using DigitRecognizer.Onnx;
using DigitRecognizer.Tests.Export;
using Microsoft.ML.OnnxRuntime;

namespace DigitRecognizer.Tests.Cli;

public sealed class ExportOnnxCliTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void ExportOnnx_WritesTheModel_AndATritonRepositoryWhoseConfigAgreesWithIt()
    {
        var (_, checkpoint, _) = OnnxTestModels.Get("cnn-fast");
        var output = folder.File("digits.onnx");
        var repository = folder.File("triton");

        var (exitCode, text) = CliRunner.Run("export-onnx", "--model", checkpoint, "--output", output, "--triton", repository);

        Assert.True(exitCode == 0, text);
        Assert.Contains("opset 17", text);
        var config = File.ReadAllText(Path.Combine(repository, "digits", "config.pbtxt"));
        var modelFile = Path.Combine(repository, "digits", "1", "model.onnx");
        Assert.Equal(File.ReadAllBytes(output), File.ReadAllBytes(modelFile));
        Assert.Contains("platform: \"onnxruntime_onnx\"", config);
        Assert.Matches("name: \"digits\"", config);

        // What Triton will be told must be what the file is: names, types, and shapes less the batch dimension.
        using var session = new InferenceSession(modelFile);
        var maxBatch = int.Parse(Regex.Match(config, @"max_batch_size: (\d+)").Groups[1].Value);
        Assert.True(maxBatch > 0);
        var tensors = Regex.Matches(config, @"name: ""(\w+)""\s+data_type: (\w+)\s+dims: \[ ([\d, ]+) \]")
            .ToDictionary(m => m.Groups[1].Value, m => (Type: m.Groups[2].Value, Dims: m.Groups[3].Value.Split(", ").Select(int.Parse).ToArray()));
        Assert.Equal([OnnxContract.InputName, OnnxContract.OutputName], tensors.Keys);
        foreach (var (name, node) in session.InputMetadata.Concat(session.OutputMetadata))
        {
            Assert.Equal(typeof(float), node.ElementType);
            Assert.Equal("TYPE_FP32", tensors[name].Type);
            Assert.Equal(-1, node.Dimensions[0]); // dynamic N, which Triton's batching fills
            Assert.Equal(node.Dimensions[1..], tensors[name].Dims);
        }
    }

    public static TheoryData<string, string[]> BadExports() => new()
    {
        // what is wrong, arguments ({checkpoint}, {corrupt}, {onnx}, {output}, {folder} are filled in)
        { "no such file", ["--model", "{folder}/missing.ckpt", "--output", "{output}"] },
        { "SHA-256", ["--model", "{corrupt}", "--output", "{output}"] },
        { "not a DigitRecognizer checkpoint", ["--model", "{onnx}", "--output", "{output}"] },
        { "must end in .onnx", ["--model", "{checkpoint}", "--output", "{folder}/model.ckpt"] },
        { "cannot write", ["--model", "{checkpoint}", "--output", "{folder}/a-file/model.onnx"] },
        { "is a folder", ["--model", "{checkpoint}", "--output", "{folder}/a-folder.onnx"] },
        { "--triton-name needs --triton", ["--model", "{checkpoint}", "--output", "{output}", "--triton-name", "x"] },
        { "must be letters, digits", ["--model", "{checkpoint}", "--output", "{output}", "--triton", "{folder}/t", "--triton-name", "../x"] },
        { "is a file", ["--model", "{checkpoint}", "--output", "{output}", "--triton", "{folder}/a-file"] },
        { "--epochs", ["--model", "{checkpoint}", "--output", "{output}", "--epochs", "3"] },
    };

    [Theory]
    [MemberData(nameof(BadExports))]
    public void ExportOnnx_WithBadInput_SaysWhatIsWrong_FailsAndLeavesTheOldOutput(string problem, string[] arguments)
    {
        var (_, checkpoint, onnx) = OnnxTestModels.Get("dense");
        var corrupt = folder.File("corrupt.ckpt");
        var bytes = File.ReadAllBytes(checkpoint);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(corrupt, bytes);
        File.WriteAllText(folder.File("a-file"), "in the way");
        Directory.CreateDirectory(folder.File("a-folder.onnx"));
        var output = folder.File("old.onnx");
        File.WriteAllText(output, "the previous export");
        var args = arguments.Select(a => a.Replace("{checkpoint}", checkpoint).Replace("{corrupt}", corrupt).Replace("{onnx}", onnx)
            .Replace("{output}", output).Replace("{folder}", folder.Path)).ToArray();

        var (exitCode, text) = CliRunner.Run(["export-onnx", .. args]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(problem, text);
        Assert.DoesNotContain(" at ", text);
        Assert.Equal("the previous export", File.ReadAllText(output));
        Assert.False(Directory.Exists(folder.File("t")));
    }

    [Fact]
    public void PredictAndEvaluate_TakeAnOnnxFile_AndSayWhichOptionsNeedTheCheckpoint()
    {
        var (torch, checkpoint, onnx) = OnnxTestModels.Get("cnn");

        var fromCheckpoint = CliRunner.Run("evaluate", "--model", checkpoint);
        var fromOnnx = CliRunner.Run("evaluate", "--model", onnx);
        Assert.True(fromOnnx.ExitCode == 0, fromOnnx.Output);
        var accuracy = new Regex(@"accuracy\s+([\d.]+%)", RegexOptions.IgnoreCase);
        Assert.Equal(accuracy.Match(fromCheckpoint.Output).Groups[1].Value, accuracy.Match(fromOnnx.Output).Groups[1].Value);
        Assert.NotEqual("", accuracy.Match(fromOnnx.Output).Groups[1].Value);

        var image = folder.File("digit.png");
        File.WriteAllBytes(image, Imaging.PaperDigits.Render(OnnxTestModels.TestImages(1), seed: 2).Single().Encoded);
        var predicted = CliRunner.Run("predict", "--model", onnx, "--input", image);
        Assert.True(predicted.ExitCode == 0, predicted.Output);
        Assert.Contains("read with cnn", predicted.Output);

        foreach (var (option, reason) in new[] { ("--tta", "--tta needs a checkpoint"), ("--members", "--members needs a checkpoint") })
        {
            var (exitCode, text) = CliRunner.Run("evaluate", "--model", onnx, option);
            Assert.NotEqual(0, exitCode);
            Assert.Contains(reason, text);
        }
        var precision = CliRunner.Run("predict", "--model", onnx, "--input", image, "--precision", "bfloat16");
        Assert.NotEqual(0, precision.ExitCode);
        Assert.Contains("--precision needs a checkpoint", precision.Output);
        // auto asks for the faster precision where there is a choice; an ONNX graph has none, and computes as it is.
        var auto = CliRunner.Run("predict", "--model", onnx, "--input", image, "--precision", "auto");
        Assert.True(auto.ExitCode == 0, auto.Output);
        Assert.NotNull(torch);
    }

    [Fact]
    public void ExportOnnx_Int8_CalibratesOnTheValidationPartOfTheGivenData_AndSaysHowItCompares()
    {
        var (_, checkpoint, floatFile) = OnnxTestModels.Get("cnn-bn");
        var data = folder.File("train.csv");
        DigitRecognizer.Data.KaggleCsvWriter.Write(data, OnnxTestModels.TrainingImages);
        var output = folder.File("int8.onnx");

        var (exitCode, text) = CliRunner.Run("export-onnx", "--model", checkpoint, "--output", output, "--quantize", "int8", "--data", data);

        Assert.True(exitCode == 0, text);
        Assert.Matches(@"int8 on 60 images \(.*train\.csv, validation part\): accuracy [\d.]+% \(float32 [\d.]+%\), the same label on \d+ of them", CliRunner.Unwrapped(text));
        Assert.True(new FileInfo(output).Length < 0.35 * new FileInfo(floatFile).Length);
        using var int8 = OnnxDigitClassifier.Load(output);
        Assert.Contains("train.csv, validation part", int8.Metadata[OnnxContract.Metadata.Quantization]);
        var evaluated = CliRunner.Run("evaluate", "--model", output);
        Assert.True(evaluated.ExitCode == 0, evaluated.Output);
    }

    [Theory]
    [InlineData("--quantize", "int4", "--quantize takes int8, not 'int4'.")]
    [InlineData("--data", "train.csv", "--data is only read with --quantize int8")]
    public void ExportOnnx_RefusesAnotherQuantisation_AndDataWithoutIt_WritingNothing(string option, string value, string message)
    {
        var (_, checkpoint, _) = OnnxTestModels.Get("cnn-bn");
        var output = folder.File("refused.onnx");

        var (exitCode, text) = CliRunner.Run("export-onnx", "--model", checkpoint, "--output", output, option, value);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(message, CliRunner.Unwrapped(text));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void ExportOnnx_Int8_OnDataTheModelWasNotTrainedOn_SaysSo()
    {
        var (_, checkpoint, _) = OnnxTestModels.Get("cnn-bn");
        var data = folder.File("other.csv");
        DigitRecognizer.Data.KaggleCsvWriter.Write(data, OnnxTestModels.TestImages(500));
        var output = folder.File("int8.onnx");

        var (exitCode, text) = CliRunner.Run("export-onnx", "--model", checkpoint, "--output", output, "--quantize", "int8", "--data", data);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("other.csv", text);
        Assert.False(File.Exists(output));
    }
}
