using System.Text.Json.Nodes;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Recognition;

namespace CrmBot.Conversations.Features;

/// <summary>A built-in CRM feature: claims the recognizer's intents it owns.</summary>
public abstract class BuiltInFeature(Recognizer recognizer) : IChatFeature
{
    protected abstract IReadOnlyCollection<Intent> Intents { get; }

    public abstract IReadOnlyCollection<string> Verbs { get; }

    public abstract IEnumerable<HelpEntry> Help { get; }

    public FeatureClaim? Claim(Utterance utterance)
    {
        var r = recognizer.Recognize(utterance);
        return Intents.Contains(r.Intent) ? new FeatureClaim(r.Intent.ToString(), r.Confidence, Data: r) : null;
    }

    public Task HandleAsync(TurnContext context, FeatureClaim claim, CancellationToken cancellationToken) =>
        HandleAsync(context, (Recognition.Recognition)claim.Data!, cancellationToken);

    protected abstract Task HandleAsync(TurnContext context, Recognition.Recognition recognized, CancellationToken ct);

    public abstract Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken cancellationToken);

    /// <summary>A card's id or count, sent as a number or a numeric string; null when absent or not one.</summary>
    protected internal static int? IntOf(JsonObject data, string key) =>
        data[key] switch
        {
            JsonValue v when v.TryGetValue<int>(out var i) => i,
            JsonValue v when int.TryParse(v.ToString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var i) => i,
            _ => null,
        };

    protected static string? StringOf(JsonObject data, string key) =>
        data[key] is JsonValue v && v.ToString() is { Length: > 0 } s ? s.Trim() : null;
}
