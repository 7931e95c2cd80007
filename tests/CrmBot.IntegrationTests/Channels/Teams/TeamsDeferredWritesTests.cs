using System.Net;
using CrmBot.Conversations;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>An engine that defers a write of its own, the way the member's LastSeenAt is deferred.</summary>
public sealed class DeferringBot(CrmDbContext db) : IBot
{
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Deferred = new();

    public Task<IReadOnlyList<Reply>> OnTurnAsync(Turn turn, CancellationToken cancellationToken)
    {
        Deferred[turn.TurnId] = DeferredWrites.TryDefer(db,
            $"""INSERT INTO "ProcessedInbound" ("Channel", "DeliveryId", "ReceivedAt", "Attempts") VALUES ('deferred-test', {turn.TurnId}, {DateTime.UtcNow}, 0)""");
        return Task.FromResult<IReadOnlyList<Reply>>([new TextReply("noted")]);
    }
}

public sealed class DeferringHost : TeamsHost
{
    protected override void ConfigureServices(IServiceCollection services) => services.AddScoped<IBot, DeferringBot>();
}

/// <summary>
/// A Teams turn's small writes (its delivery id, what the engine defers) are committed with the turn, before
/// its reply is sent, so the turn costs one commit instead of one per write (docs/decisions/performance.md, finding 27).
/// </summary>
public class TeamsDeferredWritesTests(DeferringHost host) : IClassFixture<DeferringHost>
{
    /// <summary>A message posted and answered: the activity and its id.</summary>
    private async Task<(System.Text.Json.Nodes.JsonObject Activity, string Id)> AnsweredAsync()
    {
        var activity = host.Sample("message-personal");
        var id = activity["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(activity)).StatusCode);
        await host.RepliesToAsync(id);
        return (activity, id);
    }

    [Fact]
    public async Task TurnDefersItsWrites_AndCommitsThemBeforeItsReply_WithItsDeliveryId()
    {
        var (_, id) = await AnsweredAsync();

        var turnId = Assert.Single(DeferringBot.Deferred.Keys, k => k.EndsWith(id, StringComparison.Ordinal));
        Assert.True(DeferringBot.Deferred[turnId]);
        var stored = await host.WithStoreAsync(db => db.ProcessedInbound.Select(p => p.Channel + " " + p.DeliveryId).ToListAsync());
        Assert.Contains("deferred-test " + turnId, stored);
        Assert.Contains(stored, s => s.StartsWith("msteams ", StringComparison.Ordinal) && s.EndsWith("|" + id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RepeatOfAnAnsweredDelivery_IsNotWorkedAgain()
    {
        var (activity, id) = await AnsweredAsync();

        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(activity)).StatusCode);

        Assert.Single(DeferringBot.Deferred.Keys, k => k.EndsWith(id, StringComparison.Ordinal));
    }
}
