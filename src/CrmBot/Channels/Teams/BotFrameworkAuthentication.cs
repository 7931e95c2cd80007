using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace CrmBot.Channels.Teams;

/// <summary>The outcome of checking one inbound request: an identity, anonymous (no app id), or refused.</summary>
public sealed record AuthenticationResult(bool Succeeded, ClaimsIdentity? Identity, IReadOnlyList<string> Endorsements, string? Failure)
{
    public static AuthenticationResult Anonymous { get; } = new(true, null, [], null);
    public static AuthenticationResult Fail(string why) => new(false, null, [], why);
}

/// <summary>
/// Checks the JWT the Bot Framework channel service puts on every call to the bot, as the SDK's
/// JwtTokenValidation does for channel tokens: OpenID metadata and JWKS (cached, refreshed when a key id
/// is unknown), issuer, audience = our app id, RS256/384/512, lifetime with 5 minutes' skew, then
/// against the activity: the serviceurl claim and the signing key's endorsement of the channel.
/// A token that passed is remembered for a few minutes: the channel sends one token on every request
/// for its hour of life, and checking its signature again each time was a tenth of a turn's CPU.
/// </summary>
public sealed class BotFrameworkAuthentication
{
    public const string Issuer = "https://api.botframework.com";
    public const string ServiceUrlClaim = "serviceurl";
    private static readonly string[] Algorithms =
        [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512];

    // A token with a key id we have not seen forces a fetch of the keys, at most this often, so a flood
    // of forged kids cannot hammer the metadata endpoint.
    private static readonly TimeSpan ForcedRefreshInterval = TimeSpan.FromSeconds(30);

    // How long a checked token is taken on trust: short, so a key Bot Framework withdraws stops being
    // honoured within minutes. Only tokens that passed are kept (a forgery cannot fill the cache), and a
    // bounded number of them.
    internal static readonly TimeSpan TrustCheckedTokenFor = TimeSpan.FromMinutes(5);
    private const int CheckedTokensKept = 1024;

    private readonly BotOptions _options;
    private readonly TimeProvider _clock;
    private readonly HttpDocumentRetriever _documents;
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _metadata;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private readonly MemoryCache _checked;
    private OpenIdConnectConfiguration? _refreshed;
    private DateTimeOffset _refreshedAt = DateTimeOffset.MinValue;

    public BotFrameworkAuthentication(IOptions<BotOptions> options, IHttpClientFactory httpClients, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        _documents = new HttpDocumentRetriever(httpClients.CreateClient(nameof(BotFrameworkAuthentication)))
        {
            // Validated at start-up: https, or plain http only on loopback (the tests' fake issuer).
            RequireHttps = !ServiceUrls.IsLoopback(new Uri(_options.OpenIdMetadataUrl)),
        };
        _metadata = new ConfigurationManager<OpenIdConnectConfiguration>(
            _options.OpenIdMetadataUrl, new OpenIdConnectConfigurationRetriever(), _documents);
        _checked = new MemoryCache(new MemoryCacheOptions { SizeLimit = CheckedTokensKept, Clock = new CacheClock(clock) });
    }

    public bool IsAuthenticationEnabled => _options.IsAuthenticationEnabled;

    /// <summary>Checks the Authorization header alone (signature, issuer, audience, lifetime).</summary>
    public async Task<AuthenticationResult> AuthenticateAsync(string? authorizationHeader, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(authorizationHeader))
            return IsAuthenticationEnabled ? AuthenticationResult.Fail("no Authorization header") : AuthenticationResult.Anonymous;
        if (!IsAuthenticationEnabled)
            // A header we cannot check (no app id to expect as audience) is refused rather than ignored.
            return AuthenticationResult.Fail("a token was sent but Bot:MicrosoftAppId is not configured");

        const string scheme = "Bearer ";
        if (!authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return AuthenticationResult.Fail("not a bearer token");
        var token = authorizationHeader[scheme.Length..].Trim();
        if (_checked.TryGetValue(token, out AuthenticationResult? known)) return known!;
        if (!_handler.CanReadToken(token))
            return AuthenticationResult.Fail("token does not parse");

        try
        {
            var config = await _metadata.GetConfigurationAsync(ct);
            var result = await ValidateAsync(token, config);
            if (result.Exception is SecurityTokenSignatureKeyNotFoundException && await RefreshAsync(ct) is { } fresh)
            {
                config = fresh;
                result = await ValidateAsync(token, config);
            }
            if (!result.IsValid)
                return AuthenticationResult.Fail(result.Exception?.GetType().Name ?? "invalid token");

            var kid = ((JsonWebToken)result.SecurityToken).Kid;
            var key = config.JsonWebKeySet?.Keys.FirstOrDefault(k => k.Kid == kid);
            if (key is null)
                return AuthenticationResult.Fail("signing key has no key id in the key set");
            var accepted = new AuthenticationResult(true, result.ClaimsIdentity, Endorsements(key), null);
            Remember(token, accepted, result.SecurityToken.ValidTo);
            return accepted;
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or InvalidOperationException or JsonException)
        {
            // Unreadable header, payload or metadata: refused, never a 500.
            return AuthenticationResult.Fail(ex.GetType().Name);
        }
    }

    /// <summary>Keeps an accepted token until it expires or for <see cref="TrustCheckedTokenFor"/>, whichever is sooner.</summary>
    private void Remember(string token, AuthenticationResult accepted, DateTime validTo)
    {
        var until = _clock.GetUtcNow() + TrustCheckedTokenFor;
        var expires = new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc));
        if (expires < until) until = expires;
        if (until <= _clock.GetUtcNow()) return;
        // When full, the cache refuses new entries until it compacts; the token is then simply checked again.
        _checked.Set(token, accepted, new MemoryCacheEntryOptions { AbsoluteExpiration = until, Size = 1 });
    }

    private sealed class CacheClock(TimeProvider clock) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => clock.GetUtcNow();
    }

    /// <summary>
    /// The keys as published now. The cache (ConfigurationManager) only refreshes in the background after
    /// RequestRefresh, which would still refuse the token that revealed the new key; so fetch them here,
    /// and let the cache catch up.
    /// </summary>
    private async Task<OpenIdConnectConfiguration?> RefreshAsync(CancellationToken ct)
    {
        await _refreshGate.WaitAsync(ct);
        try
        {
            if (_clock.GetUtcNow() - _refreshedAt < ForcedRefreshInterval) return _refreshed;
            _refreshedAt = _clock.GetUtcNow();
            _refreshed = await OpenIdConnectConfigurationRetriever.GetAsync(_options.OpenIdMetadataUrl, _documents, ct);
            _metadata.RequestRefresh();
            return _refreshed;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    /// <summary>The checks that bind a valid token to the activity it carries.</summary>
    public static string? CheckActivity(AuthenticationResult auth, BotActivity activity)
    {
        if (auth.Identity is null) return null;   // anonymous (no app id): nothing to bind
        var claimed = auth.Identity.FindFirst(ServiceUrlClaim)?.Value;
        if (claimed is null || !string.Equals(claimed, activity.ServiceUrl, StringComparison.OrdinalIgnoreCase))
            return "serviceurl claim does not match the activity";
        if (string.IsNullOrEmpty(activity.ChannelId) || !auth.Endorsements.Contains(activity.ChannelId, StringComparer.Ordinal))
            return "signing key is not endorsed for the channel";
        return null;
    }

    private Task<TokenValidationResult> ValidateAsync(string token, OpenIdConnectConfiguration config) =>
        _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = _options.MicrosoftAppId,
            ValidAlgorithms = Algorithms,
            IssuerSigningKeys = config.SigningKeys,
            TryAllIssuerSigningKeys = false,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = Skew,
            // The service's clock, the same one that ends a remembered token's trust.
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = _clock.GetUtcNow().UtcDateTime;
                return expires is { } exp && now <= exp.ToUniversalTime() + Skew
                       && (notBefore is not { } nbf || now >= nbf.ToUniversalTime() - Skew);
            },
        });

    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    private static List<string> Endorsements(JsonWebKey key)
    {
        if (!key.AdditionalData.TryGetValue("endorsements", out var value)) return [];
        return value switch
        {
            JsonElement { ValueKind: JsonValueKind.Array } e => e.EnumerateArray()
                .Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList(),
            IEnumerable<object> items => items.OfType<string>().ToList(),
            _ => [],
        };
    }
}
