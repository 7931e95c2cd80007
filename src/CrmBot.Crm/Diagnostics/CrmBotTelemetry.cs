using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CrmBot.Crm.Diagnostics;

/// <summary>
/// The names under which a turn's stages are traced (<see cref="ActivitySource"/>) and timed (<see cref="Meter"/>),
/// so an operator's OpenTelemetry exporter and the load tool read the same numbers. Nothing is measured unless
/// something listens: without a listener <see cref="Stage"/> takes no timestamp and starts no span, and the
/// returned timing is a struct, so the path costs no allocation when telemetry is off.
/// </summary>
public static class CrmBotTelemetry
{
    /// <summary>The name of both the activity source and the meter.</summary>
    public const string Name = "CrmBot";

    /// <summary>The histogram of stage durations, in milliseconds, tagged with <see cref="StageTag"/> (and <see cref="PartTag"/>).</summary>
    public const string StageDurationName = "crmbot.stage.duration";

    public const string StageTag = "crmbot.stage";
    public const string PartTag = "crmbot.part";
    public const string ChannelTag = "crmbot.channel";

    /// <summary>The stages of a turn. Generic on purpose: the store layer names them too.</summary>
    public static class Stages
    {
        /// <summary>The whole turn, from a normalised inbound message to its last reply.</summary>
        public const string Turn = "turn";
        /// <summary>Choosing what a message asks for.</summary>
        public const string Recognize = "recognize";
        /// <summary>A read from the store (<see cref="PartTag"/> says which).</summary>
        public const string Read = "read";
        /// <summary>A transaction's commit, with the writes that ride along with it.</summary>
        public const string Commit = "commit";
        /// <summary>Turning a card into what a channel sends.</summary>
        public const string Render = "render";
        /// <summary>Posting a reply.</summary>
        public const string Send = "send";
    }

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    private static readonly Histogram<double> StageDuration =
        Meter.CreateHistogram<double>(StageDurationName, "ms", "How long one stage of a turn took.");

    /// <summary>Times the whole turn of <paramref name="channel"/>; dispose it when the turn's replies are out.</summary>
    public static StageTiming StartTurn(string channel)
    {
        var timing = Stage(Stages.Turn);
        timing.Activity?.SetTag(ChannelTag, channel);
        return timing;
    }

    /// <summary>Times one stage (<see cref="Stages"/>), with an optional <paramref name="part"/> (which read, which card).</summary>
    public static StageTiming Stage(string stage, string? part = null)
    {
        var activity = Source.HasListeners() ? Source.StartActivity(part is null ? stage : stage + " " + part) : null;
        if (activity is not null)
        {
            activity.SetTag(StageTag, stage);
            if (part is not null) activity.SetTag(PartTag, part);
        }
        return new StageTiming(activity, StageDuration.Enabled ? Stopwatch.GetTimestamp() : 0, stage, part);
    }

    /// <summary>One stage under way: its span (when traced) and its start (when timed). Dispose it once.</summary>
    public readonly struct StageTiming(Activity? activity, long started, string stage, string? part) : IDisposable
    {
        public Activity? Activity => activity;

        public void Dispose()
        {
            if (started != 0)
            {
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (part is null) StageDuration.Record(ms, new KeyValuePair<string, object?>(StageTag, stage));
                else StageDuration.Record(ms, new KeyValuePair<string, object?>(StageTag, stage), new KeyValuePair<string, object?>(PartTag, part));
            }
            activity?.Dispose();
        }
    }
}
