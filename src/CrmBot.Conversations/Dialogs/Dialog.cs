using System.Text.Json;
using System.Text.Json.Nodes;
using CrmBot.Conversations.Engine;

namespace CrmBot.Conversations.Dialogs;

/// <summary>
/// A multi-turn flow. Derive from <see cref="WaterfallDialog{TState}"/> and register with
/// <c>services.AddDialog&lt;T&gt;()</c>; start it from a feature with <c>context.BeginDialogAsync&lt;T&gt;(options)</c>.
/// </summary>
public abstract class Dialog
{
    /// <summary>Stored with the state; keep it stable across releases ("log-activity").</summary>
    public abstract string Name { get; }

    internal abstract Task<bool> BeginAsync(TurnContext context, ActiveDialog active, object? options, CancellationToken ct);

    internal abstract Task<bool> ContinueAsync(TurnContext context, ActiveDialog active, PromptAnswer answer, CancellationToken ct);
}

/// <summary>The running flow of one conversation + member, as stored in DialogState.StateJson.</summary>
internal sealed class ActiveDialog
{
    public required string Name { get; set; }
    /// <summary>Changes with every new flow, so buttons from an older flow are recognised as stale.</summary>
    public required string Flow { get; set; }
    /// <summary>The step that receives the answer to <see cref="Prompt"/>.</summary>
    public int Step { get; set; }
    public Prompt? Prompt { get; set; }
    public JsonNode? State { get; set; }
    /// <summary>Answers to <see cref="Prompt"/> that did not fit it; the question is asked at most twice.</summary>
    public int Misses { get; set; }
    /// <summary>A free-text answer that reads like a command, held until the member says whether it is the answer.</summary>
    public string? Held { get; set; }
    /// <summary>While <see cref="Held"/> waits, the question it would answer (<see cref="Prompt"/> is then the yes/no about it).</summary>
    public Prompt? HeldFor { get; set; }

    public string ToJson() => JsonSerializer.Serialize(this, DialogJson.Options);
    public static ActiveDialog? FromJson(string json) => JsonSerializer.Deserialize<ActiveDialog>(json, DialogJson.Options);
}

internal static class DialogJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}
