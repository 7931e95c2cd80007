using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CrmBot.Hosting;

internal static class HealthEndpoint
{
    /// <summary>The header that carries Health:DetailsKey.</summary>
    public const string KeyHeader = "X-Health-Key";

    /// <summary>
    /// GET /healthz: 200 when every check is healthy, 503 otherwise. The checks themselves (outbox counts, last
    /// errors) tell an outsider about our traffic and peers, so only a local caller or one sending the key sees them.
    /// </summary>
    public static void MapHealth(this WebApplication app)
    {
        var key = app.Configuration["Health:DetailsKey"];
        var keyBytes = string.IsNullOrEmpty(key) ? null : Encoding.UTF8.GetBytes(key);
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = (context, report) => WriteAsync(context, report, keyBytes) });
    }

    private static Task WriteAsync(HttpContext context, HealthReport report, byte[]? key)
    {
        context.Response.ContentType = "application/json";
        object body = MayShowDetails(context, key)
            ? new
            {
                status = report.Status.ToString(),
                checks = report.Entries.ToDictionary(e => e.Key, e => new
                {
                    status = e.Value.Status.ToString(),
                    detail = e.Value.Description,
                    data = e.Value.Data.Count == 0 ? null : e.Value.Data,
                }),
            }
            : new { status = report.Status.ToString() };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }

    private static bool MayShowDetails(HttpContext context, byte[]? key)
    {
        if (key is not null && context.Request.Headers.TryGetValue(KeyHeader, out var sent)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent.ToString()), key))
            return true;
        // A request a proxy forwarded comes from wherever the proxy says, even when the proxy itself is local.
        if (context.Request.Headers.ContainsKey("X-Forwarded-For") || context.Request.Headers.ContainsKey("Forwarded")) return false;
        // No address at all: not over IP (a Unix socket, the in-process test server), so from this machine.
        return context.Connection.RemoteIpAddress is not { } remote || IPAddress.IsLoopback(remote);
    }
}
