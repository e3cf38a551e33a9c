using DigitRecognizer.Tests.Training;
using DigitRecognizer.Web;
using DigitRecognizer.Web.Benchmarking;

namespace DigitRecognizer.Tests.Web;

/// <summary>
/// <c>digits bench-serve</c>'s rows against a small model on loopback, with limits tight enough that overload is
/// certain. What is checked is the answers (503 with Retry-After, no other error), never a speed.
/// </summary>
[Trait("Category", "Server")]
public sealed class ServeBenchmarkTests
{
    private static readonly ServedModel Model = new(TestModels.Mnist, "test-model");

    [Fact]
    public async Task OverloadRow_IsRefusedWith503AndRetryAfter_AndHasNoOtherErrors()
    {
        // One request inside the server and one waiting: an open loop at 1.5× (then 3×, 6×) the one-client rate
        // must find both places taken again and again.
        var options = new ServeBenchmarkOptions
        {
            Clients = [1],
            Requests = 300,
            Seconds = 2,
            WarmupRequests = 50,
            ReadClients = 0,
            OverloadSeconds = 1,
            Server = new ServeOptions { MaxConcurrentRequests = 1, MaxQueuedRequests = 1 },
        };
        var rows = new List<ServeOverloadResult>();

        await ServeBenchmark.RunAsync(Model, options, overloadProgress: new ListProgress<ServeOverloadResult>(rows));

        Assert.NotEmpty(rows);
        Assert.All(rows, row => Assert.True(row.Errors == 0, $"{row}"));
        var last = rows[^1];
        Assert.True(last.Refused > 0, $"nothing was refused in {rows.Count} overload rows: {last}");
        Assert.True(last.AnsweredPerSecond > 0, $"nothing was answered: {last}");
        Assert.True(last.Sent > last.Refused, $"{last}");
    }

    [Fact]
    public async Task ReadRow_AnswersEveryNumberImage()
    {
        var options = new ServeBenchmarkOptions { Clients = [], Requests = 30, Seconds = 20, WarmupRequests = 10, ReadClients = 2, Overload = false };
        var rows = new List<ServeBenchmarkResult>();

        await ServeBenchmark.RunAsync(Model, options, new ListProgress<ServeBenchmarkResult>(rows));

        var read = Assert.Single(rows, r => r.Path == "api/read");
        Assert.Equal(0, read.Errors);
        Assert.True(read.Requests > 0, $"{read}");
    }
}
