using System.Text.Json.Nodes;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm.Text;

namespace CrmBot.Conversations.Dialogs;

/// <summary>Reads an answer to a prompt from a typed message or a card button.</summary>
public static class Prompts
{
    /// <summary>
    /// The verb of any button that answers the open question (picker entries, yes/no). Its data
    /// carries "choice" (or "confirm": "yes"|"no", "date", "text") and "flow", the id of the flow that asked,
    /// so a button from an older flow is recognised as stale.
    /// </summary>
    public const string AnswerVerb = "answer";

    private static readonly HashSet<string> Yes = ["yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "confirm", "correct", "right", "do it", "go ahead", "please do", "yes please"];
    private static readonly HashSet<string> No = ["no", "n", "nope", "nah", "dont", "do not", "no thanks", "wrong"];

    /// <summary>Yes (true), no (false), or neither (null) as typed: "yep", "no thanks".</summary>
    public static bool? YesOrNo(string text)
    {
        var folded = TextFold.Fold(text);
        return Yes.Contains(folded) ? true : No.Contains(folded) ? false : null;
    }

    /// <summary>What the question is about, for a reply that leaves it.</summary>
    public static string Subject(Prompt prompt)
    {
        if (prompt.Subject is { } subject) return subject;
        var text = prompt.Text.Trim();
        return "\"" + (text.Length <= 60 ? text : text[..57] + "...") + "\"";
    }

    /// <summary>
    /// True when a typed answer to a name question can be a name: a few words with a letter in them, not a
    /// sentence or a number. Deal names may carry digits ("Acme renewal 2027").
    /// </summary>
    public static bool CanBeName(Utterance utterance) =>
        utterance.Words.Count is >= 1 and <= 6 && utterance.Text.Length <= 80 && utterance.Text.Any(char.IsLetter);

    public static PromptAnswer? TryAnswer(Prompt prompt, Turn turn, DateOnly today, Crm.Model.DateOrder? order = null)
    {
        if (turn.Value is { } value && turn.Verb == AnswerVerb) return FromCard(prompt, value, today);
        var text = turn.Text?.Trim() ?? "";
        if (text.Length == 0) return null;
        var folded = TextFold.Fold(text);
        switch (prompt.Kind)
        {
            case PromptKind.Text:
                return new PromptAnswer(text);
            case PromptKind.Confirm:
                return YesOrNo(text) is { } yes ? new PromptAnswer(text, Confirmed: yes) : null;
            case PromptKind.Date:
                return DateParser.Parse(text, today, order) is { } date ? new PromptAnswer(text, Date: date) : null;
            case PromptKind.Choice:
                return MatchChoice(prompt.Choices ?? [], text, folded);
            default:
                return null;
        }
    }

    private static PromptAnswer? FromCard(Prompt prompt, JsonObject value, DateOnly today)
    {
        string? Get(string key) => value[key] is JsonValue v ? v.ToString() : null;
        switch (prompt.Kind)
        {
            case PromptKind.Choice:
                var choice = Get("choice");
                return choice is not null && (prompt.Choices ?? []).Any(c => c.Value == choice) ? new PromptAnswer(choice, Choice: choice) : null;
            case PromptKind.Confirm:
                var confirm = Get("confirm");
                return confirm is null ? null : new PromptAnswer(confirm, Confirmed: confirm is "yes" or "true");
            case PromptKind.Date:
                return Get("date") is { } d && DateParser.Parse(d, today) is { } date ? new PromptAnswer(d, Date: date) : null;
            default:
                return Get("text") is { Length: > 0 } t ? new PromptAnswer(t) : null;
        }
    }

    private static PromptAnswer? MatchChoice(IReadOnlyList<Choice> choices, string text, string folded)
    {
        if (int.TryParse(folded, out var n) && n >= 1 && n <= choices.Count)
            return new PromptAnswer(text, Choice: choices[n - 1].Value);
        var exact = choices.Where(c => TextFold.Fold(c.Label) == folded || TextFold.Fold(c.Value) == folded).ToList();
        if (exact.Count == 1) return new PromptAnswer(text, Choice: exact[0].Value);
        if (folded.Length < 2) return null;
        var partial = choices.Where(c => TextFold.Fold(c.Label).Contains(folded, StringComparison.Ordinal)).ToList();
        return partial.Count == 1 ? new PromptAnswer(text, Choice: partial[0].Value) : null;
    }

    /// <summary>How a prompt reads as text: the question, then numbered choices.</summary>
    public static string Render(Prompt prompt)
    {
        if (prompt.Kind != PromptKind.Choice || prompt.Choices is not { Count: > 0 } choices) return prompt.Text;
        var lines = choices.Select((c, i) => $"{i + 1}. {c.Label}");
        return prompt.Text + "\n" + string.Join("\n", lines);
    }

    public static string Retry(Prompt prompt) => prompt.RetryText ?? prompt.Kind switch
    {
        PromptKind.Date => "I need a date, such as \"tomorrow\", \"next Tue\", \"in 3 days\" or \"Dec 3\". (Say \"cancel\" to stop.)",
        PromptKind.Confirm => "Please answer yes or no. (Say \"cancel\" to stop.)",
        PromptKind.Choice => "Please pick one by its number. (Say \"cancel\" to stop.)",
        _ => "Please type an answer. (Say \"cancel\" to stop.)",
    };
}
