using System.Globalization;
using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm.Services;

public enum UndoStatus { Undone, NothingRecent, AlreadyUndone, NotUndoable }

/// <summary>What an undo did, in words the member can check ("the call with Jane Doe and its follow-up …").</summary>
public sealed record UndoResult(UndoStatus Status, string? What = null);

/// <summary>
/// "Undo" as a rep types it: the member's own most recent change, made on this channel within a short
/// window, undone once. The audit trail says what that change was, so a change made days ago, by the
/// demo seeder or by someone else is never the one undone. Older changes are undone from their own card.
/// </summary>
public sealed class UndoService(CrmDbContext db, TimeProvider clock, ActivityService activities)
{
    /// <summary>How long after a change a typed "undo" still reaches it.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    // Every kind of record a rep changes in chat, so the latest change is never skipped for an older one.
    private static readonly string[] Undoable = [nameof(Activity), nameof(FollowUp), nameof(Deal), nameof(Contact), nameof(Company)];

    public async Task<UndoResult> UndoLatestAsync(Actor actor, CancellationToken ct)
    {
        var latest = await db.AuditEntries.AsNoTracking()
            .Where(e => e.MemberId == actor.MemberId && e.Channel == actor.Channel && Undoable.Contains(e.EntityType))
            .OrderByDescending(e => e.Id).FirstOrDefaultAsync(ct);
        if (latest is null || latest.At < clock.GetUtcNow().UtcDateTime - Window) return new(UndoStatus.NothingRecent);
        if (latest.Action is "undone") return new(UndoStatus.AlreadyUndone, latest.OldValue);
        if (!int.TryParse(latest.EntityId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)) return new(UndoStatus.NotUndoable);

        return (latest.EntityType, latest.Action) switch
        {
            (nameof(Activity), "created") => await UndoLogAsync(id, actor, ct),
            (nameof(FollowUp), "created") => await UndoFollowUpCreatedAsync(id, actor, ct),
            (nameof(FollowUp), "completed") => await ReopenAsync(id, latest.OldValue, actor, ct),
            (nameof(FollowUp), "snoozed") => await UnsnoozeAsync(id, latest.OldValue, actor, ct),
            (nameof(Deal), "stage") => await MoveBackAsync(id, latest.OldValue, actor, ct),
            (nameof(Deal), "created") => await RemoveDealAsync(id, actor, ct),
            (nameof(Contact), "created") => await RemoveContactAsync(id, latest, actor, ct),
            _ => new(UndoStatus.NotUndoable, latest.NewValue),
        };
    }

    private async Task<UndoResult> UndoLogAsync(int activityId, Actor actor, CancellationToken ct)
    {
        var undone = await activities.UndoAsync(activityId, actor, ct);
        return undone is null ? new(UndoStatus.NothingRecent) : new(UndoStatus.Undone, undone.What);
    }

    private async Task<UndoResult> UndoFollowUpCreatedAsync(int followUpId, Actor actor, CancellationToken ct)
    {
        var item = await db.FollowUps.FirstOrDefaultAsync(f => f.Id == followUpId, ct);
        if (item is null) return new(UndoStatus.NothingRecent);
        // A follow-up made by a log goes with that log.
        if (item.ActivityId is { } activityId) return await UndoLogAsync(activityId, actor, ct);
        AuditLog.Add(db, actor, nameof(FollowUp), item.Id, "undone", $"{item.Title} ({item.Status})", null);
        db.FollowUps.Remove(item);
        await db.SaveChangesAsync(ct);
        return new(UndoStatus.Undone, $"the follow-up \"{item.Title}\"");
    }

    private async Task<UndoResult> ReopenAsync(int followUpId, string? oldStatus, Actor actor, CancellationToken ct)
    {
        var item = await db.FollowUps.FirstOrDefaultAsync(f => f.Id == followUpId, ct);
        if (item is null || item.Status != FollowUpStatus.Done) return new(UndoStatus.NothingRecent);
        item.Status = Enum.TryParse<FollowUpStatus>(oldStatus, out var status) && status != FollowUpStatus.Done ? status : FollowUpStatus.Open;
        item.CompletedAt = null;
        AuditLog.Add(db, actor, nameof(FollowUp), item.Id, "undone", $"done: {item.Title}", item.Status.ToString());
        await db.SaveChangesAsync(ct);
        return new(UndoStatus.Undone, $"marking \"{item.Title}\" done (it is open again)");
    }

    private async Task<UndoResult> UnsnoozeAsync(int followUpId, string? oldDate, Actor actor, CancellationToken ct)
    {
        var item = await db.FollowUps.Include(f => f.Assignee).FirstOrDefaultAsync(f => f.Id == followUpId, ct);
        if (item is null || item.Status == FollowUpStatus.Done
            || !DateOnly.TryParseExact(oldDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return new(UndoStatus.NothingRecent);
        var zone = LocalDay.Zone(item.Assignee?.TimeZone);
        var snoozedTo = LocalDay.DateOf(item.DueAt, zone);
        item.DueAt = LocalDay.EndUtc(date, zone);
        item.Status = FollowUpStatus.Open;
        AuditLog.Add(db, actor, nameof(FollowUp), item.Id, "undone", $"snoozed to {snoozedTo:yyyy-MM-dd}", $"{date:yyyy-MM-dd}");
        await db.SaveChangesAsync(ct);
        return new(UndoStatus.Undone, $"snoozing \"{item.Title}\" (due {date.ToString("ddd d MMM", CultureInfo.InvariantCulture)} again)");
    }

    /// <summary>A deal added by mistake goes, unless something was already logged or planned on it.</summary>
    private async Task<UndoResult> RemoveDealAsync(int dealId, Actor actor, CancellationToken ct)
    {
        var deal = await db.Deals.Include(d => d.StageHistory).FirstOrDefaultAsync(d => d.Id == dealId, ct);
        if (deal is null) return new(UndoStatus.NothingRecent);
        if (await db.Activities.AnyAsync(a => a.DealId == dealId, ct) || await db.FollowUps.AnyAsync(f => f.DealId == dealId, ct))
            return new(UndoStatus.NotUndoable, $"adding the deal {deal.Name}, which has activity since");
        db.DealStageChanges.RemoveRange(deal.StageHistory);
        db.Deals.Remove(deal);
        AuditLog.Add(db, actor, nameof(Deal), deal.Id, "undone", $"{deal.Name}, {deal.Amount} {deal.Currency}, {deal.Stage}", null);
        await db.SaveChangesAsync(ct);
        return new(UndoStatus.Undone, $"adding the deal {deal.Name}");
    }

    /// <summary>
    /// A contact added by mistake goes, with the company added for it in the same change, unless anything refers
    /// to either since.
    /// </summary>
    private async Task<UndoResult> RemoveContactAsync(int contactId, AuditEntry created, Actor actor, CancellationToken ct)
    {
        var contact = await db.Contacts.Include(c => c.Company).FirstOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact is null) return new(UndoStatus.NothingRecent);
        if (await db.Activities.AnyAsync(a => a.ContactId == contactId, ct) || await db.FollowUps.AnyAsync(f => f.ContactId == contactId, ct)
            || await db.Deals.AnyAsync(d => d.ContactId == contactId, ct))
            return new(UndoStatus.NotUndoable, $"adding {contact.FullName}, who has activity since");
        db.Contacts.Remove(contact);
        AuditLog.Add(db, actor, nameof(Contact), contact.Id, "undone", contact.FullName, null);
        var what = $"adding {contact.FullName}";
        var companyKey = contact.CompanyId?.ToString(CultureInfo.InvariantCulture);
        if (contact.Company is { } company && contact.CompanyId is { } companyId
            && await db.AuditEntries.AnyAsync(e => e.EntityType == nameof(Company) && e.EntityId == companyKey && e.Action == "created"
                && e.MemberId == actor.MemberId && e.At == created.At, ct)
            && !await db.Contacts.AnyAsync(c => c.CompanyId == companyId && c.Id != contactId, ct)
            && !await db.Deals.AnyAsync(d => d.CompanyId == companyId, ct))
        {
            db.Companies.Remove(company);
            AuditLog.Add(db, actor, nameof(Company), companyId, "undone", company.Name, null);
            what += $" and the company {company.Name}";
        }
        await db.SaveChangesAsync(ct);
        return new(UndoStatus.Undone, what);
    }

    private async Task<UndoResult> MoveBackAsync(int dealId, string? fromStage, Actor actor, CancellationToken ct)
    {
        var deal = await db.Deals.Include(d => d.StageHistory).FirstOrDefaultAsync(d => d.Id == dealId, ct);
        if (deal is null || fromStage is null) return new(UndoStatus.NothingRecent);
        var movedTo = deal.Stage;
        // The move is taken back, not answered by another move: its history row goes, the audit trail keeps both.
        var move = deal.StageHistory.Where(h => h.ToStage == movedTo && h.FromStage == fromStage).MaxBy(h => h.Id);
        if (move is not null) db.DealStageChanges.Remove(move);
        deal.Stage = fromStage;
        deal.CloseReason = deal.StageHistory.Where(h => h.ToStage == fromStage && !ReferenceEquals(h, move)).MaxBy(h => h.Id)?.Reason;
        deal.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        AuditLog.Add(db, actor, nameof(Deal), deal.Id, "undone", $"stage {movedTo}", fromStage);
        await db.SaveChangesAsync(ct);
        return new(UndoStatus.Undone, $"moving {deal.Name} to {movedTo} (it is in {fromStage} again)");
    }
}
