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
        using var listener = Listen(spans);

        var activity = host.Sample("message-personal");
        activity["text"] = "help";
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(activity)).StatusCode);
        await host.RepliesToAsync(activity["id"]!.GetValue<string>());

        // The turn's span ends once its reply is out, just after the Connector saw it.
        Assert.True(await SpansShowATurnAsync(spans, "msteams"), "no msteams turn span holding every stage up to the send");
    }

    /// <summary>
    /// Whether some turn span of <paramref name="channel"/> holds every stage, the reply's send included, waiting a little
    /// for the turn to end. Other tests' turns are traced meanwhile, so it looks for any such turn.
    /// </summary>
    internal static async Task<bool> SpansShowATurnAsync(ConcurrentQueue<System.Diagnostics.Activity> spans, string channel)
    {
        string?[] wanted = [CrmBotTelemetry.Stages.Recognize, CrmBotTelemetry.Stages.Read, CrmBotTelemetry.Stages.Commit,
            CrmBotTelemetry.Stages.Render, CrmBotTelemetry.Stages.Send];
        for (var waited = 0; waited < 5_000; waited += 50)
        {
            var turns = spans.Where(s => s.OperationName == CrmBotTelemetry.Stages.Turn && (string?)s.GetTagItem(CrmBotTelemetry.ChannelTag) == channel);
            if (turns.Any(turn => spans.Where(s => s.TraceId == turn.TraceId && s != turn)
                    .Select(s => (string?)s.GetTagItem(CrmBotTelemetry.StageTag)).ToHashSet().IsSupersetOf(wanted)))
                return true;
            await Task.Delay(50);
        }
        return false;
    }

    /// <summary>Collects every span of CrmBot's source that ends, from now until the listener is disposed.</summary>
    internal static ActivityListener Listen(ConcurrentQueue<System.Diagnostics.Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CrmBotTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
