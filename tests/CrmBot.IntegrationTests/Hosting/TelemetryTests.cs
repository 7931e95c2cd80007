using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using CrmBot.Crm.Diagnostics;
using CrmBot.Fakes.Telemetry;
using CrmBot.IntegrationTests.Infrastructure;
using CrmBot.IntegrationTests.Channels.Teams;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace CrmBot.IntegrationTests.Hosting;

/// <summary>The service with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a loopback OTLP/HTTP collector.</summary>
public sealed class OtlpHost : TeamsHost
{
    public FakeOtlpReceiver Receiver { get; } = FakeOtlpReceiver.StartAsync().GetAwaiter().GetResult();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("OTEL_EXPORTER_OTLP_ENDPOINT", Receiver.BaseUrl),
        new("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        new("OTEL_SERVICE_NAME", "crmbot-test"),
    ];
}

public class TelemetryTests(OtlpHost host) : IClassFixture<OtlpHost>
{
    [Fact]
    public void WithoutOtelSettings_NoOpenTelemetryProviderIsRegistered()
    {
        using var factory = new CrmBotFactory();

        Assert.Null(factory.Services.GetService<TracerProvider>());
        Assert.Null(factory.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task WithAnOtlpEndpoint_ATurnsSpansAndTimingsReachTheCollector()
    {
        var activity = host.Sample("message-personal");
        activity["text"] = "help";
        var response = await host.PostAsync(activity);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await host.RepliesToAsync(activity["id"]!.GetValue<string>());

        Assert.True(host.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
        Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));

        Assert.Contains(host.Receiver.Exports, e => e is { Method: "POST", Path: "/v1/traces", Bytes: > 0 });
        Assert.Contains(host.Receiver.Exports, e => e is { Method: "POST", Path: "/v1/metrics", Bytes: > 0 });
    }

    [Fact]
    public async Task ATeamsTurnThroughTheEndpoint_IsOneTurnSpan_ParentOfItsStages_UpToTheReplySent()
    {
        var spans = new ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CrmBotTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var activity = host.Sample("message-personal");
        activity["text"] = "help";
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(activity)).StatusCode);
        await host.RepliesToAsync(activity["id"]!.GetValue<string>());

        // Other tests' turns are traced meanwhile: some turn span of this channel must hold every stage, the reply's send included.
        var turns = spans.Where(s => s.OperationName == CrmBotTelemetry.Stages.Turn && (string?)s.GetTagItem(CrmBotTelemetry.ChannelTag) == "msteams").ToList();
        Assert.Contains(turns, turn =>
        {
            var stages = spans.Where(s => s.TraceId == turn.TraceId && s != turn).Select(s => (string?)s.GetTagItem(CrmBotTelemetry.StageTag)).ToHashSet();
            return stages.IsSupersetOf([CrmBotTelemetry.Stages.Recognize, CrmBotTelemetry.Stages.Read, CrmBotTelemetry.Stages.Commit,
                CrmBotTelemetry.Stages.Render, CrmBotTelemetry.Stages.Send]);
        });
    }
}
