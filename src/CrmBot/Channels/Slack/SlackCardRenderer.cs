using System.Text.Json.Nodes;
using CrmBot.Crm.Diagnostics;

namespace CrmBot.Channels.Slack;

/// <summary>
/// Bound Adaptive Card → Block Kit, with whatever does not fit in Slack parked in the store. The one
/// entry point for anything that sends cards to Slack (replies here, proactive messages in the outbox).
/// </summary>
public sealed class SlackCardRenderer(PayloadParking parking)
{
    public async Task<SlackMessage> MessageAsync(JsonObject card, string? fallbackText, CancellationToken ct)
    {
        using var _ = CrmBotTelemetry.Stage(CrmBotTelemetry.Stages.Render, "slack");
        var rendered = BlockKit.Message(card, fallbackText);
        await parking.ParkAsync(rendered.Parked, ct);
        return rendered.Result;
    }

    /// <summary>A modal whose private_metadata holds <paramref name="context"/> plus what its submission needs (parked when over 3000 chars).</summary>
    public async Task<JsonObject> ModalAsync(JsonObject card, JsonObject context, CancellationToken ct)
    {
        using var _ = CrmBotTelemetry.Stage(CrmBotTelemetry.Stages.Render, "slack modal");
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
