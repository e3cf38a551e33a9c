using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DigitRecognizer.Cli;
using DigitRecognizer.Cli.Commands;
using DigitRecognizer.Tests.Cli;

namespace DigitRecognizer.Tests.Web;

/// <summary>
/// <c>digits serve</c> in a child process, stopped with SIGTERM (what <c>docker stop</c> and systemd send) while a
/// slow request is in flight: it must refuse new connections, answer the request in flight, and exit 143.
/// </summary>
[Trait("Category", "Server")]
public sealed class ServeShutdownTests
{
    private const int Sigterm = 15;
    private static readonly byte[] OneImage = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { pixels = new int[784] }));

    [Fact]
    public async Task Sigterm_RefusesNewConnections_AnswersTheRequestInFlight_AndExitsWith143()
    {
        // An empty working folder: no runs/cnn and no models/, so serve must say it takes the shipped model beside the program.
        using var empty = new TempFolder();
        using var serve = DigitsProcess.StartIn(empty.Path,
            ["serve", "--urls", "http://127.0.0.1:0", "--request-timeout", "60", "--shutdown-timeout", "60"]);
        serve.WaitForLine("Press Ctrl+C to stop");
        var address = new Uri(Regex.Match(serve.Output, @"page: (http://127\.0\.0\.1:\d+)/").Groups[1].Value);
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
        using (var health = await client.GetAsync("/api/health")) Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        // In flight: half the body is sent, the rest comes after a pause that outlasts the whole stop below.
        using var slow = new SlowContent(OneImage, TimeSpan.FromSeconds(5));
        var inFlight = client.PostAsync("/api/predict", slow);
        await slow.FirstHalfSent;
        await Task.Delay(300);   // the headers have reached the server and the request holds its place
        serve.Signal(Sigterm);

        var refused = await ConnectionRefusedAsync(address, patience: TimeSpan.FromSeconds(30));
        Assert.True(refused, $"new connections were still accepted 30 s after SIGTERM:\n{serve.Output}");
        Assert.False(inFlight.IsCompleted, "the request in flight ended before new connections were refused");
        Assert.False(serve.HasExited, "serve exited with a request in flight");

        using var answer = await inFlight.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        using var prediction = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal(10, prediction.RootElement.GetProperty("probabilities").GetArrayLength());
        serve.WaitForExit();
        Assert.True(serve.ExitCode == ExitCodes.Terminated, $"exit code {serve.ExitCode}:\n{serve.Output}");
        Assert.Contains("Stopped.", serve.Output);
        Assert.Contains("No --model given and no runs/cnn: using the shipped model", serve.Output);
        // The first shipped model that is there (best before cnn).
        Assert.Contains(DefaultModel.ShippedFiles.First(name => File.Exists(Path.Combine(TestData.ModelsFolder, name))), serve.Output);
    }

    /// <summary>Tries new connections until one is refused (true) or <paramref name="patience"/> runs out (false).</summary>
    private static async Task<bool> ConnectionRefusedAsync(Uri address, TimeSpan patience)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < patience)
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(address.Host, address.Port);
            }
            catch (SocketException error) when (error.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return true;
            }
            catch (SocketException error) when (error.SocketErrorCode == SocketError.ConnectionReset)
            {
                // The probe reached the listener as it closed (the kernel resets what waited in its backlog):
                // the listener is going, so the next probe tells refused from accepted.
            }
            await Task.Delay(50);
        }
        return false;
    }
}
