using System.Text.Json.Nodes;

namespace CrmBot.Conversations.Cards;

/// <summary>What channels that cannot show a card as it is need to know about its actions.</summary>
public static class CardActions
{
    /// <summary>
    /// An action marked <c>"associatedInputs": "none"</c> submits none of the card's inputs (the deal card's History
    /// beside its stage form), so it works without the form: Slack keeps it in the message, the terminal asks nothing.
    /// </summary>
    public static bool TakesNoInputs(JsonObject action) =>
        action["associatedInputs"] is JsonValue v && v.TryGetValue<string>(out var s) && string.Equals(s, "none", StringComparison.OrdinalIgnoreCase);
}
