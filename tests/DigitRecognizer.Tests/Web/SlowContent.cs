using System.Net;
using System.Net.Http.Headers;

namespace DigitRecognizer.Tests.Web;

/// <summary>A JSON body sent in two halves with a pause between them, as a slow client would send it.</summary>
internal sealed class SlowContent : HttpContent
{
    private readonly byte[] body;
    private readonly TimeSpan pause;

    public SlowContent(byte[] body, TimeSpan pause)
    {
        this.body = body;
        this.pause = pause;
        Headers.ContentType = new MediaTypeHeaderValue("application/json");
    }

    /// <summary>Completes when the first half has been sent and the pause begins.</summary>
    public Task FirstHalfSent => firstHalfSent.Task;

    private readonly TaskCompletionSource firstHalfSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
        await stream.FlushAsync();
        firstHalfSent.TrySetResult();
        await Task.Delay(pause);
        await stream.WriteAsync(body.AsMemory(body.Length / 2));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = body.Length;
        return true;
    }
}
