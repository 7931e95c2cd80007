using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.IntegrationTests.Channels.Slack;

public sealed class SlackAdminsHost : SlackHost
{
    protected override void Configure(CrmBotFactory factory) => factory.With("Crm:Admins:0", "Megan@Example.com");

    public CrmDbContext Store() => Factory.OpenStore();
}

/// <summary>Slack's users.info gives the e-mail with the member: it is kept, and Crm:Admins matches it from the first message.</summary>
public class SlackMemberEmailTests(SlackAdminsHost host) : IClassFixture<SlackAdminsHost>
{
    [Fact]
    public async Task TheEmailFromUsersInfo_IsKept_AndAListedEmailMakesTheMemberAdmin()
    {
        await host.PostEventAsync(SlackHost.Event(SlackHost.DirectMessage("help")));
        await host.Slack.WaitForAsync("chat.postMessage");

        await using var db = host.Store();
        var member = await db.Members.AsNoTracking().SingleAsync(m => m.UserId == SlackHost.UserId);
        Assert.Equal(("megan@example.com", MemberRole.Admin, AdminGrant.Config), (member.Email, member.Role, member.AdminGrant));
    }
}
