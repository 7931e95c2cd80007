using System.Data.Common;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.IntegrationTests.Channels.Slack;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Members;

/// <summary>
/// Lets another instance win the race to create a member: when the service is about to insert a member for
/// <see cref="RacerId"/> (its lookup found none), the rival's row of the same identity commits first.
/// </summary>
public sealed class FirstSightRaceHost : SlackHost
{
    public const string RacerId = "U0RACE0001";

    public RivalMemberInsert Rival { get; } = new();

    protected override void Configure(CrmBotFactory factory) => Rival.Factory = factory;

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureDbContext<CrmDbContext>(o => o.AddInterceptors(Rival));
}

public sealed class RivalMemberInsert : DbTransactionInterceptor
{
    private int _done;

    public CrmBotFactory Factory { get; set; } = null!;

    public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection,
        TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        var creating = eventData.Context?.ChangeTracker.Entries<Member>()
            .Any(e => e.State == EntityState.Added && e.Entity.UserId == FirstSightRaceHost.RacerId) == true;
        if (creating && Interlocked.Exchange(ref _done, 1) == 0)
        {
            await using var rival = Factory.OpenStore();
            rival.Members.Add(new Member
            {
                Channel = "slack", TenantId = SlackHost.TeamId, UserId = FirstSightRaceHost.RacerId, DisplayName = "rival",
                CreatedAt = new DateTime(2026, 11, 22, 11, 0, 0, DateTimeKind.Utc),
            });
            await rival.SaveChangesAsync(cancellationToken);
        }
        return result;
    }
}

/// <summary>Two instances see a person's first message at once: the one that loses the insert race still answers the turn.</summary>
public class FirstSightRaceTests(FirstSightRaceHost host) : IClassFixture<FirstSightRaceHost>
{
    [Fact]
    public async Task LosingTheInsertRace_TheTurnIsAnswered_OnTheWinnersMember()
    {
        host.Slack.AddUser(FirstSightRaceHost.RacerId, "Rae Race", "Europe/Berlin", "rae@example.com");

        await host.PostEventAsync(SlackHost.Event(SlackHost.DirectMessage("help", FirstSightRaceHost.RacerId, "D0RACE0001")));

        var reply = await host.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Body["channel"]?.ToString() == "D0RACE0001");
        Assert.DoesNotContain("went wrong", reply.Body.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        await using var db = host.Factory.OpenStore();
        var member = await db.Members.AsNoTracking().SingleAsync(m => m.UserId == FirstSightRaceHost.RacerId);
        Assert.Equal(new DateTime(2026, 11, 22, 11, 0, 0, DateTimeKind.Utc), member.CreatedAt);   // the rival's row won
        Assert.Equal("Rae Race", member.DisplayName);   // and the loser's fresher name lands on it
    }
}
