using Microsoft.Extensions.Options;

namespace CrmBot.Channels.Teams;

public static class TeamsEndpoints
{
    /// <summary>POST /api/messages: where the Azure Bot's messaging endpoint points.</summary>
    public static IEndpointRouteBuilder MapTeams(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<BotOptions>>().Value;
        if (!options.IsAuthenticationEnabled)
            Log.AuthenticationDisabled(app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("CrmBot.Channels.Teams"));

        app.MapPost("/api/messages", (HttpRequest request, TeamsAdapter adapter, CancellationToken ct) => adapter.ProcessAsync(request, ct))
            .DisableAntiforgery();
        return app;
    }
}
