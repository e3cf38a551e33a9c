using DigitRecognizer.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DigitRecognizer.Tests.Web;

/// <summary>The <c>digits serve</c> app on a free port of 127.0.0.1 (real sockets, unlike <see cref="ApiHost"/>), with a client.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private LoopbackServer(WebApplication app, Uri address)
    {
        this.app = app;
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = address };
    }

    public HttpClient Client { get; }

    public static async Task<LoopbackServer> StartAsync(ServeOptions? options = null)
    {
        var app = DigitsServer.Build(new ServedModel(TestModels.Mnist, "test-model"), (options ?? new ServeOptions()) with { Urls = "http://127.0.0.1:0" });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
