namespace CrmBot.Crm.Outbox;

/// <summary>Outbox kinds: what a row is, for the `outbox` command and the digest.</summary>
public static class OutboxKinds
{
    public const string Digest = "digest";
    public const string WeeklyDigest = "weekly-digest";
    public const string StageChange = "stage-change";
    public const string SurveyReminder = "survey-reminder";

    /// <summary>
    /// A reply to a turn that its channel could not deliver at the time (throttled, down): the row carries the
    /// channel's own address and messages in its payload, and the channel's sender sends it as it would have.
    /// </summary>
    public const string Reply = "reply";

    /// <summary>
    /// Kinds whose rows are deleted once sent or given up, not kept as Sent/Failed: a survey
    /// reminder's row names a member who had not answered, a list the store must not keep.
    /// </summary>
    public static bool ForgottenOnceDone(string kind) => kind == SurveyReminder;
}
