using System.Globalization;
using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Conversations.Pipeline;
using CrmBot.Conversations.Surveys;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Services;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace CrmBot.Channels.Terminal;

/// <summary>
/// The terminal channel: lines typed (or piped) become turns for the same engine and store the chat
/// platforms use; replies are printed, cards as text with numbered actions. Typing an action's
/// number clicks it; the inputs it submits are asked for one by one.
/// </summary>
internal sealed class TerminalChat(IServiceProvider services, TextReader input, IAnsiConsole console, TextWriter errors, bool interactive)
{
    private IReadOnlyList<TerminalAction> _actions = [];
    private int _turns;
    private ChatUser? _user;

    /// <param name="actAs">`--as`: a member's number or name to speak as; null for the person at the terminal.</param>
    public async Task<int> RunAsync(bool seed, string? actAs, CancellationToken ct)
    {
        ChatAs.Choice? chosen = null;
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StoreMigrator>().MigrateAsync(ct);
            if (actAs is not null)
            {
                // Before any seeding: a mistyped --as should change nothing.
                chosen = await ChatAs.ResolveAsync(scope.ServiceProvider, actAs, ct);
                if (chosen.Error is not null)
                {
                    await errors.WriteLineAsync($"chat --as: {chosen.Error}");
                    return 2;
                }
            }
            var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
            var empty = !db.Contacts.Any() && !db.Deals.Any() && !db.Companies.Any();
            if (empty && !seed && interactive)
                seed = Ask("The store is empty. Create the demo workspace (a few companies, contacts, deals and follow-ups)? [Y/n]") is not { } a
                       || a.Length == 0 || a.StartsWith('y') || a.StartsWith('Y');
            if (empty && seed)
            {
                await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(ct);
                console.MarkupLine("[green]Demo workspace created.[/]");
            }
            else if (empty)
            {
                console.MarkupLine("[grey]The store is empty; run `chat --seed` (or `seed-demo`) for a demo workspace.[/]");
            }
        }

        string who;
        if (chosen is { User: { } user, Member: { } member })
        {
            _user = user;
            who = ChatAs.Describe(member);
            if (chosen.Note is not null) console.WriteLine(chosen.Note);
        }
        else
        {
            var identity = MemberService.TerminalIdentity();
            _user = new ChatUser(identity.Channel, identity.TenantId, identity.UserId, identity.DisplayName, identity.TimeZone);
            who = _user.DisplayName ?? _user.UserId;
        }
        console.MarkupLine($"[bold]CrmBot[/] — you are [bold]{Markup.Escape(who)}[/]. Type [cyan]help[/], a number to press a button, [cyan]exit[/] to leave.");

        while (!ct.IsCancellationRequested)
        {
            var line = Ask(">");
            if (line is null) break;
            line = line.Trim();
            if (line.Length == 0) continue;
            if (line is "exit" or "quit" or "/exit" or "/quit") break;

            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && _actions.FirstOrDefault(a => a.Number == n) is { } action)
            {
                var value = Press(action);
                if (value is not null) await SendAsync(null, value, ct);
                continue;
            }
            await SendAsync(line, null, ct);
        }
        return 0;
    }

    private async Task SendAsync(string? text, JsonObject? value, CancellationToken ct)
    {
        // Typed here even when speaking as a Teams or Slack member (--as): the audit trail says "terminal".
        var turn = new Turn($"terminal-{Environment.ProcessId}-{++_turns}", _user!, $"terminal:{_user!.UserId}", ConversationKind.Personal, text, value,
            Via: ChannelIds.Terminal);
        // Nothing redelivers a typed line, so there is no delivery id to dedupe.
        var (_, replies) = await services.GetRequiredService<TurnPipeline>().RunAsync(
            new InboundTurn(ChannelIds.Terminal, null, SurveyFeature.CarriesAnswer(turn)),
            (turnServices, token) => turnServices.GetRequiredService<PipelineBot>().OnTurnAsync(turn, token),
            static (_, outcome, _) => Task.FromResult(outcome.Value),
            acknowledgeAfter: null, mayContinueInBackground: false, ct);
        Show(replies ?? []);
    }

    private void Show(IReadOnlyList<Reply> replies)
    {
        var actions = new List<TerminalAction>();
        foreach (var reply in replies)
        {
            switch (reply)
            {
                case TextReply t:
                    console.WriteLine(t.Text);
                    break;
                case FieldErrorsReply f:
                    console.MarkupLine($"[red]{Markup.Escape(f.Message)}[/]");
                    foreach (var (id, message) in f.Errors) console.MarkupLine($"[red]  {Markup.Escape(id)}: {Markup.Escape(message)}[/]");
                    break;
                case CardReply c:
                    var (lines, cardActions) = TerminalCardRenderer.Render(c.Card, actions.Count + 1);
                    actions.AddRange(cardActions);
                    var panel = new Panel(new Markup(string.Join("\n", lines)))
                    {
                        Header = new PanelHeader(c.ReplacesSource ? "updated" : ""),
                        Border = BoxBorder.Rounded,
                        Expand = false,
                    };
                    console.Write(panel);
                    break;
            }
        }
        // Buttons stay pressable until the next card replaces them, as in a chat.
        if (actions.Count > 0) _actions = actions;
    }

    /// <summary>The submit data of an action, with its inputs asked for. Null when nothing is to be sent.</summary>
    private JsonObject? Press(TerminalAction action)
    {
        var type = TerminalCardRenderer.Str(action.Action, "type");
        if (type == "Action.OpenUrl")
        {
            console.WriteLine(TerminalCardRenderer.Str(action.Action, "url") ?? "");
            return null;
        }
        var data = action.Action["data"] is JsonObject d ? (JsonObject)d.DeepClone() : new JsonObject();
        foreach (var inputNode in action.Inputs)
        {
            var id = TerminalCardRenderer.Str(inputNode, "id");
            if (id is null) continue;
            var value = AskInput(inputNode);
            if (value is null) return null;
            data[id] = value;
        }
        return data;
    }

    private string? AskInput(JsonObject input)
    {
        var label = TerminalCardRenderer.Str(input, "label") ?? TerminalCardRenderer.Str(input, "id")!;
        var current = TerminalCardRenderer.Str(input, "value") ?? "";
        switch (TerminalCardRenderer.Str(input, "type"))
        {
            case "Input.ChoiceSet":
                var choices = (input["choices"] as JsonArray ?? []).OfType<JsonObject>()
                    .Select(c => (Title: TerminalCardRenderer.Str(c, "title") ?? "", Value: TerminalCardRenderer.Str(c, "value") ?? "")).ToList();
                for (var i = 0; i < choices.Count; i++) console.MarkupLine($"  [cyan]{i + 1}[/] {Markup.Escape(choices[i].Title)}");
                var answer = Ask($"{label}{(current.Length > 0 ? $" [{current}]" : "")}:");
                if (answer is null) return null;
                answer = answer.Trim();
                if (answer.Length == 0) return current;
                if (int.TryParse(answer, NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k >= 1 && k <= choices.Count) return choices[k - 1].Value;
                return choices.FirstOrDefault(c => string.Equals(c.Title, answer, StringComparison.OrdinalIgnoreCase) || string.Equals(c.Value, answer, StringComparison.OrdinalIgnoreCase)).Value ?? answer;
            case "Input.Toggle":
                var yes = Ask($"{label} [y/N]:");
                if (yes is null) return null;
                return yes.Trim().StartsWith('y') ? TerminalCardRenderer.Str(input, "valueOn") ?? "true" : TerminalCardRenderer.Str(input, "valueOff") ?? "false";
            case "Input.Date":
                var date = Ask($"{label} (2026-12-03, tomorrow, next Tue; empty for none){(current.Length > 0 ? $" [{current}]" : "")}:");
                return date is null ? null : date.Trim().Length == 0 ? current : date.Trim();
            default:
                var text = Ask($"{label}{(current.Length > 0 ? $" [{current}]" : "")}:");
                return text is null ? null : text.Trim().Length == 0 ? current : text.Trim();
        }
    }

    /// <summary>Prints the prompt and reads a line; piped input is echoed so a transcript reads like a chat.</summary>
    private string? Ask(string prompt)
    {
        console.Markup(Markup.Escape(prompt) + " ");
        var line = input.ReadLine();
        if (!interactive) console.WriteLine(line ?? "");
        return line;
    }
}
