using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm.Services;

/// <summary>How a deal's stage changed over a span: where it ended compared with where it started.</summary>
public enum DealMoveKind { Won, Lost, Forward, Back }

/// <summary>The deals of one kind of move in one currency: how many and their amount.</summary>
public sealed record MoveTotal(DealMoveKind Kind, string Currency, int Count, decimal Amount);

/// <summary>One deal that moved: its stage before the span and at its end, today's amount, and its owner (null when unowned).</summary>
public sealed record DealMove(int DealId, string Name, DealMoveKind Kind, string From, string To, decimal Amount, string Currency,
    int? OwnerId, string? OwnerName);

/// <summary>What moved in a span: totals per kind and currency, and the largest moves.</summary>
public sealed record DealMovesReport(IReadOnlyList<MoveTotal> Totals, IReadOnlyList<DealMove> Top);

public sealed partial class PipelineReports
{
    /// <summary>
    /// The deals of <paramref name="scope"/> whose stage changed in [<paramref name="from"/>, <paramref name="to"/>),
    /// each counted once by where it ended against where it started: won, lost, or forward / back in pipeline order
    /// (a reopened deal moved back). A deal that ended where it started did not move. The top
    /// <paramref name="top"/> are the largest amounts (a rough order across currencies, to pick the few worth naming).
    /// </summary>
    public async Task<DealMovesReport> MovesAsync(ReportScope scope, DateTimeOffset from, DateTimeOffset to, int top, CancellationToken ct)
    {
        var start = from.UtcDateTime;
        var end = to.UtcDateTime;
        // One row per stage change of the span (a week's worth), folded per deal here: first and last change decide. A
        // deal's creation (no from-stage) is not a move.
        var changes = await (from c in db.DealStageChanges.AsNoTracking()
                             join d in InScope(db.Deals.AsNoTracking(), scope) on c.DealId equals d.Id
                             where c.FromStage != null && c.ChangedAt >= start && c.ChangedAt < end
                             select new
                             {
                                 c.Id, c.DealId, c.FromStage, c.ToStage, c.ChangedAt, d.Name, d.Amount, d.Currency, d.OwnerId,
                                 OwnerName = d.Owner == null ? null : d.Owner.DisplayName,
                             }).ToListAsync(ct);

        var pipeline = options.Value.Pipeline;
        var moves = new List<DealMove>();
        foreach (var deal in changes.GroupBy(c => c.DealId))
        {
            var ordered = deal.OrderBy(c => c.ChangedAt).ThenBy(c => c.Id).ToList();
            var (first, last) = (ordered[0], ordered[^1]);
            var stage = pipeline.FirstOrDefault(s => s.Name == last.ToStage);
            DealMoveKind? kind = stage switch
            {
                { IsClosed: true, IsWon: true } => DealMoveKind.Won,
                { IsClosed: true } => DealMoveKind.Lost,
                _ => Position(last.ToStage).CompareTo(Position(first.FromStage!)) switch
                {
                    > 0 => DealMoveKind.Forward,
                    < 0 => DealMoveKind.Back,
                    _ => null,
                },
            };
            if (kind is { } k)
                moves.Add(new DealMove(deal.Key, last.Name, k, first.FromStage!, last.ToStage, last.Amount, last.Currency, last.OwnerId, last.OwnerName));
        }

        var totals = moves.GroupBy(m => (m.Kind, m.Currency))
            .Select(g => new MoveTotal(g.Key.Kind, g.Key.Currency, g.Count(), g.Sum(m => m.Amount)))
            .OrderBy(t => t.Kind).ThenBy(t => t.Currency, StringComparer.Ordinal).ToList();
        var largest = moves.OrderByDescending(m => m.Amount).ThenBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.DealId).Take(top).ToList();
        return new DealMovesReport(totals, largest);

        // Closed stages come after the open ones in the pipeline, so closed → open reads as back; a stage no longer
        // configured sorts first.
        int Position(string name)
        {
            for (var i = 0; i < pipeline.Count; i++)
                if (pipeline[i].Name == name) return i;
            return -1;
        }
    }
}
