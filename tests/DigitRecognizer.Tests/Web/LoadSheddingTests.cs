using System.Net;
using System.Text;
using System.Text.Json;
using DigitRecognizer.Web;

namespace DigitRecognizer.Tests.Web;

/// <summary>
/// What <c>digits serve</c> does with more than it can take: refuses at once with 503, Retry-After and
/// problem+json, answers 503 when a request's time runs out, and goes on serving afterwards.
/// </summary>
[Trait("Category", "Server")]
public sealed class LoadSheddingTests
{
    private static readonly byte[] OneImage = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { pixels = new int[784] }));

    [Fact]
    public async Task ABurstBeyondTheLimits_Gets503WithRetryAfter_AtOnce_AndTheServerKeepsServing()
    {
        // One place and no queue: while a slow client holds the place, every other request is refused.
        var options = new ServeOptions { MaxConcurrentRequests = 1, MaxQueuedRequests = 0, RetryAfterSeconds = 3 };
        await using var server = await LoopbackServer.StartAsync(options);
        using var slow = new SlowContent(OneImage, TimeSpan.FromSeconds(1.5));
        var holder = server.Client.PostAsync("/api/predict", slow);
        await slow.FirstHalfSent;
        await Task.Delay(200); // the holder's headers have reached the server and taken the place

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var burst = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => server.Client.PostAsync("/api/predict", Json(OneImage))));
        var burstSeconds = clock.Elapsed.TotalSeconds;

        foreach (var refused in burst)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(3), refused.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
            Assert.Contains("try again in 3 s", problem.RootElement.GetProperty("detail").GetString());
            refused.Dispose();
        }
        Assert.True(burstSeconds < 1.2, $"the refusals took {burstSeconds:F2} s: they waited for the slow request instead of coming at once");
        using (var held = await holder) Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        using var after = await server.Client.PostAsync("/api/predict", Json(OneImage));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        using var health = await server.Client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task ARequestPastItsTimeLimit_Gets503WithRetryAfter()
    {
        await using var server = await LoopbackServer.StartAsync(new ServeOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });

        using var response = await server.Client.PostAsync("/api/predict", new SlowContent(OneImage, TimeSpan.FromSeconds(2)));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("time limit", await response.Content.ReadAsStringAsync());
        using var after = await server.Client.PostAsync("/api/predict", Json(OneImage));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }
}
