using System.Text.Json.Nodes;
using CrmBot.Crm.ChatState;
using CrmBot.Crm;
using CrmBot.Crm.Model;
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

/// <summary>
/// Bound Adaptive Card → Block Kit, with whatever does not fit in Slack parked in the store. The one
/// entry point for anything that sends cards to Slack (replies here, proactive messages in the outbox).
/// </summary>
public sealed class SlackCardRenderer(PayloadParking parking)
{
    public async Task<SlackMessage> MessageAsync(JsonObject card, string? fallbackText, CancellationToken ct)
    {
        var rendered = BlockKit.Message(card, fallbackText);
        await parking.ParkAsync(rendered.Parked, ct);
        return rendered.Result;
    }

    /// <summary>A modal whose private_metadata holds <paramref name="context"/> plus what its submission needs (parked when over 3000 chars).</summary>
    public async Task<JsonObject> ModalAsync(JsonObject card, JsonObject context, CancellationToken ct)
    {
        var rendered = BlockKit.Modal(card);
        var metadata = rendered.Result.Metadata;
        metadata["ctx"] = context.DeepClone();
        var parked = rendered.Parked.ToList();
        var json = metadata.ToJsonString();
        if (json.Length > BlockKitLimits.PrivateMetadata)
        {
            var id = Guid.NewGuid().ToString("N");
            parked.Add(new ParkedValue(id, json));
            json = new JsonObject { ["parked"] = id }.ToJsonString();
        }
        await parking.ParkAsync(parked, ct);
        var view = rendered.Result.View;
        view["private_metadata"] = json;
        return view;
    }

    /// <summary>A modal's private_metadata back as the object <see cref="ModalAsync"/> stored.</summary>
    public async Task<JsonObject> ReadMetadataAsync(string? privateMetadata, CancellationToken ct) =>
        await UnparkAsync(string.IsNullOrEmpty(privateMetadata) ? null : JsonNode.Parse(privateMetadata) as JsonObject, ct) ?? [];

    /// <summary>A button value or metadata: itself, or what it points to when it is {"parked": id}.</summary>
    public async Task<JsonObject?> UnparkAsync(JsonObject? value, CancellationToken ct)
    {
        if (value is { Count: 1 } && value["parked"] is JsonValue id && id.TryGetValue<string>(out var key))
            return await parking.FindAsync(key, ct);
        return value;
    }
}
