using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm.Services;

/// <summary>A member's open follow-ups up to the end of their local today, split at the start of it.</summary>
public sealed record DueFollowUps(DateOnly Today, string TimeZone, IReadOnlyList<FollowUp> Overdue, IReadOnlyList<FollowUp> DueToday);

public enum FollowUpOutcomeKind { Done, Snoozed, AlreadyDone, NotFound, Refused }

/// <summary>What done/snooze did; Refusal says who may, when the actor may not (<see cref="Access"/>).</summary>
public sealed record FollowUpOutcome(FollowUpOutcomeKind Kind, FollowUp? FollowUp, string? Refusal = null);

/// <summary>Snooze by a number of days from today, or until a date (both in the assignee's zone).</summary>
public sealed record SnoozeFor(int? Days, DateOnly? Until)
{
    public static SnoozeFor OneDay { get; } = new(1, null);
    public static SnoozeFor OneWeek { get; } = new(7, null);
    public static SnoozeFor UntilDate(DateOnly date) => new(null, date);
}

/// <summary>Follow-ups: what is due for whom, done, snoozed, created.</summary>
public sealed class FollowUpService(CrmDbContext db, TimeProvider clock)
{
    /// <summary>Overdue and due-today items for a member, "today" read in the member's own zone. Contact (with Company) and Deal included.</summary>
    public async Task<DueFollowUps> DueAsync(int memberId, CancellationToken ct)
    {
        var member = await RowReads.FindAsync<Member>(db, memberId, ct) ?? throw new CrmException($"There is no member #{memberId}.");
        var zone = LocalDay.Zone(member.TimeZone);
        var today = LocalDay.Today(clock, zone);
        var startOfToday = LocalDay.StartUtc(today, zone);
        var startOfTomorrow = LocalDay.StartUtc(today.AddDays(1), zone);

        var items = await Due.For(db)(db, memberId, startOfTomorrow).ToListAsync(ct);
        return new DueFollowUps(today, member.TimeZone,
            items.Where(f => f.DueAt < startOfToday).ToList(),
            items.Where(f => f.DueAt >= startOfToday).ToList());
    }

    // "What's due?" and the digest ask it all day.
    private static readonly CompiledQuery<Func<CrmDbContext, int, DateTime, IAsyncEnumerable<FollowUp>>> Due =
        new(() => EF.CompileAsyncQuery<CrmDbContext, int, DateTime, FollowUp>((db, memberId, startOfTomorrow) => db.FollowUps
            .Include(f => f.Contact).ThenInclude(c => c!.Company)
            .Include(f => f.Deal)
            .Where(f => f.AssigneeId == memberId && f.Status != FollowUpStatus.Done && f.DueAt < startOfTomorrow)
            .OrderBy(f => f.DueAt).ThenBy(f => f.Id)));

    public async Task<FollowUpOutcome> CompleteAsync(int followUpId, Actor actor, CancellationToken ct)
    {
        var item = await db.FollowUps.Include(f => f.Contact).FirstOrDefaultAsync(f => f.Id == followUpId, ct);
        if (item is null) return new(FollowUpOutcomeKind.NotFound, null);
        if (await RefusalAsync(item, actor, "complete", ct) is { } refused) return refused;
        if (item.Status == FollowUpStatus.Done) return new(FollowUpOutcomeKind.AlreadyDone, item);

        var old = item.Status;
        item.Status = FollowUpStatus.Done;
        item.CompletedAt = clock.GetUtcNow().UtcDateTime;
        AuditLog.Add(db, actor, nameof(FollowUp), item.Id, "completed", old.ToString(), nameof(FollowUpStatus.Done));
        await db.SaveChangesAsync(ct);
        return new(FollowUpOutcomeKind.Done, item);
    }

    /// <summary>
    /// Moves the due date to today + N days, or to the given date, in the assignee's zone.
    /// A date before today is refused (CrmException): snoozing into the past would only make it overdue.
    /// </summary>
    public async Task<FollowUpOutcome> SnoozeAsync(int followUpId, SnoozeFor snooze, Actor actor, CancellationToken ct)
    {
        if (snooze.Days is null == snooze.Until is null) throw new ArgumentException("Snooze by days or until a date, not both.", nameof(snooze));
        if (snooze.Days is < 1) throw new ArgumentOutOfRangeException(nameof(snooze), "Snooze by at least one day.");

        var item = await db.FollowUps.Include(f => f.Contact).Include(f => f.Assignee).FirstOrDefaultAsync(f => f.Id == followUpId, ct);
        if (item is null) return new(FollowUpOutcomeKind.NotFound, null);
        if (await RefusalAsync(item, actor, "snooze", ct) is { } refused) return refused;
        if (item.Status == FollowUpStatus.Done) return new(FollowUpOutcomeKind.AlreadyDone, item);

        var zone = LocalDay.Zone(item.Assignee!.TimeZone);
        var today = LocalDay.Today(clock, zone);
        var until = snooze.Until ?? today.AddDays(snooze.Days!.Value);
        if (until < today) throw new CrmException($"{until:yyyy-MM-dd} is in the past; pick today or a later date.");

        var oldDate = LocalDay.DateOf(item.DueAt, zone);
        item.DueAt = LocalDay.EndUtc(until, zone);
        item.Status = FollowUpStatus.Snoozed;
        AuditLog.Add(db, actor, nameof(FollowUp), item.Id, "snoozed", $"{oldDate:yyyy-MM-dd}", $"{until:yyyy-MM-dd}");
        await db.SaveChangesAsync(ct);
        return new(FollowUpOutcomeKind.Snoozed, item);
    }

    private async Task<FollowUpOutcome?> RefusalAsync(FollowUp item, Actor actor, string verb, CancellationToken ct) =>
        await Access.RefusalAsync(db, actor, item.AssigneeId, "the follow-up's assignee", $"{verb} this follow-up", ct) is { } refusal
            ? new(FollowUpOutcomeKind.Refused, item, refusal)
            : null;

    /// <summary>A follow-up assigned to the actor, for a contact and/or deal. Unknown ids → CrmException, nothing written.</summary>
    public async Task<FollowUp> CreateAsync(NewFollowUp followUp, int? contactId, int? dealId, Actor actor, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(followUp.Title)) throw new CrmException("A follow-up needs a title.");
        Contact? contact = null;
        if (contactId is { } cid)
            contact = await db.Contacts.FirstOrDefaultAsync(c => c.Id == cid, ct) ?? throw new CrmException($"There is no contact #{cid}.");
        Deal? deal = null;
        if (dealId is { } did)
            deal = await db.Deals.FirstOrDefaultAsync(d => d.Id == did, ct) ?? throw new CrmException($"There is no deal #{did}.");
        var member = await db.Members.FirstOrDefaultAsync(m => m.Id == actor.MemberId, ct)
            ?? throw new CrmException($"There is no member #{actor.MemberId}.");

        var item = NewItem(followUp, contact, deal, member, clock.GetUtcNow().UtcDateTime);
        if (contact is null && deal?.ContactId is { } dealContact) item.ContactId = dealContact;
        db.FollowUps.Add(item);
        await db.InTransactionAsync(async () =>
        {
            await db.SaveChangesAsync(ct);
            AuditLog.Add(db, actor, nameof(FollowUp), item.Id, "created", null, Describe(item, member));
            return await db.SaveChangesAsync(ct);
        }, ct);
        return item;
    }

    internal static FollowUp NewItem(NewFollowUp followUp, Contact? contact, Deal? deal, Member assignee, DateTime now) => new()
    {
        Title = followUp.Title.Trim(),
        DueAt = LocalDay.EndUtc(followUp.DueDate, LocalDay.Zone(assignee.TimeZone)),
        Status = FollowUpStatus.Open,
        Contact = contact,
        ContactId = contact?.Id,
        Deal = deal,
        DealId = deal?.Id,
        Assignee = assignee,
        AssigneeId = assignee.Id,
        CreatedAt = now,
    };

    internal static string Describe(FollowUp f, Member assignee) =>
        $"{f.Title} due {LocalDay.DateOf(f.DueAt, LocalDay.Zone(assignee.TimeZone)):yyyy-MM-dd} for {assignee.DisplayName}";
}
