using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm.Services;

public enum StageMoveStatus { Moved, Unchanged, UnknownStage, NeedsReason, NotFound, Refused }

/// <summary>What a move did; on an unknown stage, ValidStages is the list to offer the user; when the actor may not move it, Refusal says who may.</summary>
public sealed record StageMove(StageMoveStatus Status, Deal? Deal, string? FromStage, IReadOnlyList<PipelineStage> ValidStages,
    string? Refusal = null);

/// <summary>
/// Called by <see cref="DealService.MoveAsync"/> before it saves: whatever a hook adds to the
/// context (an outbox message announcing the move) commits atomically with the move.
/// </summary>
public interface IStageChangeHook
{
    Task OnStageChangedAsync(CrmDbContext db, Deal deal, DealStageChange change, Actor actor, CancellationToken ct);
}

/// <summary>
/// What a move would do beyond one step: the open stages it jumps over (their exit criteria never met), or
/// that it reopens a closed deal. A move to a lost stage skips nothing: a deal can be lost at any stage.
/// </summary>
public sealed record StageJump(PipelineStage From, PipelineStage To, IReadOnlyList<PipelineStage> Skipped, bool Reopens)
{
    public bool NeedsConfirmation => Reopens || Skipped.Count > 0;
}

public sealed record NewDeal(string Name, decimal Amount, string? Stage = null, int? CompanyId = null, int? ContactId = null,
    string Currency = "USD", DateOnly? ExpectedClose = null);

/// <summary>Deals through the configured pipeline.</summary>
public sealed class DealService(CrmDbContext db, TimeProvider clock, IOptions<CrmOptions> options,
    IEnumerable<IStageChangeHook> hooks, ILogger<DealService> logger)
{
    public IReadOnlyList<PipelineStage> Pipeline => options.Value.Pipeline;

    /// <summary>
    /// The stage a user means: its name or a synonym, ignoring case and accents ("won",
    /// "proposal"); failing that, the one stage whose name starts with what was typed. Null when
    /// nothing or more than one stage fits.
    /// </summary>
    public PipelineStage? FindStage(string nameOrSynonym)
    {
        var key = TextFold.Fold(nameOrSynonym);
        if (key.Length == 0) return null;
        var exact = Pipeline.FirstOrDefault(s => TextFold.Fold(s.Name) == key)
            ?? Pipeline.FirstOrDefault(s => s.Synonyms.Any(w => TextFold.Fold(w) == key));
        if (exact is not null) return exact;
        var prefixed = Pipeline.Where(s => TextFold.Fold(s.Name).StartsWith(key, StringComparison.Ordinal)).Take(2).ToList();
        return prefixed.Count == 1 ? prefixed[0] : null;
    }

    /// <summary>Names of the closed stages, for "open deal" queries.</summary>
    public IReadOnlyList<string> ClosedStageNames => Pipeline.Where(s => s.IsClosed).Select(s => s.Name).ToList();

    /// <summary>
    /// Moves a deal: history row, audit entry and every <see cref="IStageChangeHook"/> in one
    /// SaveChanges. Unknown stage, unknown deal, closing without a reason, or an actor who may not change the
    /// deal (<see cref="Access"/>) write nothing.
    /// </summary>
    public async Task<StageMove> MoveAsync(int dealId, string stage, string? reason, Actor actor, CancellationToken ct)
    {
        var deal = await db.Deals.Include(d => d.Company).Include(d => d.Contact).FirstOrDefaultAsync(d => d.Id == dealId, ct);
        if (deal is null) return new(StageMoveStatus.NotFound, null, null, Pipeline);
        if (await Access.RefusalAsync(db, actor, deal.OwnerId, "the deal's owner", "move this deal", ct) is { } refusal)
            return new(StageMoveStatus.Refused, deal, deal.Stage, Pipeline, refusal);
        var target = FindStage(stage);
        if (target is null) return new(StageMoveStatus.UnknownStage, deal, deal.Stage, Pipeline);
        if (string.Equals(target.Name, deal.Stage, StringComparison.Ordinal)) return new(StageMoveStatus.Unchanged, deal, deal.Stage, Pipeline);
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (target.IsClosed && reason is null) return new(StageMoveStatus.NeedsReason, deal, deal.Stage, Pipeline);

        var now = clock.GetUtcNow().UtcDateTime;
        var from = deal.Stage;
        deal.Stage = target.Name;
        // A reopened deal no longer has a reason it closed.
        deal.CloseReason = target.IsClosed ? reason : null;
        deal.UpdatedAt = now;
        var change = new DealStageChange
        {
            Deal = deal,
            FromStage = from,
            ToStage = target.Name,
            Reason = reason,
            ChangedById = actor.MemberId > 0 ? actor.MemberId : null,
            ChangedAt = now,
        };
        db.DealStageChanges.Add(change);
        AuditLog.Add(db, actor, nameof(Deal), deal.Id, "stage", from, reason is null ? target.Name : $"{target.Name} ({reason})");
        foreach (var hook in hooks) await hook.OnStageChangedAsync(db, deal, change, actor, ct);
        await db.SaveChangesAsync(ct);
        logger.DealMoved(deal.Id, from, target.Name, actor.MemberId);
        return new(StageMoveStatus.Moved, deal, from, Pipeline);
    }

    /// <summary>What moving from <paramref name="fromStage"/> to <paramref name="target"/> jumps over; null for a stage not in the pipeline.</summary>
    public StageJump? Jump(string fromStage, PipelineStage target)
    {
        var pipeline = Pipeline;
        var fromIndex = pipeline.ToList().FindIndex(s => s.Name == fromStage);
        var toIndex = pipeline.ToList().IndexOf(target);
        if (fromIndex < 0 || toIndex < 0) return null;
        var from = pipeline[fromIndex];
        if (from.IsClosed) return new StageJump(from, target, [], Reopens: target.Name != from.Name);
        // Won counts as the step after the last open stage, wherever it sits in the list.
        var skipped = target.IsClosed
            ? target.IsWon ? pipeline.Where((s, i) => i > fromIndex && !s.IsClosed).ToList() : []
            : pipeline.Where((s, i) => i > fromIndex && i < toIndex && !s.IsClosed).ToList();
        return new StageJump(from, target, skipped, Reopens: false);
    }

    /// <summary>
    /// Deals with a name close to <paramref name="name"/> at the same company (without a company: of the same
    /// contact, or with neither), with Company and Contact.
    /// </summary>
    public async Task<IReadOnlyList<Deal>> FindDuplicatesAsync(string name, int? companyId, int? contactId, CancellationToken ct)
    {
        var key = TextFold.Fold(name);
        if (key.Length == 0) return [];
        var candidates = await db.Deals.Include(d => d.Company).Include(d => d.Contact)
            .Where(d => companyId != null ? d.CompanyId == companyId : d.CompanyId == null && d.ContactId == contactId).ToListAsync(ct);
        // About one typo in one word of the name ("Acme expnsion" beside "Acme expansion").
        return candidates.Where(d => NameScore.Score(key, d.SearchName) >= 0.8)
            .OrderByDescending(d => NameScore.Score(key, d.SearchName)).ThenBy(d => d.Id).Take(5).ToList();
    }

    /// <summary>A deal with its Company, Contact and stage history (oldest first, each with who moved it).</summary>
    public async Task<Deal?> WithHistoryAsync(int dealId, CancellationToken ct)
    {
        var deal = await db.Deals.Include(d => d.Company).Include(d => d.Contact)
            .Include(d => d.StageHistory).ThenInclude(h => h.ChangedBy)
            .FirstOrDefaultAsync(d => d.Id == dealId, ct);
        deal?.StageHistory.Sort((a, b) => a.ChangedAt != b.ChangedAt ? a.ChangedAt.CompareTo(b.ChangedAt) : a.Id.CompareTo(b.Id));
        return deal;
    }

    /// <summary>The deal's latest activities, newest first, each with its contact and who logged it.</summary>
    public async Task<IReadOnlyList<Activity>> RecentActivitiesAsync(int dealId, int count, CancellationToken ct) =>
        await db.Activities.AsNoTracking().Include(a => a.Contact).Include(a => a.LoggedBy)
            .Where(a => a.DealId == dealId).OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id).Take(count).ToListAsync(ct);

    /// <summary>A member's deals not yet closed, in pipeline order, with Company and Contact.</summary>
    public async Task<IReadOnlyList<Deal>> OpenDealsAsync(int ownerMemberId, CancellationToken ct)
    {
        var closed = ClosedStageNames;
        var deals = await db.Deals.Include(d => d.Company).Include(d => d.Contact)
            .Where(d => d.OwnerId == ownerMemberId && !closed.Contains(d.Stage))
            .ToListAsync(ct);
        return InPipelineOrder(deals);
    }

    /// <summary>Creates a deal in the given (or first) stage, owned by the actor, with its first history row.</summary>
    public async Task<Deal> CreateAsync(NewDeal request, Actor actor, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name)) throw new CrmException("A deal needs a name.");
        var stage = request.Stage is null ? Pipeline[0] : FindStage(request.Stage)
            ?? throw new CrmException($"'{request.Stage}' is not a stage. Stages: {string.Join(", ", Pipeline.Select(s => s.Name))}.");
        var companyId = request.CompanyId;
        if (companyId is { } cid && !await db.Companies.AnyAsync(c => c.Id == cid, ct))
            throw new CrmException($"There is no company #{cid}.");
        if (request.ContactId is { } contactId)
        {
            var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, ct)
                ?? throw new CrmException($"There is no contact #{contactId}.");
            // A deal with a contact is that contact's company's deal unless told otherwise.
            companyId ??= contact.CompanyId;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var deal = new Deal
        {
            Name = request.Name.Trim(),
            Amount = request.Amount,
            Currency = request.Currency.Trim().ToUpperInvariant(),
            Stage = stage.Name,
            CompanyId = companyId,
            ContactId = request.ContactId,
            OwnerId = actor.MemberId > 0 ? actor.MemberId : null,
            ExpectedClose = request.ExpectedClose,
            CreatedAt = now,
            UpdatedAt = now,
        };
        deal.StageHistory.Add(new DealStageChange { ToStage = stage.Name, ChangedById = deal.OwnerId, ChangedAt = now });
        db.Deals.Add(deal);
        await db.InTransactionAsync(async () =>
        {
            await db.SaveChangesAsync(ct);
            AuditLog.Add(db, actor, nameof(Deal), deal.Id, "created", null, $"{deal.Name}, {deal.Amount} {deal.Currency}, {deal.Stage}");
            return await db.SaveChangesAsync(ct);
        }, ct);
        return deal;
    }

    internal IReadOnlyList<Deal> InPipelineOrder(IEnumerable<Deal> deals)
    {
        var order = Pipeline.Select((s, i) => (s.Name, i)).ToDictionary(x => x.Name, x => x.i);
        return deals.OrderBy(d => order.GetValueOrDefault(d.Stage, int.MaxValue)).ThenBy(d => d.Name, StringComparer.OrdinalIgnoreCase).ThenBy(d => d.Id).ToList();
    }
}
