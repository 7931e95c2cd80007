using System.Text.Json.Nodes;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Channels.Slack;

/// <summary>
/// Payloads too large for Slack to carry (button values, modal metadata), kept in the store under a
/// random id so that a click served by any instance finds them.
/// </summary>
/// <remarks>
/// The store context is resolved only when something is parked or looked up: a turn's replies are rendered in the
/// delivery scope, after the turn gave back its store session, and most cards park nothing. Taking a context there
/// for every reply held a second store session per Slack turn, leaving too few for the turns themselves
/// (docs/decisions/performance.md, finding 35).
/// </remarks>
public sealed class PayloadParking
{
    private readonly Func<CrmDbContext> _resolve;
    private readonly TimeProvider _clock;
    private CrmDbContext? _db;

    public PayloadParking(IServiceProvider services, TimeProvider clock)
    {
        _resolve = services.GetRequiredService<CrmDbContext>;
        _clock = clock;
    }

    /// <summary>Over a context of the caller's (tests).</summary>
    internal PayloadParking(CrmDbContext db, TimeProvider clock)
    {
        _resolve = () => db;
        _clock = clock;
    }

    private CrmDbContext Db => _db ??= _resolve();

    /// <summary>Slack keeps messages forever, but a button older than this may just say "expired".</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    public async Task ParkAsync(IEnumerable<ParkedValue> values, CancellationToken ct)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var rows = values.Select(v => new ParkedPayload { Id = v.Id, Json = v.Json, CreatedAt = now, ExpiresAt = now + Lifetime }).ToList();
        if (rows.Count == 0) return;
        Db.ParkedPayloads.AddRange(rows);
        await Db.SaveChangesAsync(ct);
        foreach (var r in rows) Db.Entry(r).State = EntityState.Detached;
        await Db.ParkedPayloads.Where(p => p.ExpiresAt < now).ExecuteDeleteAsync(ct);
    }

    public async Task<JsonObject?> FindAsync(string id, CancellationToken ct)
    {
        var json = await Db.ParkedPayloads.Where(p => p.Id == id).Select(p => p.Json).FirstOrDefaultAsync(ct);
        return json is null ? null : JsonNode.Parse(json) as JsonObject;
    }
}
