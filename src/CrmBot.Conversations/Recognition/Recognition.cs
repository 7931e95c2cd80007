using CrmBot.Crm.Model;

namespace CrmBot.Conversations.Recognition;

public enum Intent { None, Help, LogActivity, FollowUps, AddFollowUp, Complete, Snooze, ContactSummary, DealStage, MyDeals, Undo, CreateContact, CreateDeal }

/// <summary>
/// What the recognizer read in a message. Names are as typed (to be matched against the store);
/// dates are resolved against the member's today.
/// </summary>
public sealed record Recognition(Intent Intent, double Confidence = 1.0)
{
    public static readonly Recognition None = new(Intent.None, 0);

    public ActivityType? ActivityType { get; init; }
    /// <summary>A contact name as typed ("jane doe"), to be matched fuzzily against the store.</summary>
    public string? Contact { get; init; }
    /// <summary>A deal name as typed.</summary>
    public string? Deal { get; init; }
    public string? Notes { get; init; }
    /// <summary>The message asks for a follow-up (even when its date or title is missing).</summary>
    public bool WantsFollowUp { get; init; }
    public string? FollowUpTitle { get; init; }
    public DateOnly? FollowUpDate { get; init; }
    /// <summary>The follow-up date as typed ("1/5"), so a reading that depends on the member's date order can be confirmed.</summary>
    public string? FollowUpDateText { get; init; }
    /// <summary>The day a logged activity happened ("called Jane yesterday"), in the member's zone; null: now.</summary>
    public DateOnly? OccurredOn { get; init; }
    /// <summary>Its time of day ("at 10am"), when given.</summary>
    public TimeOnly? OccurredTime { get; init; }
    /// <summary>When it happened, as typed.</summary>
    public string? OccurredText { get; init; }
    /// <summary>The pipeline stage name the message names (resolved through synonyms), when it names a known one.</summary>
    public string? Stage { get; init; }
    /// <summary>The stage as typed, when it names no known stage.</summary>
    public string? UnknownStage { get; init; }
    /// <summary>Why a deal is won or lost ("because …").</summary>
    public string? Reason { get; init; }
    /// <summary>A follow-up by its number in the last list ("done 2").</summary>
    public int? Item { get; init; }
    /// <summary>A follow-up by words ("done jane").</summary>
    public string? ItemText { get; init; }
    /// <summary>The days a follow-ups list asks about ("tomorrow", "next week", "for Friday"), both included; null: today's list.</summary>
    public DateOnly? DueFrom { get; init; }
    public DateOnly? DueTo { get; init; }
    public int? SnoozeDays { get; init; }
    public DateOnly? SnoozeUntil { get; init; }
    /// <summary>What follows "add contact" / "new deal", as typed (emails and phone numbers intact).</summary>
    public string? Details { get; init; }
}
