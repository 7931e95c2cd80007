using System.Net;

namespace CrmBot.Channels.Teams;

/// <summary>Which URLs may carry our credentials: Bot Framework's hosts over https, loopback for tests.</summary>
public static class ServiceUrls
{
    // Where Bot Framework channels put Connector endpoints (the SDK's trusted service URLs).
    private static readonly string[] BotFrameworkHosts =
        ["botframework.com", "smba.trafficmanager.net", "teams.microsoft.com", "teams.microsoft.us"];

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    public static bool IsHttpsOrLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri)));

    /// <summary>
    /// True when a bearer token may be sent to <paramref name="serviceUrl"/>: https to a Bot Framework
    /// host (or a subdomain), or a configured host; plain http only to loopback.
    /// </summary>
    public static bool IsTrusted(string? serviceUrl, IReadOnlyCollection<string> extraHosts) =>
        Refusal(serviceUrl, extraHosts) is null;

    /// <summary>
    /// Why nothing may be sent to <paramref name="serviceUrl"/>, in words an admin can act on (the setting to
    /// change, when one would help); null when it is trusted.
    /// </summary>
    public static string? Refusal(string? serviceUrl, IReadOnlyCollection<string> extraHosts)
    {
        if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri))
            return "The conversation's serviceUrl is not a URL, so nothing was sent.";
        var host = uri.IdnHost;
        var authority = uri.IsDefaultPort ? host : $"{host}:{uri.Port}";
        if (!IsHttpsOrLoopback(serviceUrl!))
            return $"The Connector at {authority} was given as {uri.Scheme}, so nothing was sent: the bot's token only goes over https (plain http only to this machine).";
        if (!string.IsNullOrEmpty(uri.UserInfo))
            return $"The Connector URL for {authority} carries a user name, so nothing was sent.";
        if (extraHosts.Any(h => string.Equals(h, host, StringComparison.OrdinalIgnoreCase)
                                || string.Equals(h, authority, StringComparison.OrdinalIgnoreCase)))
            return null;
        if (uri.Scheme == Uri.UriSchemeHttps
            && BotFrameworkHosts.Any(h => string.Equals(host, h, StringComparison.OrdinalIgnoreCase)
                                          || host.EndsWith("." + h, StringComparison.OrdinalIgnoreCase)))
            return null;
        return $"The Connector host {authority} is not trusted, so nothing was sent to it (the bot's token only goes to Bot Framework's hosts). "
               + $"If this Connector is yours, add \"{authority}\" to Bot:TrustedServiceUrlHosts.";
    }
}
