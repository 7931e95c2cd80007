using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace CrmBot.Channels.Teams;

/// <summary>
/// The bot's own token for Connector calls (the SDK's AppCredentials / MSAL AcquireTokenForClient):
/// client credentials against the tenant's token endpoint, cached until shortly before it expires.
/// </summary>
/// <remarks>Singleton: the cache is shared by every Connector call in the process.</remarks>
public sealed class BotTokenProvider(IHttpClientFactory httpClients, IOptions<BotOptions> options, TimeProvider clock)
{
    public const string Scope = "https://api.botframework.com/.default";
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private readonly BotOptions _options = options.Value;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private DateTimeOffset _renewAt;

    /// <summary>A bearer token, or null when no app id is configured (local testing: no credentials to send).</summary>
    public async Task<string?> GetTokenAsync(CancellationToken ct)
    {
        if (!_options.IsAuthenticationEnabled) return null;
        if (_token is not null && clock.GetUtcNow() < _renewAt) return _token;

        await _gate.WaitAsync(ct);
        try
        {
            if (_token is not null && clock.GetUtcNow() < _renewAt) return _token;

            var endpoint = _options.TokenEndpointUri;
            if (!ServiceUrls.IsHttpsOrLoopback(endpoint.AbsoluteUri))
                throw new InvalidOperationException("Bot:TokenEndpoint must be https (plain http only on loopback).");
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = _options.MicrosoftAppId!,
                ["client_secret"] = _options.MicrosoftAppPassword ?? "",
                ["scope"] = Scope,
            });
            using var http = httpClients.CreateClient(nameof(BotTokenProvider));
            using var response = await http.PostAsync(endpoint, form, ct);
            if (!response.IsSuccessStatusCode)
                // The body may echo request details; the status is enough to act on.
                throw new HttpRequestException($"Token endpoint answered {(int)response.StatusCode}.", null, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<TokenResponse>(ct)
                       ?? throw new HttpRequestException("Token endpoint answered an empty body.");
            if (string.IsNullOrEmpty(body.AccessToken))
                throw new HttpRequestException("Token endpoint answered without access_token.");

            var lifetime = TimeSpan.FromSeconds(Math.Max(body.ExpiresIn, 0));
            // Renew 5 minutes early; a short-lived token is renewed at half its life instead.
            var margin = lifetime > 2 * RenewBefore ? RenewBefore : lifetime / 2;
            _token = body.AccessToken;
            _renewAt = clock.GetUtcNow() + lifetime - margin;
            return _token;
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed class TokenResponse
    {
        [JsonPropertyName("access_token")] public string? AccessToken { get; set; }
        [JsonPropertyName("expires_in")] public long ExpiresIn { get; set; }
    }
}
