using System.Net;
using System.Text.Json.Nodes;
using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Channels.Teams;

public sealed class EmailLookupHost : TeamsHost
{
    public const string AdminEmail = "megan.bowen@contoso.example";
    public ShiftedClock Clock { get; } = new();
    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Crm:Admins:0", AdminEmail)];
}

/// <summary>
/// Teams activities carry no e-mail: the service asks the Connector's conversation members API for it once, after
/// the turn, so an e-mail in Crm:Admins reaches a Teams member. Each test is its own user in its own chat.
/// </summary>
public class TeamsMemberEmailTests(EmailLookupHost host) : IClassFixture<EmailLookupHost>
{
    private readonly string _user = "29:" + Guid.NewGuid().ToString("N");
    private readonly string _conversation = "a:" + Guid.NewGuid().ToString("N");
    private readonly string _aadObjectId = Guid.NewGuid().ToString();

    private async Task SayAsync(string text)
    {
        var activity = host.Sample("message-personal");
        activity["from"]!["id"] = _user;
        activity["from"]!["aadObjectId"] = _aadObjectId;
        activity["conversation"]!["id"] = _conversation;
        activity["text"] = text;
        var response = await host.PostAsync(activity);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await host.RepliesToAsync(activity["id"]!.GetValue<string>());
    }

    private IReadOnlyList<Fakes.Teams.ConnectorRequest> Lookups() =>
        host.Connector.MemberLookups.Where(r => r.ConversationId == _conversation).ToList();

    private Task<Member> MeAsync() => host.WithStoreAsync(db => db.Members.AsNoTracking().SingleAsync(m => m.UserId == _user));

    /// <summary>Until <paramref name="done"/> holds of this test's member (the look-up runs in the background).</summary>
    private async Task<Member> WaitForMeAsync(Func<Member, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var me = await MeAsync();
            if (done(me)) return me;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The member's e-mail look-up did not finish.");
            await Task.Delay(50);
        }
    }

    /// <summary>Long enough for a look-up a turn might have queued to reach the Connector.</summary>
    private static Task SettleAsync() => Task.Delay(TimeSpan.FromMilliseconds(500));

    /// <summary>
    /// Until the Connector has been asked <paramref name="count"/> times: the look-up claims the member (sets
    /// EmailLookupAt) before it asks, so the member's row alone does not say the request has been made.
    /// </summary>
    private async Task WaitForLookupsAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Lookups().Count < count && DateTime.UtcNow < deadline) await Task.Delay(20);
    }

    [Fact]
    public async Task AUserWhoseEmailIsInCrmAdmins_BecomesAdminAfterTheFirstMessage_AskedOnceNotPerTurn()
    {
        host.Connector.AddMember(_user, "Megan.Bowen@Contoso.example");

        await SayAsync("help");
        var me = await WaitForMeAsync(m => m.Email is not null);
        Assert.Equal((EmailLookupHost.AdminEmail, MemberRole.Admin, AdminGrant.Config), (me.Email, me.Role, me.AdminGrant));

        await SayAsync("help");
        await SayAsync("help");
        await SettleAsync();
        // One call, and with the bot's token (the fake answers 401 without it).
        Assert.Equal(200, Assert.Single(Lookups()).Status);
        var audit = await host.WithStoreAsync(db => db.AuditEntries.AsNoTracking()
            .Where(a => a.EntityType == "Member" && a.EntityId == me.Id.ToString()).OrderBy(a => a.Id).Select(a => a.Action + " " + a.Channel).ToListAsync());
        Assert.Equal(["created msteams", "updated msteams", "role config"], audit);   // the e-mail, then the list
    }

    [Theory]
    [InlineData(404)]
    [InlineData(500)]
    public async Task AFailedLookup_ChangesNothing_AndIsAskedAgainLater_NotOnEveryTurn(int status)
    {
        host.Connector.AddMember(_user, EmailLookupHost.AdminEmail);
        host.Connector.FailMemberLookups(1, status);

        await SayAsync("help");
        var me = await WaitForMeAsync(m => m.EmailLookupAt is not null);
        await WaitForLookupsAsync(1);
        Assert.Equal((null, MemberRole.Rep), (me.Email, me.Role));
        Assert.Equal(status, Assert.Single(Lookups()).Status);

        await SayAsync("help");
        await SettleAsync();
        Assert.Single(Lookups());

        var retry = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CrmBot.Channels.Teams.BotOptions>>().Value.MemberLookupRetry;
        host.Clock.Offset += retry + TimeSpan.FromMinutes(1);
        try
        {
            await SayAsync("help");
            me = await WaitForMeAsync(m => m.Email is not null);
        }
        finally
        {
            host.Clock.Offset -= retry + TimeSpan.FromMinutes(1);
        }
        Assert.Equal(MemberRole.Admin, me.Role);
        Assert.Equal([status, 200], Lookups().Select(r => r.Status));
    }
}
