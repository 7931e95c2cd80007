using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CrmBot.Fakes.Teams;

/// <summary>What to put in (or leave out of) a channel token; defaults make a valid one.</summary>
public sealed record ChannelToken
{
    public string Issuer { get; init; } = BotFrameworkTokenIssuer.ChannelIssuer;
    public string? Audience { get; init; }
    /// <summary>The serviceurl claim; null leaves it out.</summary>
    public string? ServiceUrl { get; init; }
    public DateTime? NotBefore { get; init; }
    public DateTime? Expires { get; init; }
    public SigningKeyChoice Key { get; init; } = SigningKeyChoice.Teams;
}

public enum SigningKeyChoice
{
    /// <summary>Published in the JWKS, endorsed for msteams.</summary>
    Teams,
    /// <summary>Published in the JWKS, endorsed only for another channel (webchat).</summary>
    OtherChannel,
    /// <summary>Never published: its key id is unknown to the bot.</summary>
    Unpublished,
}

/// <summary>
/// Loopback stand-in for Bot Framework's login service: the OpenID metadata document, a JWKS whose keys
/// carry <c>endorsements</c> (as login.botframework.com publishes them), channel tokens signed with those
/// keys, and the client-credentials token endpoint that gives the bot its outbound tokens.
/// Usable outside xUnit (the load tool): <c>await using var issuer = await BotFrameworkTokenIssuer.StartAsync(appId, secret);</c>
/// </summary>
public sealed class BotFrameworkTokenIssuer : LoopbackServer
{
    public const string ChannelIssuer = "https://api.botframework.com";
    public const string ConnectorAudience = "https://api.botframework.com";
    public const string Scope = "https://api.botframework.com/.default";

    private readonly RsaSecurityKey _teamsKey = NewKey("teams-channel-key");
    private readonly RsaSecurityKey _otherChannelKey = NewKey("webchat-channel-key");
    private readonly RsaSecurityKey _unpublishedKey = NewKey("unpublished-key");
    private readonly RsaSecurityKey _aadKey = NewKey("aad-outbound-key");
    private readonly JsonWebTokenHandler _handler = new();
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _tokenRequests = new();
    private int _metadataRequests;
    private volatile bool _unpublishedKeyPublished;

    private BotFrameworkTokenIssuer(string appId, string appPassword, string tenantId)
    {
        AppId = appId;
        AppPassword = appPassword;
        TenantId = tenantId;
    }

    public string AppId { get; }
    public string AppPassword { get; }
    public string TenantId { get; }

    /// <summary>Bot:OpenIdMetadataUrl.</summary>
    public string MetadataUrl => $"{BaseUrl}/v1/.well-known/openidconfiguration";
    /// <summary>Bot:TokenEndpoint.</summary>
    public string TokenEndpoint => $"{BaseUrl}/{TenantId}/oauth2/v2.0/token";
    /// <summary>Client-credentials requests received (form fields; the secret is replaced by "***").</summary>
    public IReadOnlyCollection<IReadOnlyDictionary<string, string>> TokenRequests => _tokenRequests;
    public int MetadataRequests => _metadataRequests;

    public static async Task<BotFrameworkTokenIssuer> StartAsync(string appId, string appPassword, string tenantId = "tenant-1", CancellationToken ct = default)
    {
        var issuer = new BotFrameworkTokenIssuer(appId, appPassword, tenantId);
        await issuer.StartServerAsync(ct);
        return issuer;
    }

    /// <summary>A token as the channel service sends it to the bot (iss api.botframework.com, aud = app id, serviceurl).</summary>
    /// <summary>The issuer's "now": real time unless a test gives it the service's clock.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public string CreateChannelToken(ChannelToken spec)
    {
        var now = Clock.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>();
        if (spec.ServiceUrl is not null) claims["serviceurl"] = spec.ServiceUrl;
        var expires = spec.Expires ?? now.AddHours(1);
        var notBefore = spec.NotBefore ?? (expires < now ? expires.AddHours(-1) : now.AddMinutes(-1));
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = spec.Issuer,
            Audience = spec.Audience ?? AppId,
            Claims = claims,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires,
            SigningCredentials = new SigningCredentials(spec.Key switch
            {
                SigningKeyChoice.OtherChannel => _otherChannelKey,
                SigningKeyChoice.Unpublished => _unpublishedKey,
                _ => _teamsKey,
            }, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>
    /// Key rotation: from now on the JWKS also lists the key that was unpublished (endorsed for msteams),
    /// as Bot Framework does when it rolls keys. Bots with cached keys must refresh to accept it.
    /// </summary>
    public void PublishUnpublishedKey() => _unpublishedKeyPublished = true;

    /// <summary>An unsigned token (alg none) with otherwise valid claims.</summary>
    public string CreateUnsignedToken(string serviceUrl) =>
        Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" }) + "." + Encode(ValidPayload(serviceUrl)) + ".";

    /// <summary>
    /// The key-confusion forgery: HS256 "signed" with the published RSA public key as the HMAC secret,
    /// naming the published key id. A validator that lets the token pick the algorithm would accept it.
    /// </summary>
    public string CreateHmacWithPublicKeyToken(string serviceUrl)
    {
        var header = Encode(new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = _teamsKey.KeyId });
        var payload = Encode(ValidPayload(serviceUrl));
        var secret = Encoding.ASCII.GetBytes(_teamsKey.Rsa.ExportSubjectPublicKeyInfoPem());
        var signature = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(header + "." + payload));
        return header + "." + payload + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>Checks a token the bot sends to the Connector: issued here, to the bot's app id, for the Connector.</summary>
    public async Task<bool> IsValidOutboundTokenAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = $"https://login.microsoftonline.com/{TenantId}/v2.0",
            ValidAudience = ConnectorAudience,
            IssuerSigningKey = _aadKey,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });
        return result.IsValid && result.Claims.TryGetValue("azp", out var azp) && (string)azp == AppId;
    }

    protected override void Map(WebApplication app)
    {
        app.MapGet("/v1/.well-known/openidconfiguration", () =>
        {
            Interlocked.Increment(ref _metadataRequests);
            return Results.Json(new JsonObject
            {
                ["issuer"] = ChannelIssuer,
                ["authorization_endpoint"] = $"{BaseUrl}/v1/authorize",
                ["jwks_uri"] = $"{BaseUrl}/v1/keys",
                ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
                ["token_endpoint_auth_methods_supported"] = new JsonArray("private_key_jwt"),
            });
        });
        app.MapGet("/v1/keys", () => Results.Json(new JsonObject
        {
            ["keys"] = _unpublishedKeyPublished
                ? new JsonArray(Jwk(_teamsKey, "msteams", "emulator"), Jwk(_otherChannelKey, "webchat"), Jwk(_unpublishedKey, "msteams"))
                : new JsonArray(Jwk(_teamsKey, "msteams", "emulator"), Jwk(_otherChannelKey, "webchat")),
        }));
        app.MapPost("/{tenant}/oauth2/v2.0/token", async (string tenant, HttpRequest request) =>
        {
            if (!request.HasFormContentType) return Results.BadRequest(new { error = "invalid_request" });
            var form = await request.ReadFormAsync();
            var fields = form.ToDictionary(f => f.Key, f => f.Key == "client_secret" ? "***" : f.Value.ToString());
            _tokenRequests.Enqueue(fields);
            if (tenant != TenantId) return Results.BadRequest(new { error = "invalid_tenant" });
            if (form["grant_type"] != "client_credentials" || form["scope"] != Scope)
                return Results.BadRequest(new { error = "invalid_request" });
            if (form["client_id"] != AppId || form["client_secret"] != AppPassword)
                return Results.Json(new { error = "invalid_client" }, statusCode: StatusCodes.Status401Unauthorized);
            var now = DateTime.UtcNow;
            var token = _handler.CreateToken(new SecurityTokenDescriptor
            {
                Issuer = $"https://login.microsoftonline.com/{TenantId}/v2.0",
                Audience = ConnectorAudience,
                Claims = new Dictionary<string, object> { ["azp"] = AppId, ["tid"] = TenantId },
                IssuedAt = now,
                NotBefore = now,
                Expires = now.AddHours(1),
                SigningCredentials = new SigningCredentials(_aadKey, SecurityAlgorithms.RsaSha256),
            });
            return Results.Json(new { token_type = "Bearer", expires_in = 3600, ext_expires_in = 3600, access_token = token });
        });
    }

    private JsonObject ValidPayload(string serviceUrl)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = ChannelIssuer, ["aud"] = AppId, ["serviceurl"] = serviceUrl,
            ["nbf"] = now - 60, ["iat"] = now - 60, ["exp"] = now + 3600,
        };
    }

    private static string Encode(JsonObject json) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(json));

    private static RsaSecurityKey NewKey(string kid) => new(RSA.Create(2048)) { KeyId = kid };

    private static JsonObject Jwk(RsaSecurityKey key, params string[] endorsements)
    {
        var p = key.Rsa.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = key.KeyId,
            ["n"] = Base64UrlEncoder.Encode(p.Modulus),
            ["e"] = Base64UrlEncoder.Encode(p.Exponent),
            ["endorsements"] = new JsonArray(endorsements.Select(e => (JsonNode)e).ToArray()),
        };
    }
}
