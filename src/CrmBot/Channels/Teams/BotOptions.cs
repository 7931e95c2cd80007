using CrmBot.Crm.ChatState;
using System.ComponentModel.DataAnnotations;

namespace CrmBot.Channels.Teams;

/// <summary>The "Bot" configuration section: the Azure Bot registration and the Bot Framework endpoints.</summary>
public sealed class BotOptions : IValidatableObject
{
    public const string Section = "Bot";
    public const string DefaultOpenIdMetadataUrl = "https://login.botframework.com/v1/.well-known/openidconfiguration";

    /// <summary>The Azure Bot's app (client) id. Empty: the endpoint accepts unauthenticated requests (local testing only).</summary>
    public string? MicrosoftAppId { get; set; }

    /// <summary>The app's client secret; user secrets or environment, never appsettings in the repo.</summary>
    public string? MicrosoftAppPassword { get; set; }

    /// <summary>The app's home tenant (single-tenant bots; new multi-tenant registrations are retired).</summary>
    public string? MicrosoftAppTenantId { get; set; }

    /// <summary>"SingleTenant" (default) or "MultiTenant"; informational, the tenant id decides the token endpoint.</summary>
    public string MicrosoftAppType { get; set; } = "SingleTenant";

    public string OpenIdMetadataUrl { get; set; } = DefaultOpenIdMetadataUrl;

    /// <summary>Client-credentials endpoint; null means login.microsoftonline.com for the tenant (or botframework.com).</summary>
    public string? TokenEndpoint { get; set; }

    /// <summary>Hosts beyond Bot Framework's own that may receive our bearer token (test Connectors).</summary>
    public List<string> TrustedServiceUrlHosts { get; set; } = [];

    /// <summary>Inbound bodies above this are refused with 413 (Teams messages stay well under 100 KB).</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// How long a request waits for a slot and for its turn before answering 200 and letting the turn finish in the
    /// background (stored first, so that a crash does not lose it); Teams redelivers what is not answered within about 15 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:14")]
    public TimeSpan AcknowledgeAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First back-off of a throttled Connector call (doubles, with jitter; Retry-After wins).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ConnectorRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long after a failed look-up of a Teams member's e-mail (conversation members API) it is asked again; until
    /// then their turns do not ask. A look-up that found the address is not repeated.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan MemberLookupRetry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The Bot Framework channels /api/messages answers (an activity's <c>channelId</c>); empty means Teams only. Others
    /// (e.g. "webchat") are opt-in: their members are that channel's, never a Teams member with the same ids.
    /// </summary>
    public List<string> Channels { get; set; } = [];

    /// <summary>Whether an activity from <paramref name="channelId"/> is served (none given: Teams, as a local emulator sends).</summary>
    public bool Serves(string? channelId) =>
        string.IsNullOrEmpty(channelId)
            ? Channels.Count == 0 || Channels.Contains(ChannelIds.Teams, StringComparer.Ordinal)
            : Channels.Count == 0 ? channelId == ChannelIds.Teams : Channels.Contains(channelId, StringComparer.Ordinal);

    public bool IsAuthenticationEnabled => !string.IsNullOrWhiteSpace(MicrosoftAppId);

    public Uri TokenEndpointUri => new(TokenEndpoint
        ?? $"https://login.microsoftonline.com/{(string.IsNullOrWhiteSpace(MicrosoftAppTenantId) ? "botframework.com" : MicrosoftAppTenantId)}/oauth2/v2.0/token");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!ServiceUrls.IsHttpsOrLoopback(OpenIdMetadataUrl))
            yield return new ValidationResult("Bot:OpenIdMetadataUrl must be an https URL (plain http only on loopback).", [nameof(OpenIdMetadataUrl)]);
        if (TokenEndpoint is not null && !ServiceUrls.IsHttpsOrLoopback(TokenEndpoint))
            yield return new ValidationResult("Bot:TokenEndpoint must be an https URL (plain http only on loopback).", [nameof(TokenEndpoint)]);
        if (IsAuthenticationEnabled && string.IsNullOrWhiteSpace(MicrosoftAppPassword))
            yield return new ValidationResult("Bot:MicrosoftAppPassword is required when Bot:MicrosoftAppId is set (use user secrets).", [nameof(MicrosoftAppPassword)]);
    }
}
