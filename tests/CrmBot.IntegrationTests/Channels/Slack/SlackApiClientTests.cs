using System.Net;
using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.Fakes.Slack;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Channels.Slack;

/// <summary>The Web API client as the app registers it (typed HttpClient + resilience), against the fake.</summary>
public class SlackApiClientTests : IClassFixture<SlackProtocolHost>
{
    private readonly SlackProtocolHost _host;

    public SlackApiClientTests(SlackProtocolHost host)
    {
        _host = host;
        host.Slack.Clear();
    }

    private static SlackMessage Hello => new("hello", new JsonArray(new JsonObject
    {
        ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = "hello" },
    }));

    private async Task<T> WithClientAsync<T>(Func<SlackApiClient, Task<T>> use)
    {
        await using var scope = _host.App.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<SlackApiClient>());
    }

    [Fact]
    public async Task PostMessage_SendsTheBotTokenAndBlocks_ReturnsTheTs()
    {
        var ts = await WithClientAsync(c => c.PostMessageAsync("C1", Hello));

        var call = Assert.Single(_host.Slack.CallsTo("chat.postMessage"));
        Assert.True(call.Accepted, call.Error);
        Assert.Equal("Bearer " + FakeSlackApi.DefaultToken, call.Authorization);
        Assert.Matches(@"^\d+\.\d{6}$", ts);
        Assert.Equal("C1", call.Body["channel"]!.GetValue<string>());
        Assert.Equal("hello", call.Body["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task RateLimited_HonoursRetryAfter_ThenSucceeds()
    {
        _host.Slack.FailNext("chat.postMessage", 2, HttpStatusCode.TooManyRequests, retryAfterSeconds: 0);

        await WithClientAsync(c => c.PostMessageAsync("C1", Hello));

        var calls = _host.Slack.CallsTo("chat.postMessage");
        Assert.Equal(new[] { "http_429", "http_429", "ok" }, calls.Select(c => c.Error ?? "ok").ToArray());
    }

    [Fact]
    public async Task ServiceUnavailable_IsRetried_ButNotForever()
    {
        _host.Slack.FailNext("chat.update", 10, HttpStatusCode.ServiceUnavailable);

        var ex = await Assert.ThrowsAsync<SlackApiException>(() => WithClientAsync<bool>(async c => { await c.UpdateMessageAsync("C1", "1.2", Hello); return true; }));

        Assert.Equal("http_503", ex.Error);
        Assert.Equal(4, _host.Slack.CallsTo("chat.update").Count);   // the call and three retries
    }

    [Fact]
    public async Task OkFalse_IsAnErrorCarryingSlacksCode()
    {
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => WithClientAsync(c => c.UserInfoAsync("U0NOBODY")));

        Assert.Equal("user_not_found", ex.Error);
        Assert.Equal("users.info", ex.Method);
    }

    [Fact]
    public async Task WrongToken_IsRefusedBySlack_AsInvalidAuth()
    {
        await using var other = await FakeSlackApi.StartAsync("xoxb-some-other-token");
        await using var scope = _host.App.Services.CreateAsyncScope();
        var options = Microsoft.Extensions.Options.Options.Create(new SlackOptions { BotToken = FakeSlackApi.DefaultToken, ApiBaseUrl = other.ApiBaseUrl });
        var client = new SlackApiClient(scope.ServiceProvider.GetRequiredService<IHttpClientFactory>().CreateClient(), options,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<SlackApiClient>.Instance);

        var ex = await Assert.ThrowsAsync<SlackApiException>(() => client.PostMessageAsync("C1", Hello));

        Assert.Equal("invalid_auth", ex.Error);
    }

    [Fact]
    public async Task UsersInfo_FillsZoneAndEmail_AndIsCached()
    {
        _host.Slack.AddUser("U0CACHED", "Ada", "America/New_York", "ada@example.com");

        SlackUserInfo? first = null, second = null;
        await using (var scope = _host.App.Services.CreateAsyncScope())
            first = await scope.ServiceProvider.GetRequiredService<SlackUserDirectory>().FindAsync("T1", "U0CACHED", default);
        await using (var scope = _host.App.Services.CreateAsyncScope())
            second = await scope.ServiceProvider.GetRequiredService<SlackUserDirectory>().FindAsync("T1", "U0CACHED", default);

        Assert.Equal(new SlackUserInfo("U0CACHED", "Ada", "America/New_York", "ada@example.com", false), first);
        Assert.Equal(first, second);
        Assert.Single(_host.Slack.CallsTo("users.info"));
    }

    [Theory]
    [InlineData("https://evil.example.com/hook")]
    [InlineData("http://hooks.slack.com/commands/x")]
    [InlineData("not a url")]
    public async Task ResponseUrl_OnlyToSlacksHooksHost(string url)
    {
        var ex = await Assert.ThrowsAsync<SlackApiException>(() =>
            WithClientAsync<bool>(async c => { await c.PostToResponseUrlAsync(url, new JsonObject { ["text"] = "x" }); return true; }));
        Assert.Equal("untrusted_host", ex.Error);
    }
}
