using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace CrmBot.Channels.Slack;

/// <summary>
/// Slack's request signing (v0): HMAC-SHA256 with the signing secret over "v0:{timestamp}:{raw body}",
/// sent as "X-Slack-Signature: v0={hex}" with "X-Slack-Request-Timestamp".
/// </summary>
public static class SlackSignature
{
    public const string SignatureHeader = "X-Slack-Signature";
    public const string TimestampHeader = "X-Slack-Request-Timestamp";

    /// <summary>Older (or newer) than this and a captured request could be replayed.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private const string Version = "v0";

    /// <summary>"v0=" + lower-case hex, as Slack sends it (tests and the fakes sign with this too).</summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body) =>
        Version + "=" + Convert.ToHexStringLower(Compute(secret, timestamp, body));

    public static bool IsValid(string? secret, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature)) return false;
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return false;
        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > MaxAge.TotalSeconds) return false;

        if (!signature.StartsWith(Version + "=", StringComparison.Ordinal)) return false;
        var hex = signature.AsSpan(Version.Length + 1);
        if (hex.Length != SHA256.HashSizeInBytes * 2) return false;
        Span<byte> given = stackalloc byte[SHA256.HashSizeInBytes];
        if (Convert.FromHexString(hex, given, out _, out var written) != System.Buffers.OperationStatus.Done || written != given.Length)
            return false;

        return CryptographicOperations.FixedTimeEquals(Compute(secret, timestamp, body), given);
    }

    private static byte[] Compute(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{Version}:{timestamp}:");
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}

/// <summary>
/// On the /slack route group: reads the raw body (within the size limit) and checks its signature
/// before any handler parses it. Handlers take the verified bytes from <see cref="Body"/>.
/// </summary>
internal sealed class SlackSignatureFilter(IOptions<SlackOptions> options, TimeProvider clock, ILogger<SlackSignatureFilter> logger)
    : IEndpointFilter
{
    private static readonly object BodyKey = new();

    public static ReadOnlyMemory<byte> Body(HttpContext context) =>
        context.Items[BodyKey] as byte[] ?? throw new InvalidOperationException("The Slack signature filter did not run.");

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var http = invocation.HttpContext;
        var o = options.Value;
        if (string.IsNullOrEmpty(o.SigningSecret))
        {
            Log.NoSigningSecret(logger);
            return Results.Unauthorized();
        }

        var body = http.Request.ContentLength > o.MaxRequestBytes ? null : await ReadLimitedAsync(http.Request.Body, o.MaxRequestBytes, http.RequestAborted);
        if (body is null)
        {
            Log.TooLarge(logger, http.Request.Path, o.MaxRequestBytes);
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        var ok = SlackSignature.IsValid(o.SigningSecret,
            http.Request.Headers[SlackSignature.TimestampHeader].ToString(),
            http.Request.Headers[SlackSignature.SignatureHeader].ToString(),
            body, clock.GetUtcNow());
        if (!ok)
        {
            Log.BadSignature(logger, http.Request.Path);
            return Results.Unauthorized();
        }

        http.Items[BodyKey] = body;
        return await next(invocation);
    }

    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadLimitedAsync(Stream stream, int limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
