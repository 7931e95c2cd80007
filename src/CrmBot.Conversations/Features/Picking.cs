using CrmBot.Conversations.Dialogs;
using CrmBot.Crm.Services;

namespace CrmBot.Conversations.Features;

public enum PickKind { None, Clear, Ambiguous, DidYouMean }

/// <summary>What to do with a name search: take the one clear hit, ask which, ask "did you mean", or say nothing matched.</summary>
public sealed record Pick<T>(PickKind Kind, T? Item, IReadOnlyList<Match<T>> Candidates);

/// <summary>
/// Name matches become a decision, never a silent guess: only an exact name, or a strong match
/// well ahead of the rest, is taken without asking.
/// </summary>
public static class Picking
{
    /// <summary>The choice value of "none of these" in a did-you-mean picker.</summary>
    public const string NoneOfThese = "none";

    private const double Strong = 0.9;
    private const double Margin = 0.05;

    public static Pick<T> Decide<T>(IReadOnlyList<Match<T>> matches) where T : class
    {
        if (matches.Count == 0) return new(PickKind.None, null, []);
        var top = matches[0];
        if (top.Score < Strong) return new(PickKind.DidYouMean, null, matches);
        var close = matches.Where(m => m.Score >= top.Score - Margin).ToList();
        if (close.Count == 1) return new(PickKind.Clear, top.Item, matches);
        // Two people called exactly "Jane Doe" are as ambiguous as two Janes.
        return new(PickKind.Ambiguous, null, close);
    }

    /// <summary>
    /// A picker prompt: a card with one numbered row per candidate (name and company in the body, where
    /// they wrap, and a short "Choose" button carrying verb "answer") and, for text channels, numbered lines.
    /// <paramref name="extras"/> are answers that are no candidate ("Try another name", "Cancel"): buttons under
    /// the list, titled as they read, numbered after the candidates in text.
    /// </summary>
    public static Prompt Prompt(string question, IReadOnlyList<(string Value, string Label, string? Detail)> options, bool offerNone,
        PromptExpect expect = PromptExpect.Any, string? subject = null, IReadOnlyList<(string Value, string Label)>? extras = null)
    {
        var more = (extras ?? []).ToList();
        if (offerNone) more.Add((NoneOfThese, "None of these"));
        var choices = options.Select(o => new Choice(o.Value, o.Detail is null ? o.Label : $"{o.Label} ({o.Detail})"))
            .Concat(more.Select(e => new Choice(e.Value, e.Label))).ToList();
        var data = new System.Text.Json.Nodes.JsonObject
        {
            ["title"] = question,
            ["options"] = new System.Text.Json.Nodes.JsonArray(options.Select((o, i) => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
            {
                ["value"] = o.Value, ["number"] = i + 1, ["label"] = o.Label, ["detail"] = o.Detail,
            }).ToArray()),
            ["extras"] = new System.Text.Json.Nodes.JsonArray(more.Select(e => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
            {
                ["value"] = e.Value, ["label"] = e.Label,
            }).ToArray()),
        };
        return Dialogs.Prompt.ForChoice(question, choices, new PromptCard(Cards.CardNames.ContactPicker, data, question), subject: subject) with { Expect = expect };
    }
}
