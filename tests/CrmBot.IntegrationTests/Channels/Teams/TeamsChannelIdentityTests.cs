using System.Net;
using CrmBot.Crm.ChatState;
using CrmBot.Fakes.Teams;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>A service that also serves Web Chat (Bot:Channels).</summary>
public sealed class WebChatTooHost : TeamsHost
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Bot:Channels:0", "msteams"), new("Bot:Channels:1", "webchat")];
}

/// <summary>/api/messages speaks for the channels it is configured for (Teams by default), and a member is the channel's.</summary>
public class TeamsChannelIdentityTests(TeamsHost host) : IClassFixture<TeamsHost>
{
    [Fact]
    public async Task AWebChatActivity_CarryingATeamsUsersIds_IsRefused_AndActsAsNobody()
    {
        // A Teams user the service knows.
        var teams = host.Sample("message-personal");
        teams["text"] = "help";
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(teams)).StatusCode);
        await host.RepliesToAsync(teams["id"]!.GetValue<string>());
        var userId = teams["from"]!["id"]!.GetValue<string>();
        var name = await host.WithStoreAsync(db => db.Members.Where(m => m.Channel == ChannelIds.Teams && m.UserId == userId)
            .Select(m => m.DisplayName).SingleAsync());

        // The same ids, from Web Chat, with a token whose key is endorsed for Web Chat only: a valid token for that channel.
        var forged = host.Sample("message-personal");
        forged["channelId"] = "webchat";
        forged["from"] = teams["from"]!.DeepClone();
        forged["from"]!["name"] = "Mallory";
        forged["conversation"] = teams["conversation"]!.DeepClone();
        forged["channelData"] = teams["channelData"]!.DeepClone();
        forged["text"] = "help";
        var token = host.Issuer.CreateChannelToken(new ChannelToken
        {
            ServiceUrl = forged["serviceUrl"]!.GetValue<string>(),
            Key = SigningKeyChoice.OtherChannel,
        });
        var before = await host.StoreFingerprintAsync();

        var response = await host.PostAsync(forged.ToJsonString(), token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("webchat", await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await host.StoreFingerprintAsync());
        Assert.Equal(name, await host.WithStoreAsync(db => db.Members.Where(m => m.Channel == ChannelIds.Teams && m.UserId == userId)
            .Select(m => m.DisplayName).SingleAsync()));
        Assert.DoesNotContain(host.Connector.Requests, r => r.ActivityId == forged["id"]!.GetValue<string>());
    }
}

public class WebChatOptInTests(WebChatTooHost host) : IClassFixture<WebChatTooHost>
{
    [Fact]
    public async Task WithWebChatServed_ItsActivity_IsAMemberOfWebChat_NotTheTeamsUserWithTheSameIds()
    {
        var teams = host.Sample("message-personal");
        teams["text"] = "help";
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(teams)).StatusCode);
        await host.RepliesToAsync(teams["id"]!.GetValue<string>());
        var userId = teams["from"]!["id"]!.GetValue<string>();

        var web = host.Sample("message-personal");
        web["channelId"] = "webchat";
        web["from"] = teams["from"]!.DeepClone();
        web["from"]!["name"] = "Mallory";
        web["channelData"] = teams["channelData"]!.DeepClone();
        web["text"] = "help";
        var token = host.Issuer.CreateChannelToken(new ChannelToken { ServiceUrl = web["serviceUrl"]!.GetValue<string>(), Key = SigningKeyChoice.OtherChannel });

        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(web.ToJsonString(), token)).StatusCode);
        await host.RepliesToAsync(web["id"]!.GetValue<string>());

        var members = await host.WithStoreAsync(db => db.Members.Where(m => m.UserId == userId).Select(m => new { m.Channel, m.DisplayName }).ToListAsync());
        Assert.Equal(2, members.Count);
        Assert.DoesNotContain(members, m => m.Channel == ChannelIds.Teams && m.DisplayName == "Mallory");
        Assert.Contains(members, m => m.Channel == "webchat" && m.DisplayName == "Mallory");
    }
}
