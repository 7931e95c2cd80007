using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CrmBot.Crm.Services;

/// <summary>A follow-up to create: due at the end of that date in the assignee's zone.</summary>
public sealed record NewFollowUp(string Title, DateOnly DueDate);

public sealed record LogActivity(int ContactId, ActivityType Type, string Notes, int? DealId = null,
    string? Outcome = null, DateTime? OccurredAt = null, string? MessageLink = null, NewFollowUp? FollowUp = null);

public sealed record LoggedActivity(Activity Activity, FollowUp? FollowUp);

public sealed record UndoneActivity(Activity Activity, IReadOnlyList<FollowUp> FollowUps)
{
    /// <summary>What was undone, as the reply says it: "the call with Jane Doe and its follow-up "Send the deck"".</summary>
    public string What => $"the {Activity.Type.ToString().ToLowerInvariant()} with {Activity.Contact?.FullName}" +
        (FollowUps.Count == 0 ? "" : $" and its follow-up \"{FollowUps[0].Title}\"");
}

/// <summary>Logging calls, meetings, emails and notes (with the next step in the same breath), and undoing a log.</summary>
public sealed class ActivityService(CrmDbContext db, TimeProvider clock, ILogger<ActivityService> logger)
{
    /// <summary>The activity and its optional follow-up, in one commit, audited. Unknown contact or deal → CrmException, nothing written.</summary>
    public async Task<LoggedActivity> LogAsync(LogActivity request, Actor actor, CancellationToken ct)
    {
        // Prepared point reads (RowReads), untracked: nothing here changes the contact or the member, and the
        // rows written below are plain INSERTs.
        var contact = await RowReads.FindAsync<Contact>(db, request.ContactId, ct)
            ?? throw new CrmException($"There is no contact #{request.ContactId}.");
        await CrmSearch.LoadCompanyAsync(db, contact, ct);
        Deal? deal = null;
        if (request.DealId is { } dealId)
            deal = await db.Deals.FindAsync([dealId], ct) ?? throw new CrmException($"There is no deal #{dealId}.");
        var member = await RowReads.FindAsync<Member>(db, actor.MemberId, ct)
            ?? throw new CrmException($"There is no member #{actor.MemberId}.");
        if (request.FollowUp is { } f && string.IsNullOrWhiteSpace(f.Title)) throw new CrmException("A follow-up needs a title.");

        var now = clock.GetUtcNow().UtcDateTime;
        var activity = new Activity
        {
            Type = request.Type,
            Notes = request.Notes.Trim(),
            Outcome = string.IsNullOrWhiteSpace(request.Outcome) ? null : request.Outcome.Trim(),
            OccurredAt = request.OccurredAt is { } at ? AsUtc(at) : now,
            Contact = contact,
            ContactId = contact.Id,
            Deal = deal,
            DealId = deal?.Id,
            LoggedBy = member,
            LoggedById = member.Id,
            Channel = actor.Channel,
            MessageLink = request.MessageLink,
            CreatedAt = now,
        };
        FollowUp? followUp = null;
        if (request.FollowUp is { } next)
        {
            followUp = FollowUpService.NewItem(next, contact, deal, member, now);
            followUp.Activity = activity;
        }

        // Every log turn writes this: plain INSERTs in one transaction, not change tracking (RowInserts).
        await db.InTransactionAsync(async () =>
        {
            await RowInserts.InsertAsync(db, activity, ct);
            if (followUp is not null)
            {
                followUp.ActivityId = activity.Id;
                await RowInserts.InsertAsync(db, followUp, ct);
            }
            await AuditLog.AppendAsync(db, actor, nameof(Activity), activity.Id, "created", null, Describe(activity, contact), ct);
            if (followUp is not null)
                await AuditLog.AppendAsync(db, actor, nameof(FollowUp), followUp.Id, "created", null, FollowUpService.Describe(followUp, member), ct);
            return 0;
        }, ct);
        return new LoggedActivity(activity, followUp);
    }

    /// <summary>
    /// Removes one of the actor's own logs and the follow-ups it created, audited; null when it is gone or
    /// was logged by someone else (an undo never reaches another member's work).
    /// </summary>
    public async Task<UndoneActivity?> UndoAsync(int activityId, Actor actor, CancellationToken ct)
    {
        var activity = await db.Activities.Include(a => a.Contact)
            .FirstOrDefaultAsync(a => a.Id == activityId && a.LoggedById == actor.MemberId, ct);
        if (activity is null) return null;

        var followUps = await db.FollowUps.Where(f => f.ActivityId == activity.Id).OrderBy(f => f.Id).ToListAsync(ct);
        foreach (var f in followUps)
        {
            AuditLog.Add(db, actor, nameof(FollowUp), f.Id, "undone", $"{f.Title} ({f.Status})", null);
            db.FollowUps.Remove(f);
        }
        AuditLog.Add(db, actor, nameof(Activity), activity.Id, "undone", Describe(activity, activity.Contact!), null);
        db.Activities.Remove(activity);
        await db.SaveChangesAsync(ct);
        logger.ActivityUndone(actor.MemberId, activity.Id);
        return new UndoneActivity(activity, followUps);
    }

    internal static string Describe(Activity a, Contact contact) =>
        $"{a.Type} with {contact.FullName} at {a.OccurredAt:yyyy-MM-dd HH:mm}Z: {a.Notes}" + (a.Outcome is null ? "" : $" ({a.Outcome})");

    // A time without a zone from a channel is taken as UTC, never as this server's local time.
    private static DateTime AsUtc(DateTime at) => at.Kind switch
    {
        DateTimeKind.Utc => at,
        DateTimeKind.Local => at.ToUniversalTime(),
        _ => DateTime.SpecifyKind(at, DateTimeKind.Utc),
    };
}
