using System.ComponentModel.DataAnnotations;
using CrmBot.Channels.Teams;

namespace CrmBot.Tests.Channels.Teams;

public class ServiceUrlsTests
{
    [Theory]
    [InlineData("https://smba.trafficmanager.net/amer/", true)]
    [InlineData("https://smba.trafficmanager.net/teams/", true)]
    [InlineData("https://api.botframework.com/", true)]
    [InlineData("https://europe.webchat.botframework.com/", true)]
    [InlineData("https://canary.teams.microsoft.com/", true)]
    [InlineData("https://smba.infra.gcc.teams.microsoft.us/", true)]
    [InlineData("http://smba.trafficmanager.net/amer/", false)]      // a token never travels in clear
    [InlineData("https://smba.trafficmanager.net.evil.example/", false)]
    [InlineData("https://evilbotframework.com/", false)]
    [InlineData("https://user@smba.trafficmanager.net/", false)]
    [InlineData("http://127.0.0.1:5001/", false)]                      // loopback only when configured
    [InlineData("not a url", false)]
    public void IsTrusted_BotFrameworkHostsOnly(string url, bool trusted) =>
        Assert.Equal(trusted, ServiceUrls.IsTrusted(url, []));

    [Theory]
    [InlineData("http://127.0.0.1:5001/", true)]
    [InlineData("http://127.0.0.1:5002/", false)]
    [InlineData("http://10.0.0.5:5001/", false)]   // plain http only on loopback, even when configured
    public void IsTrusted_ConfiguredHost(string url, bool trusted) =>
        Assert.Equal(trusted, ServiceUrls.IsTrusted(url, ["127.0.0.1:5001", "10.0.0.5:5001"]));

    [Theory]
    [InlineData("https://login.botframework.com/v1/.well-known/openidconfiguration", true)]
    [InlineData("http://127.0.0.1:8080/v1/.well-known/openidconfiguration", true)]
    [InlineData("http://[::1]:8080/keys", true)]
    [InlineData("http://localhost:8080/keys", true)]
    [InlineData("http://login.botframework.com/v1/.well-known/openidconfiguration", false)]
    public void IsHttpsOrLoopback(string url, bool ok) => Assert.Equal(ok, ServiceUrls.IsHttpsOrLoopback(url));

    [Fact]
    public void Options_RefusePlainHttpMetadataAndTokenEndpoint()
    {
        var options = new BotOptions
        {
            MicrosoftAppId = "app",
            MicrosoftAppPassword = "secret",
            OpenIdMetadataUrl = "http://login.botframework.com/v1/.well-known/openidconfiguration",
            TokenEndpoint = "http://login.microsoftonline.com/t/oauth2/v2.0/token",
        };

        var errors = options.Validate(new ValidationContext(options)).SelectMany(e => e.MemberNames).ToList();

        Assert.Equal([nameof(BotOptions.OpenIdMetadataUrl), nameof(BotOptions.TokenEndpoint)], errors);
    }

    [Theory]
    [InlineData(null, "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token")]
    [InlineData("451759a8-7d0f-44e7-8ca7-378fc3a9837c", "https://login.microsoftonline.com/451759a8-7d0f-44e7-8ca7-378fc3a9837c/oauth2/v2.0/token")]
    public void TokenEndpoint_DefaultsToTheTenant(string? tenant, string expected) =>
        Assert.Equal(expected, new BotOptions { MicrosoftAppTenantId = tenant }.TokenEndpointUri.AbsoluteUri);
}
