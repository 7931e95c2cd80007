using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using CrmBot.Conversations.Cards;
using CrmBot.Crm.Diagnostics;
using CrmBot.Tests.Conversations;

namespace CrmBot.Tests.Crm.Diagnostics;

/// <summary>A turn's stages as spans and timings, seen through the same listeners an OpenTelemetry SDK uses.</summary>
public class CrmBotTelemetryTests
{
    [Fact]
    public async Task LogTurn_UnderAListener_TracesItsStages_UnderTheTurn()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe", "Acme");
        // Other tests run meanwhile and trace too: keep only the spans of this test's turn.
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CrmBotTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        ActivityTraceId trace;
        using (var turn = CrmBotTelemetry.StartTurn("test"))
        {
            trace = turn.Activity!.TraceId;
            var replies = await host.SayAsync("log call with Jane Doe: discussed renewal pricing");
            replies.Card(CardNames.ActivityLogged);
        }

        var mine = spans.Where(s => s.TraceId == trace).ToList();
        var root = Assert.Single(mine, s => s.OperationName == CrmBotTelemetry.Stages.Turn);
        Assert.Equal("test", root.GetTagItem(CrmBotTelemetry.ChannelTag));
        var stages = mine.Where(s => s != root).Select(s => (string?)s.GetTagItem(CrmBotTelemetry.StageTag)).ToHashSet();
        Assert.Superset(new HashSet<string?>
        {
            CrmBotTelemetry.Stages.Recognize, CrmBotTelemetry.Stages.Read, CrmBotTelemetry.Stages.Commit, CrmBotTelemetry.Stages.Render,
        }, stages);
        Assert.Contains(mine, s => s.OperationName == "read member");
        Assert.Contains(mine, s => s.OperationName == "read flow");
        Assert.All(mine.Where(s => s != root), s => Assert.Equal(root.SpanId, Ancestor(s, root)));
    }

    [Fact]
    public void Stage_UnderAMeterListener_RecordsItsDuration_TaggedWithStageAndPart()
    {
        var seen = new ConcurrentQueue<(double Ms, string? Stage, string? Part)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CrmBotTelemetry.Name && instrument.Name == CrmBotTelemetry.StageDurationName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, ms, tags, _) =>
        {
            string? stage = null, part = null;
            foreach (var tag in tags)
            {
                if (tag.Key == CrmBotTelemetry.StageTag) stage = tag.Value as string;
                if (tag.Key == CrmBotTelemetry.PartTag) part = tag.Value as string;
            }
            seen.Enqueue((ms, stage, part));
        });
        listener.Start();

        using (CrmBotTelemetry.Stage(CrmBotTelemetry.Stages.Read, "telemetry-test")) Thread.Sleep(5);

        var (elapsed, stageName, _) = Assert.Single(seen, s => s.Part == "telemetry-test");
        Assert.Equal(CrmBotTelemetry.Stages.Read, stageName);
        Assert.InRange(elapsed, 4, 10_000);
    }

    [Fact]
    public void Stage_WithNothingListening_StartsNoSpan_AndAllocatesNothing()
    {
        // No listener in this process may be attached to the source for this to hold; the tests above attach
        // theirs only for their own duration, so retry briefly instead of failing on their overlap.
        for (var attempt = 0; CrmBotTelemetry.Source.HasListeners() && attempt < 200; attempt++) Thread.Sleep(10);
        Assert.False(CrmBotTelemetry.Source.HasListeners());

        using (var first = CrmBotTelemetry.Stage(CrmBotTelemetry.Stages.Recognize)) Assert.Null(first.Activity);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            using var stage = CrmBotTelemetry.Stage(CrmBotTelemetry.Stages.Read, "member");
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    /// <summary>The outermost span above <paramref name="span"/>.</summary>
    private static ActivitySpanId Ancestor(Activity span, Activity root)
    {
        var current = span;
        while (current.Parent is { } parent) current = parent;
        return current == span ? default : current.SpanId;
    }
}
