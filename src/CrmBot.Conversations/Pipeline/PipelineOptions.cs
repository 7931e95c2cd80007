using System.ComponentModel.DataAnnotations;

namespace CrmBot.Conversations.Pipeline;

/// <summary>Settings under <c>Pipeline:</c>: how this instance runs turns and redoes acknowledged work, for every channel.</summary>
public sealed class PipelineOptions
{
    public const string Section = "Pipeline";

    /// <summary>
    /// Optional. Set, it stays the same across restarts of one deployment (a pod name of a StatefulSet, a unit name)
    /// and a restarted instance takes over at once what its earlier process left unfinished instead of waiting for its
    /// lease; two live instances must then never share it. Unset, every process is an instance of its own (named by
    /// its machine and process id) and takes over nothing before its lease ends: two instances on one host with no
    /// setting cannot take each other's live work.
    /// </summary>
    public string? InstanceName { get; set; }

    /// <summary>Turns worked on at once, whatever their channel; replies being posted do not count.</summary>
    [Range(1, 1024)]
    public int MaxConcurrentTurns { get; set; } = 32;

    /// <summary>
    /// How long an instance holds acknowledged work before another may redo it. Longer than work waits
    /// in a queue plus takes, or a busy instance's work could be done twice.
    /// </summary>
    public TimeSpan WorkLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often stored work a dead instance left unfinished is looked for, and old delivery ids pruned.</summary>
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Redos of unfinished work before it is given up (logged as an error); work that failed outright is never redone.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Delivery ids are remembered this long (Teams and Slack retry within minutes).</summary>
    public TimeSpan DeliveryRetention { get; set; } = TimeSpan.FromDays(1);
}
