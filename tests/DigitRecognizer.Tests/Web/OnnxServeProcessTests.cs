using System.Net.Http.Json;
using System.Text.RegularExpressions;
using DigitRecognizer.Tests.Cli;
using DigitRecognizer.Tests.Export;

namespace DigitRecognizer.Tests.Web;

/// <summary>
/// Issue 14: a deployed server answers from an ONNX file without loading libtorch. The real `digits serve` runs
/// in a child process on the shipped ONNX model; its memory map (Linux's /proc/PID/maps) must show ONNX Runtime
/// and neither libtorch nor TorchSharp's native library after it has answered a prediction.
/// </summary>
[Trait("Category", "Server")]
public sealed class OnnxServeProcessTests
{
    [SkippableFact]
    public async Task ServeFromAnOnnxFile_AnswersWithoutLoadingLibtorch()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "reads /proc/PID/maps");
        var model = Path.Combine(ShippedModelTests.ModelsFolder, "cnn.onnx");
        var server = DigitsProcess.Start(["serve", "--model", model, "--urls", "http://127.0.0.1:0", "--threads", "1"]);
        try
        {
            server.WaitForLine("OpenAPI:");
            var address = Regex.Match(server.Output, @"page: (http://127\.0\.0\.1:\d+)/").Groups[1].Value;
            Assert.False(string.IsNullOrEmpty(address), server.Output);
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(1) };
            var pixels = new double[784];
            for (var row = 4; row < 24; row++) pixels[row * 28 + 14] = 255f; // a vertical stroke (0-255, ink 255): a 1

            using var answer = await client.PostAsJsonAsync("/api/predict", new { pixels });

            Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
            var maps = await File.ReadAllTextAsync($"/proc/{server.Id}/maps");
            Assert.Contains("libonnxruntime", maps);
            Assert.DoesNotContain("libtorch", maps);
            Assert.DoesNotContain("LibTorchSharp", maps);
        }
        finally
        {
            server.Kill();
        }
    }
}
