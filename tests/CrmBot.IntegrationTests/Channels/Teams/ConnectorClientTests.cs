using System.Net;
using CrmBot.Channels.Teams;
using CrmBot.Conversations;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>
/// The outbound client the replies and the proactive sender use: token by client credentials (cached),
/// retries on throttling without ever posting twice, and no token for hosts it does not trust.
/// </summary>
public class ConnectorClientTests(StubBotHost host) : IClassFixture<StubBotHost>
{
    private ConnectorClient Client => host.Services.GetRequiredService<ConnectorClient>();

    private static BotActivity Message(string text) => TeamsMessageFactory.Text(text);

    private string NewConversation() => "a:" + Guid.NewGuid().ToString("N");

    private IReadOnlyList<Fakes.Teams.ConnectorRequest> CallsTo(string conversationId) =>
        host.Connector.Requests.Where(r => r.ConversationId == conversationId).ToList();

    [Fact]
    public async Task Send_CarriesClientCredentialsToken_RequestedOnceAndCached()
    {
        var conversation = NewConversation();

        for (var i = 0; i < 3; i++)
            await Client.SendToConversationAsync(host.Connector.ServiceUrl, conversation, Message($"hello {i}"), default);

        // The fake Connector refuses any call without a token from the issuer; all three were accepted.
        Assert.Equal(3, CallsTo(conversation).Count(r => r.Status == 200));
        var tokenRequest = Assert.Single(host.Issuer.TokenRequests);
        Assert.Equal("client_credentials", tokenRequest["grant_type"]);
        Assert.Equal(TeamsHost.AppId, tokenRequest["client_id"]);
        Assert.Equal("https://api.botframework.com/.default", tokenRequest["scope"]);
    }

    [Fact]
    public async Task ServiceUnavailable_RetriedUntilAccepted_PostedOnce()
    {
        var conversation = NewConversation();
        host.Connector.FailNext(2, 503);

        var response = await Client.SendToConversationAsync(host.Connector.ServiceUrl, conversation, Message("hi"), default);

        Assert.NotNull(response.Id);
        Assert.Equal([503, 503, 200], CallsTo(conversation).Select(r => r.Status));
    }

    [Fact]
    public async Task TooManyRequests_WithRetryAfter_Retried()
    {
        var conversation = NewConversation();
        host.Connector.FailNext(1, 429, TimeSpan.FromSeconds(1));

        await Client.ReplyToActivityAsync(host.Connector.ServiceUrl, conversation, "m1", Message("hi"), default);

        Assert.Equal([429, 200], CallsTo(conversation).Select(r => r.Status));
    }

    [Fact]
    public async Task PersistentFailure_GivesUpAfterRetries_WithTheStatus()
    {
        var conversation = NewConversation();
        host.Connector.FailNext(5, 503);

        var ex = await Assert.ThrowsAsync<ConnectorException>(() =>
            Client.SendToConversationAsync(host.Connector.ServiceUrl, conversation, Message("hi"), default));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal(5, CallsTo(conversation).Count);   // the first try and four retries
    }

    [Fact]
    public async Task ClientError_NotRetried()
    {
        var conversation = NewConversation();
        host.Connector.FailNext(1, 403);

        var ex = await Assert.ThrowsAsync<ConnectorException>(() =>
            Client.SendToConversationAsync(host.Connector.ServiceUrl, conversation, Message("hi"), default));

        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Single(CallsTo(conversation));
    }

    [Fact]
    public async Task PostWithNoAnswer_NotRetried_SoNeverPostedTwice()
    {
        var conversation = NewConversation();
        host.Connector.DropNext(1);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() =>
            Client.SendToConversationAsync(host.Connector.ServiceUrl, conversation, Message("hi"), default));

        Assert.Single(CallsTo(conversation));
    }

    [Fact]
    public async Task UpdateWithNoAnswer_Retried_BecausePutIsIdempotent()
    {
        var conversation = NewConversation();
        host.Connector.DropNext(1);

        await Client.UpdateActivityAsync(host.Connector.ServiceUrl, conversation, "card-1", TeamsMessageFactory.Card(RecordingBot.Card("x"), "x"), default);

        Assert.Equal([0, 200], CallsTo(conversation).Select(r => r.Status));
        Assert.All(CallsTo(conversation), r => Assert.Equal("PUT", r.Method));
    }

    [Fact]
    public async Task UntrustedServiceUrl_Refused_BeforeAnythingIsSent()
    {
        var before = host.Connector.Requests.Count;

        var untrusted = await Assert.ThrowsAsync<ConnectorException>(() =>
            Client.SendToConversationAsync("https://connector.evil.example:8443/", "a:1", Message("hi"), default));
        var plainHttp = await Assert.ThrowsAsync<ConnectorException>(() =>
            Client.SendToConversationAsync("http://smba.trafficmanager.net/amer/", "a:1", Message("hi"), default));

        Assert.Equal(before, host.Connector.Requests.Count);
        // What to do about it: the host and port exactly as the setting takes them; for http, that no setting helps.
        Assert.Contains("\"connector.evil.example:8443\" to Bot:TrustedServiceUrlHosts", untrusted.Message);
        Assert.Contains("https", plainHttp.Message);
        Assert.DoesNotContain("Bot:TrustedServiceUrlHosts", plainHttp.Message);
    }

    [Fact]
    public async Task CreateConversation_OpensPersonalChat_ThenSendsToIt()
    {
        var parameters = ConnectorClient.PersonalConversation(TeamsHost.BotId, "29:user-1", "tenant-1");

        var created = await Client.CreateConversationAsync(host.Connector.ServiceUrl, parameters, default);
        var card = new CardReply("digest", RecordingBot.Card("Due today"), "Due today");
        await Client.SendToConversationAsync(host.Connector.ServiceUrl, created.Id!, TeamsMessageFactory.FromReply(card), default);

        Assert.StartsWith("a:fake-conversation-", created.Id);
        var create = Assert.Single(host.Connector.Requests, r => r.Path == "/v3/conversations" && r.Body?["members"]?[0]?["id"]?.GetValue<string>() == "29:user-1");
        Assert.Equal("tenant-1", create.Body!["channelData"]!["tenant"]!["id"]!.GetValue<string>());
        Assert.Equal(TeamsHost.BotId, create.Body["bot"]!["id"]!.GetValue<string>());
        var sent = Assert.Single(CallsTo(created.Id!));
        Assert.Equal("Due today", sent.Card!["body"]![0]!["text"]!.GetValue<string>());
    }
}
