using System.Text.Json.Nodes;

namespace CrmBot.Conversations.Engine;

/// <summary>
/// A group of chat commands: claims typed messages and card verbs, answers them through the
/// <see cref="TurnContext"/>. Register with <c>services.AddChatFeature&lt;T&gt;()</c>; the engine
/// discovers every registration, so a new command never touches the engine.
/// Features are scoped (one instance per turn) and may inject any scoped service (the DbContext,
/// the CRM services).
/// </summary>
public interface IChatFeature
{
    /// <summary>Card verbs (<c>Turn.Value["verb"]</c>) this feature answers. A verb belongs to one feature.</summary>
    IReadOnlyCollection<string> Verbs { get; }

    /// <summary>Lines for the help card ("digest on|off", "turn the morning digest on or off").</summary>
    IEnumerable<HelpEntry> Help { get; }

    /// <summary>
    /// Claims a typed message, or returns null. Deterministic and cheap (no I/O): every feature is
    /// asked on every typed message; the highest <see cref="FeatureClaim.Confidence"/> wins, ties go
    /// to the feature registered first.
    /// </summary>
    FeatureClaim? Claim(Utterance utterance);

    /// <summary>Answers a typed message this feature claimed.</summary>
    Task HandleAsync(TurnContext context, FeatureClaim claim, CancellationToken cancellationToken);

    /// <summary>Answers a card action whose verb is in <see cref="Verbs"/>. <paramref name="data"/> is the whole submit data.</summary>
    Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken cancellationToken);
}

/// <summary>A feature's claim on a typed message; <paramref name="Entities"/> round-trip to HandleAsync.</summary>
/// <param name="Intent">The feature's own name for what was asked ("digest.on").</param>
/// <param name="Confidence">1 for an exact command word, lower for looser phrasings.</param>
public sealed record FeatureClaim(string Intent, double Confidence = 1.0, IReadOnlyDictionary<string, string>? Entities = null, object? Data = null)
{
    public string? Entity(string name) => Entities is not null && Entities.TryGetValue(name, out var v) ? v : null;
}

/// <summary>One line of the help card.</summary>
/// <param name="AdminOnly">Shown to admins only.</param>
public sealed record HelpEntry(string Usage, string Description, bool AdminOnly = false);
