namespace DigitRecognizer.Web;

/// <summary><c>GET /api/model</c> and <c>GET /api/health</c>: what is being served, and whether it answers.</summary>
internal static class ModelEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/model", (ServerState state) => Results.Ok(ModelInfo.From(state.Model)))
            .WithName("Model")
            .WithSummary("The model being served: architecture, training metrics and checkpoint date.")
            .Produces<ModelInfo>();

        app.MapGet("/api/health", (ServerState state) =>
                Results.Ok(new HealthResponse("ok", state.Model.Name, Math.Round(state.Uptime.TotalSeconds, 1))))
            .WithName("Health")
            .WithSummary("Answers 200 while the server is up.")
            .Produces<HealthResponse>();
    }
}
