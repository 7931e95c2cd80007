using System.Collections.Concurrent;
using CrmBot.Fakes.Teams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CrmBot.Fakes.Telemetry;

/// <summary>
/// An OTLP/HTTP collector on loopback that only records what reaches it (method, path, content type, body size):
/// enough to show that a service's exporter is on and pointed here, without decoding the protobuf.
/// </summary>
public sealed class FakeOtlpReceiver : LoopbackServer
{
    public sealed record Export(string Method, string Path, string? ContentType, long Bytes);

    private readonly ConcurrentQueue<Export> _exports = new();

    public IReadOnlyList<Export> Exports => _exports.ToArray();

    /// <summary>False: exports are only raised through <see cref="Received"/>, not kept (long load runs).</summary>
    public bool KeepExports { get; set; } = true;

    /// <summary>Raised for every export with its path and body (the load tool reads the service's stage timings from it).</summary>
    public event Action<string, byte[]>? Received;

    public static async Task<FakeOtlpReceiver> StartAsync(CancellationToken ct = default)
    {
        var receiver = new FakeOtlpReceiver();
        await receiver.StartServerAsync(ct);
        return receiver;
    }

    protected override void Map(WebApplication app) => app.Run(async context =>
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        if (KeepExports) _exports.Enqueue(new Export(context.Request.Method, context.Request.Path, context.Request.ContentType, body.Length));
        Received?.Invoke(context.Request.Path, body.ToArray());
        // An empty ExportTraceServiceRequest response: zero bytes of protobuf.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-protobuf";
    });
}
