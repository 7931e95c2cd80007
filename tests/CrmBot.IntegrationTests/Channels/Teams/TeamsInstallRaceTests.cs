using System.Net;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>
/// Lets another instance win the race to remember a conversation: when the service is about to insert the address
/// of <see cref="ConversationId"/> (its lookup found none), the rival's row for it commits first.
/// </summary>
public sealed class TeamsInstallRaceHost : TeamsHost
{
    public const string ConversationId = "a:install-race";
    private readonly RivalAddressInsert _rival = new();

    public TeamsInstallRaceHost() => _rival.Host = this;

    /// <summary>The rival's row, once it was inserted.</summary>
    public int? RivalId { get; private set; }

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureDbContext<CrmDbContext>(o => o.AddInterceptors(_rival));

    private sealed class RivalAddressInsert : SaveChangesInterceptor
    {
        private int _done;

        public TeamsInstallRaceHost Host { get; set; } = null!;

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            var inserting = eventData.Context?.ChangeTracker.Entries<ConversationAddress>()
                .Any(e => e.State == EntityState.Added && e.Entity.ConversationId == ConversationId) == true;
            if (inserting && Interlocked.Exchange(ref _done, 1) == 0)
            {
                await using var rival = Host.Factory.OpenStore();
                var row = new ConversationAddress
                {
                    Channel = "msteams", TenantId = "451759a8-7d0f-44e7-8ca7-378fc3a9837c", ConversationId = ConversationId,
                    ConversationType = "personal", ServiceUrl = "https://rival.invalid/", UpdatedAt = DateTime.UtcNow.AddMinutes(-5),
                };
                rival.ConversationAddresses.Add(row);
                await rival.SaveChangesAsync(cancellationToken);
                Host.RivalId = row.Id;
            }
            return result;
        }
    }
}

/// <summary>Teams sends several updates on install and instances race to store the address: the loser updates the winner's row.</summary>
public class TeamsInstallRaceTests(TeamsInstallRaceHost host) : IClassFixture<TeamsInstallRaceHost>
{
    [Fact]
    public async Task LosingTheAddressInsertRace_TheWelcomeGoesOut_AndTheOneAddressIsOurs()
    {
        var activity = host.Sample("conversation-update-installed");
        activity["conversation"]!["id"] = TeamsInstallRaceHost.ConversationId;

        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(activity)).StatusCode);

        await host.Connector.WaitForAsync(r => r.Any(x => x.ConversationId == TeamsInstallRaceHost.ConversationId));
        var reference = await host.WithStoreAsync(db => db.ConversationAddresses.AsNoTracking()
            .SingleAsync(r => r.ConversationId == TeamsInstallRaceHost.ConversationId));
        Assert.Equal(host.RivalId, reference.Id);   // the rival's row won
        Assert.Equal((host.Connector.ServiceUrl, TeamsHost.BotId), (reference.ServiceUrl, reference.BotId));
        Assert.NotNull(reference.MemberId);
    }
}
