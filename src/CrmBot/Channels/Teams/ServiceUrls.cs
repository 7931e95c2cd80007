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
    public static bool IsTrusted(string? serviceUrl, IReadOnlyCollection<string> extraHosts)
    {
        if (serviceUrl is null || !IsHttpsOrLoopback(serviceUrl)) return false;
        var uri = new Uri(serviceUrl);
        if (!string.IsNullOrEmpty(uri.UserInfo)) return false;
        var host = uri.IdnHost;
        var authority = uri.IsDefaultPort ? host : $"{host}:{uri.Port}";
        if (extraHosts.Any(h => string.Equals(h, host, StringComparison.OrdinalIgnoreCase)
                                || string.Equals(h, authority, StringComparison.OrdinalIgnoreCase)))
            return true;
        return uri.Scheme == Uri.UriSchemeHttps
               && BotFrameworkHosts.Any(h => string.Equals(host, h, StringComparison.OrdinalIgnoreCase)
                                             || host.EndsWith("." + h, StringComparison.OrdinalIgnoreCase));
    }
}
