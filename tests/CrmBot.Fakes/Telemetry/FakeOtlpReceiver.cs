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
        _exports.Enqueue(new Export(context.Request.Method, context.Request.Path, context.Request.ContentType, body.Length));
        // An empty ExportTraceServiceRequest response: zero bytes of protobuf.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-protobuf";
    });
}
