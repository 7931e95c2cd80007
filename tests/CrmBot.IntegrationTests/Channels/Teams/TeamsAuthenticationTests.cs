using Microsoft.Extensions.DependencyInjection;
using System.Net;
using CrmBot.Conversations;
using CrmBot.Fakes.Teams;

namespace CrmBot.IntegrationTests.Channels.Teams;

public sealed class StubBotHost : TeamsHost
{
    public RecordingBot Bot { get; } = new();
    protected override IBot TestBot => Bot;
    // Short, so the background-acknowledgement test does not wait long for the request to return.
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Bot:AcknowledgeAfter", "00:00:00.200")];
}

/// <summary>Every way a request's token can be wrong is refused with 401, before anything is processed.</summary>
public class TeamsAuthenticationTests(StubBotHost host) : IClassFixture<StubBotHost>
{
    [Fact]
    public async Task ValidChannelToken_Accepted()
    {
        var activity = host.Sample("message-personal");

        var response = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = Assert.Single(await host.RepliesToAsync(activity["id"]!.GetValue<string>()));
        Assert.StartsWith("echo: ", reply.Body!["text"]!.GetValue<string>());
    }

    public static TheoryData<string> BadTokens() =>
    [
        "no header", "not a jwt", "not bearer", "wrong audience", "wrong issuer", "expired", "not yet valid",
        "unknown key", "alg none", "hs256 with public key", "no serviceurl claim", "other serviceurl", "channel not endorsed",
    ];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task BadToken_Returns401_AndProcessesNothing(string variant)
    {
        var activity = host.Sample("message-personal");
        var serviceUrl = activity["serviceUrl"]!.GetValue<string>();
        var issuer = host.Issuer;
        var now = DateTime.UtcNow;
        string? header = variant switch
        {
            "no header" => null,
            "not a jwt" => "Bearer abc.def",
            "not bearer" => "Basic " + issuer.CreateChannelToken(new ChannelToken { ServiceUrl = serviceUrl }),
            "wrong audience" => Bearer(issuer.CreateChannelToken(new ChannelToken { ServiceUrl = serviceUrl, Audience = "11111111-1111-1111-1111-111111111111" })),
            "wrong issuer" => Bearer(issuer.CreateChannelToken(new ChannelToken { ServiceUrl = serviceUrl, Issuer = "https://sts.windows.net/evil/" })),
            // Beyond the 5 minutes of clock skew either way.
            "expired" => Bearer(issuer.CreateChannelToken(new ChannelToken { ServiceUrl = serviceUrl, Expires = now.AddMinutes(-6), NotBefore = now.AddHours(-1) })),
            "not yet valid" => Bearer(issuer.CreateChannelToken(new ChannelToken { ServiceUrl = serviceUrl, NotBefore = now.AddMinutes(6), Expires = now.AddHours(1) })),
            "unknown key" => Bearer(issuer.CreateChannelToken(new ChannelToken { ServiceUrl = serviceUrl, Key = SigningKeyChoice.Unpublished })),
            "alg none" => Bearer(issuer.CreateUnsignedToken(serviceUrl)),
            "hs256 with public key" => Bearer(issuer.CreateHmacWithPublicKeyToken(serviceUrl)),
            "no serviceurl claim" => Bearer(issuer.CreateChannelToken(new ChannelToken { ServiceUrl = null })),
            "other serviceurl" => Bearer(issuer.CreateChannelToken(new ChannelToken { ServiceUrl = "https://smba.trafficmanager.net/emea/" })),
            "channel not endorsed" => Bearer(issuer.CreateChannelToken(new ChannelToken { ServiceUrl = serviceUrl, Key = SigningKeyChoice.OtherChannel })),
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };
        var before = await host.StoreFingerprintAsync();

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
        {
            Content = new StringContent(activity.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        if (header is not null) request.Headers.TryAddWithoutValidation("Authorization", header);
        var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(host.Bot.TurnFor(activity["id"]!.GetValue<string>()));
        Assert.Equal(before, await host.StoreFingerprintAsync());
        Assert.DoesNotContain(host.Connector.Requests, r => r.ActivityId == activity["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task ServiceUrlClaim_ComparedIgnoringCase()
    {
        var activity = host.Sample("message-personal");
        var token = host.Issuer.CreateChannelToken(new ChannelToken { ServiceUrl = activity["serviceUrl"]!.GetValue<string>().ToUpperInvariant() });

        var response = await host.PostAsync(activity.ToJsonString(), token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MalformedBody_WithValidToken_Returns400()
    {
        var token = host.Issuer.CreateChannelToken(new ChannelToken { ServiceUrl = host.Connector.ServiceUrl });
        var before = await host.StoreFingerprintAsync();

        var response = await host.PostAsync("{\"type\":\"message\",", token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await host.StoreFingerprintAsync());
    }

    [Fact]
    public async Task OversizeBody_Returns413()
    {
        var activity = host.Sample("message-personal");
        activity["text"] = new string('x', 300 * 1024);

        var response = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Null(host.Bot.TurnFor(activity["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task RememberedToken_IsStillBoundToTheActivitysServiceUrl()
    {
        var first = host.Sample("message-personal");
        var token = host.TokenFor(first);
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(first.ToJsonString(), token)).StatusCode);

        var elsewhere = host.Sample("message-personal");
        elsewhere["serviceUrl"] = "https://smba.trafficmanager.net/emea/";
        var response = await host.PostAsync(elsewhere.ToJsonString(), token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(host.Bot.TurnFor(elsewhere["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AlteredCopyOfAnAcceptedToken_Refused()
    {
        var first = host.Sample("message-personal");
        var token = host.TokenFor(first);
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(first.ToJsonString(), token)).StatusCode);

        var altered = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];
        var second = host.Sample("message-personal");
        var response = await host.PostAsync(second.ToJsonString(), altered);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(host.Bot.TurnFor(second["id"]!.GetValue<string>()));
    }

    private static string Bearer(string token) => "Bearer " + token;
}

public sealed class ClockedStubBotHost : TeamsHost
{
    public RecordingBot Bot { get; } = new();
    public ShiftedClock Clock { get; } = new();
    protected override IBot TestBot => Bot;
    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

/// <summary>An accepted token is remembered (the channel resends it for an hour), but never past its expiry.</summary>
public class TeamsTokenLifetimeTests(ClockedStubBotHost host) : IClassFixture<ClockedStubBotHost>
{
    [Fact]
    public async Task AcceptedToken_RefusedOnceItHasExpired()
    {
        var first = host.Sample("message-personal");
        var now = DateTime.UtcNow;
        var token = host.Issuer.CreateChannelToken(new ChannelToken
        {
            ServiceUrl = first["serviceUrl"]!.GetValue<string>(), NotBefore = now.AddMinutes(-1), Expires = now.AddMinutes(2),
        });
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(first.ToJsonString(), token)).StatusCode);

        host.Clock.Offset = TimeSpan.FromMinutes(2) + TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30);   // past expiry and skew
        var later = host.Sample("message-personal");
        var response = await host.PostAsync(later.ToJsonString(), token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(host.Bot.TurnFor(later["id"]!.GetValue<string>()));
    }
}

/// <summary>With no app id the endpoint is open (the Emulator's local mode), but a token is never waved through.</summary>
public class TeamsAnonymousModeTests : IAsyncLifetime
{
    private readonly RecordingBot _bot = new();
    private AnonymousHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = new AnonymousHost(_bot);
        await _host.InitializeAsync();
    }

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task NoAppId_RequestWithoutToken_IsProcessed()
    {
        var activity = _host.Sample("message-personal");

        var response = await _host.PostAsync(activity.ToJsonString(), token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = Assert.Single(await _host.RepliesToAsync(activity["id"]!.GetValue<string>()));
        Assert.Equal("echo: log call with Jane Doe: discussed pricing, follow up tomorrow", reply.Body!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task NoAppId_RequestWithToken_IsStillChecked()
    {
        var activity = _host.Sample("message-personal");

        var response = await _host.PostAsync(activity.ToJsonString(), "not-a-token");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(_bot.TurnFor(activity["id"]!.GetValue<string>()));
    }

    private sealed class AnonymousHost(RecordingBot bot) : TeamsHost
    {
        protected override IBot TestBot => bot;
        protected override bool ConnectorChecksTokens => false;
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Bot:MicrosoftAppId", "")];
    }
}

/// <summary>Bot Framework rolls its keys: a token with a key id the bot has not seen makes it refresh, once.</summary>
public class TeamsKeyRotationTests(StubBotHost host) : IClassFixture<StubBotHost>
{
    [Fact]
    public async Task TokenSignedWithANewlyPublishedKey_AcceptedAfterRefresh()
    {
        var first = host.Sample("message-personal");
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(first)).StatusCode);   // keys now cached
        var fetched = host.Issuer.MetadataRequests;

        host.Issuer.PublishUnpublishedKey();
        var activity = host.Sample("message-personal");
        var token = host.Issuer.CreateChannelToken(new ChannelToken { ServiceUrl = activity["serviceUrl"]!.GetValue<string>(), Key = SigningKeyChoice.Unpublished });
        var response = await host.PostAsync(activity.ToJsonString(), token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(host.Issuer.MetadataRequests > fetched);
    }
}
