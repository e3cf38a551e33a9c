using DigitRecognizer.Inference;
using DigitRecognizer.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace DigitRecognizer.Tests.Web;

/// <summary>The <c>digits serve</c> app on an in-memory test server, with a client for it.</summary>
internal sealed class ApiHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private ApiHost(WebApplication app)
    {
        this.app = app;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public static async Task<ApiHost> StartAsync(IDigitClassifier? classifier = null, ServeOptions? options = null)
    {
        var model = new ServedModel(classifier ?? TestModels.Mnist, "test-model");
        var app = DigitsServer.Build(model, options ?? new ServeOptions(), builder => builder.WebHost.UseTestServer());
        await app.StartAsync();
        return new ApiHost(app);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
