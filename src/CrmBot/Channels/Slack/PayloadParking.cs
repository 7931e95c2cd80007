using System.Text.Json.Nodes;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Channels.Slack;

/// <summary>
/// Payloads too large for Slack to carry (button values, modal metadata), kept in the store under a
/// random id so that a click served by any instance finds them.
/// </summary>
public sealed class PayloadParking(CrmDbContext db, TimeProvider clock)
{
    /// <summary>Slack keeps messages forever, but a button older than this may just say "expired".</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    public async Task ParkAsync(IEnumerable<ParkedValue> values, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = values.Select(v => new ParkedPayload { Id = v.Id, Json = v.Json, CreatedAt = now, ExpiresAt = now + Lifetime }).ToList();
        if (rows.Count == 0) return;
        db.ParkedPayloads.AddRange(rows);
        await db.SaveChangesAsync(ct);
        foreach (var r in rows) db.Entry(r).State = EntityState.Detached;
        await db.ParkedPayloads.Where(p => p.ExpiresAt < now).ExecuteDeleteAsync(ct);
    }

    public async Task<JsonObject?> FindAsync(string id, CancellationToken ct)
    {
        var json = await db.ParkedPayloads.Where(p => p.Id == id).Select(p => p.Json).FirstOrDefaultAsync(ct);
        return json is null ? null : JsonNode.Parse(json) as JsonObject;
    }
}
