using System.Net;
using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.Conversations;
using CrmBot.Fakes.Slack;

namespace CrmBot.IntegrationTests.Channels.Slack;

/// <summary>Events, commands and interactions against a recording stand-in for the engine.</summary>
public class SlackProtocolTests : IClassFixture<SlackProtocolHost>
{
    private readonly SlackProtocolHost _host;

    public SlackProtocolTests(SlackProtocolHost host)
    {
        _host = host;
        host.Bot.Reset();
        host.Slack.Clear();
    }

    private static JsonObject Form(string verb) => JsonNode.Parse($$"""
        {
          "type": "AdaptiveCard", "version": "1.5",
          "body": [
            { "type": "TextBlock", "text": "Log an activity", "weight": "Bolder", "size": "Large" },
            { "type": "Input.Text", "id": "contact", "label": "Contact", "isRequired": true },
            { "type": "Input.Text", "id": "notes", "label": "Notes", "isMultiline": true },
            { "type": "Input.Date", "id": "followUpDate", "label": "Follow up on" },
            { "type": "Input.ChoiceSet", "id": "type", "label": "Type", "value": "call",
              "choices": [ { "title": "Call", "value": "call" }, { "title": "Meeting", "value": "meeting" } ] }
          ],
          "actions": [ { "type": "Action.Submit", "title": "Log", "data": { "verb": "{{verb}}", "source": "form" } } ]
        }
        """)!.AsObject();

    [Fact]
    public async Task UrlVerification_EchoesTheChallenge()
    {
        var response = await _host.PostEventAsync(SlackHost.Sample("url-verification.json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("chal-10E433D7C88A995E", body["challenge"]!.GetValue<string>());
        Assert.Empty(_host.Bot.Turns);
    }

    [Fact]
    public async Task AppMention_BecomesATurnWithoutTheMention_WithZoneAndEmailFromUsersInfo()
    {
        var envelope = SlackHost.Sample("event-app-mention.json");
        envelope["event_id"] = "Ev" + Guid.NewGuid().ToString("N")[..10];

        Assert.Equal(HttpStatusCode.OK, (await _host.PostEventAsync(envelope)).StatusCode);
        var post = await _host.Slack.WaitForAsync("chat.postMessage");

        var turn = Assert.Single(_host.Bot.Turns);
        Assert.Equal("follow-ups", turn.Text);
        Assert.Equal(ConversationKind.Channel, turn.Kind);
        Assert.Equal("C7473C21AFD", turn.ConversationId);
        Assert.Equal(new ChatUser("slack", "T0EXAMPLE", SlackHost.UserId, "Megan Bowen", "Europe/Berlin", "megan@example.com"), turn.From);
        Assert.Equal("C7473C21AFD", post.Body["channel"]!.GetValue<string>());
        Assert.Equal("Bearer " + FakeSlackApi.DefaultToken, post.Authorization);
    }

    [Fact]
    public async Task DirectMessage_IsAPersonalTurn_SlackEscapesUndone()
    {
        await _host.PostEventAsync(SlackHost.Event(SlackHost.DirectMessage("log call with Ben &amp; Jerry &lt;<mailto:ben@example.com|ben@example.com>&gt;")));
        await _host.Slack.WaitForAsync("chat.postMessage");

        var turn = Assert.Single(_host.Bot.Turns);
        Assert.Equal(ConversationKind.Personal, turn.Kind);
        Assert.Equal("log call with Ben & Jerry <ben@example.com>", turn.Text);
    }

    public static TheoryData<string> NotTurns => new()
    {
        """{"type":"message","channel_type":"im","user":"U0CRMBOT","bot_id":"B0CRMBOT","text":"our own reply","channel":"D0DM00001"}""",
        """{"type":"message","channel_type":"im","bot_id":"B0OTHER","text":"another bot","channel":"D0DM00001"}""",
        """{"type":"message","channel_type":"im","subtype":"message_changed","channel":"D0DM00001","message":{"user":"UB301F2990F","text":"edited"}}""",
        """{"type":"message","channel_type":"im","subtype":"message_deleted","channel":"D0DM00001"}""",
        """{"type":"message","channel_type":"channel","user":"UB301F2990F","text":"chatter in a channel","channel":"C7473C21AFD"}""",
        """{"type":"reaction_added","user":"UB301F2990F","reaction":"thumbsup"}""",
    };

    [Theory]
    [MemberData(nameof(NotTurns))]
    public async Task BotMessagesEditsAndOtherEvents_AreAcknowledgedAndIgnored(string ev)
    {
        var response = await _host.PostEventAsync(SlackHost.Event(JsonNode.Parse(ev)!.AsObject()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // A real message after it is the only turn: the ignored one never reached the engine.
        await _host.PostEventAsync(SlackHost.Event(SlackHost.DirectMessage("after")));
        await _host.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Body["text"]!.ToString() == "echo: after");
        Assert.Equal("after", Assert.Single(_host.Bot.Turns).Text);
    }

    [Fact]
    public async Task RetriedEvent_IsProcessedOnce()
    {
        var envelope = SlackHost.Event(SlackHost.DirectMessage("retried"));

        Assert.Equal(HttpStatusCode.OK, (await _host.PostEventAsync(envelope)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.PostEventAsync(envelope, retryNum: "1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.PostEventAsync(envelope, retryNum: "2")).StatusCode);
        await _host.PostEventAsync(SlackHost.Event(SlackHost.DirectMessage("after")));
        await _host.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Body["text"]!.ToString() == "echo: after");

        Assert.Equal(new[] { "retried", "after" }, _host.Bot.Turns.Select(t => t.Text ?? "").OrderByDescending(t => t, StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task SlashCommand_IsAcknowledgedBeforeTheEngineFinishes_AnswerGoesToResponseUrl()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _host.Bot.Gate = gate;
        var name = "cmd-" + Guid.NewGuid().ToString("N");

        var response = await _host.PostCommandAsync("follow-ups", name);

        // The ack came back while the engine is still held: Slack never waits for the work.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(gate.Task.IsCompleted);
        Assert.DoesNotContain(_host.Slack.Calls, c => c.Path.EndsWith(name));
        gate.SetResult();

        var answer = await _host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(name));
        Assert.True(answer.Accepted, answer.Error);
        Assert.Equal("ephemeral", answer.Body["response_type"]!.GetValue<string>());
        Assert.Equal("follow-ups", Assert.Single(_host.Bot.Turns).Text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("log")]
    [InlineData("  LOG ")]
    public async Task BareCommandOrBareLog_OpensTheLogFormAsAModal(string text)
    {
        _host.Bot.Answer = _ => [new CardReply("log-form", Form("log.submit"), "Log an activity")];
        var trigger = "trg." + Guid.NewGuid().ToString("N");

        await _host.PostCommandAsync(text, "cmd-" + trigger, trigger);
        var open = await _host.Slack.WaitForAsync(c => c.Method == "views.open" && c.Body["trigger_id"]!.ToString() == trigger);

        Assert.True(open.Accepted, open.Error);
        Assert.Equal("log", Assert.Single(_host.Bot.Turns).Text!.Trim().ToLowerInvariant());
        var blocks = open.Body["view"]!["blocks"]!.AsArray();
        Assert.Equal(["contact", "notes", "followUpDate", "type"],
            blocks.Where(b => b!["type"]!.GetValue<string>() == "input").Select(b => b!["block_id"]!.GetValue<string>()).ToArray());
    }

    [Fact]
    public async Task ModalSubmission_BecomesOneTurn_InputsMergedWithTheSubmitData()
    {
        _host.Bot.Answer = t => t.Value is null
            ? [new CardReply("log-form", Form("log.submit"), "Log an activity")]
            : [new TextReply("Logged.")];
        var trigger = "trg." + Guid.NewGuid().ToString("N");
        var responseName = "cmd-" + trigger;
        await _host.PostCommandAsync("log", responseName, trigger);
        var view = (await _host.Slack.WaitForAsync(c => c.Method == "views.open" && c.Body["trigger_id"]!.ToString() == trigger)).Body["view"]!.AsObject();

        var response = await _host.PostInteractionAsync(SlackHost.ViewSubmission(view, JsonNode.Parse("""
            {
              "contact": { "contact": { "type": "plain_text_input", "value": "Jane Doe" } },
              "notes": { "notes": { "type": "plain_text_input", "value": "Pricing & terms" } },
              "followUpDate": { "followUpDate": { "type": "datepicker", "selected_date": "2026-12-03" } },
              "type": { "type": { "type": "static_select", "selected_option": { "text": { "type": "plain_text", "text": "Meeting" }, "value": "meeting" } } }
            }
            """)!.AsObject()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());   // empty 200 closes the modal
        var posted = await _host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(responseName) && c.Body["text"]!.ToString() == "Logged.");
        Assert.True(posted.Accepted);
        var submit = _host.Bot.Turns[^1];
        Assert.Equal("log.submit", submit.Verb);
        Assert.Equal("form", submit.Value!["source"]!.GetValue<string>());
        Assert.Equal("Jane Doe", submit.Value["contact"]!.GetValue<string>());
        Assert.Equal("Pricing & terms", submit.Value["notes"]!.GetValue<string>());
        Assert.Equal("2026-12-03", submit.Value["followUpDate"]!.GetValue<string>());
        Assert.Equal("meeting", submit.Value["type"]!.GetValue<string>());
        Assert.Equal("C7473C21AFD", submit.ConversationId);
    }

    [Fact]
    public async Task ModalSubmission_WithFieldErrors_IsAnsweredInTheResponse()
    {
        _host.Bot.Answer = t => t.Value is null
            ? [new CardReply("log-form", Form("log.submit"), "Log an activity")]
            : [new FieldErrorsReply(new Dictionary<string, string> { ["followUpDate"] = "That date is in the past." }, "Please fix the date.")];
        var trigger = "trg." + Guid.NewGuid().ToString("N");
        await _host.PostCommandAsync("log", "cmd-" + trigger, trigger);
        var view = (await _host.Slack.WaitForAsync(c => c.Method == "views.open" && c.Body["trigger_id"]!.ToString() == trigger)).Body["view"]!.AsObject();

        var response = await _host.PostInteractionAsync(SlackHost.ViewSubmission(view, JsonNode.Parse("""
            { "followUpDate": { "followUpDate": { "type": "datepicker", "selected_date": "2001-01-01" } } }
            """)!.AsObject()));

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("errors", body["response_action"]!.GetValue<string>());
        Assert.Equal("That date is in the past.", body["errors"]!["followUpDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task SlowModalSubmission_ClosesTheModal_AndPostsTheFieldErrorsInstead()
    {
        _host.Bot.Answer = t => t.Value is null
            ? [new CardReply("log-form", Form("log.submit"), "Log an activity")]
            : [new FieldErrorsReply(new Dictionary<string, string> { ["followUpDate"] = "That date is in the past." }, "Please fix the date.")];
        var trigger = "trg." + Guid.NewGuid().ToString("N");
        var responseName = "cmd-" + trigger;
        await _host.PostCommandAsync("log", responseName, trigger);
        var view = (await _host.Slack.WaitForAsync(c => c.Method == "views.open" && c.Body["trigger_id"]!.ToString() == trigger)).Body["view"]!.AsObject();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _host.Bot.Gate = gate;

        var response = await _host.PostInteractionAsync(SlackHost.ViewSubmission(view, new JsonObject()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        gate.SetResult();

        var posted = await _host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(responseName) && c.Body["text"]!.ToString().Contains("Please fix the date."));
        Assert.Contains("That date is in the past.", posted.Body["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Button_BecomesACardAction_ReplacingTheSourceUpdatesTheMessageInPlace()
    {
        var card = JsonNode.Parse("""
            { "type": "AdaptiveCard", "version": "1.5", "body": [ { "type": "TextBlock", "text": "Call Jane" } ],
              "actions": [ { "type": "Action.Submit", "title": "Done", "data": { "verb": "followup.done", "followUpId": 42 } } ] }
            """)!.AsObject();
        _host.Bot.Answer = t => t.Verb == "followup.done"
            ? [new CardReply("follow-ups", JsonNode.Parse("""{ "type": "AdaptiveCard", "version": "1.5", "body": [ { "type": "TextBlock", "text": "All done" } ] }""")!.AsObject(), "All done", ReplacesSource: true)]
            : [new CardReply("follow-ups", card, "Your follow-ups")];
        await _host.PostEventAsync(SlackHost.Event(SlackHost.DirectMessage("follow-ups")));
        var post = await _host.Slack.WaitForAsync("chat.postMessage");
        var done = Assert.Single(SlackHost.Buttons(post.Body["blocks"]));

        await _host.PostInteractionAsync(_host.BlockAction(done, "D0DM00001", "1795363800.000001", ephemeral: false, "act-" + Guid.NewGuid().ToString("N")));
        var update = await _host.Slack.WaitForAsync("chat.update");

        var click = _host.Bot.Turns[^1];
        Assert.Equal("followup.done", click.Verb);
        Assert.Equal(42, click.Value!["followUpId"]!.GetValue<int>());
        Assert.Equal("1795363800.000001", click.ReplyToId);
        Assert.Equal("1795363800.000001", update.Body["ts"]!.GetValue<string>());
        Assert.Equal("D0DM00001", update.Body["channel"]!.GetValue<string>());
        Assert.Contains("All done", update.Body["blocks"]!.ToJsonString());
    }

    [Fact]
    public async Task ButtonOnAnEphemeralMessage_ReplacesItThroughResponseUrl()
    {
        _host.Bot.Answer = _ => [new CardReply("x", JsonNode.Parse("""{ "type": "AdaptiveCard", "version": "1.5", "body": [ { "type": "TextBlock", "text": "Snoozed" } ] }""")!.AsObject(), "Snoozed", ReplacesSource: true)];
        var button = new JsonObject { ["type"] = "button", ["action_id"] = "followup.snooze", ["value"] = """{"verb":"followup.snooze","followUpId":7,"days":1}""" };
        var name = "act-" + Guid.NewGuid().ToString("N");

        await _host.PostInteractionAsync(_host.BlockAction(button, "C7473C21AFD", "1795363800.000002", ephemeral: true, name));
        var replaced = await _host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(name));

        Assert.True(replaced.Body["replace_original"]!.GetValue<bool>());
        Assert.Equal(1, _host.Bot.Turns[^1].Value!["days"]!.GetValue<int>());
    }

    [Fact]
    public async Task ButtonDataOverTheValueLimit_IsParkedInTheStore_AndComesBackWhole()
    {
        var big = new string('n', 3000);
        var card = new JsonObject
        {
            ["type"] = "AdaptiveCard", ["version"] = "1.5",
            ["body"] = new JsonArray(new JsonObject { ["type"] = "TextBlock", ["text"] = "Pick" }),
            ["actions"] = new JsonArray(new JsonObject { ["type"] = "Action.Submit", ["title"] = "Keep", ["data"] = new JsonObject { ["verb"] = "big.keep", ["notes"] = big } }),
        };
        _host.Bot.Answer = t => t.Value is null ? [new CardReply("x", card, "Pick")] : [new TextReply("ok")];
        await _host.PostEventAsync(SlackHost.Event(SlackHost.DirectMessage("big")));
        var post = await _host.Slack.WaitForAsync("chat.postMessage");
        var button = Assert.Single(SlackHost.Buttons(post.Body["blocks"]));
        Assert.True(button["value"]!.GetValue<string>().Length <= 2000);

        await _host.PostInteractionAsync(_host.BlockAction(button, "D0DM00001", post.Body["ts"]?.ToString() ?? "1.1", false, "act-" + Guid.NewGuid().ToString("N")));
        await _host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Body["text"]!.ToString() == "ok");

        Assert.Equal(big, _host.Bot.Turns[^1].Value!["notes"]!.GetValue<string>());
        Assert.Equal("big.keep", _host.Bot.Turns[^1].Verb);
    }

    [Fact]
    public async Task FormCardWithoutATrigger_IsPostedWithAButtonThatOpensTheModal()
    {
        _host.Bot.Answer = _ => [new CardReply("log-form", Form("log.submit"), "Log an activity")];
        await _host.PostEventAsync(SlackHost.Event(SlackHost.DirectMessage("log")));
        var post = await _host.Slack.WaitForAsync("chat.postMessage");
        var open = Assert.Single(SlackHost.Buttons(post.Body["blocks"]));
        Assert.Equal(BlockKit.OpenCardAction, open["action_id"]!.GetValue<string>());

        var click = _host.BlockAction(open, "D0DM00001", "1795363800.000003", false, "act-" + Guid.NewGuid().ToString("N"));
        await _host.PostInteractionAsync(click);
        var view = await _host.Slack.WaitForAsync(c => c.Method == "views.open" && c.Body["trigger_id"]!.ToString() == click["trigger_id"]!.ToString());

        Assert.True(view.Accepted, view.Error);
        Assert.Single(_host.Bot.Turns);   // opening the form is the channel's business, not a turn
    }

    [Fact]
    public async Task LogToCrmShortcut_OpensTheFormWithTheMessage_AndTheSubmitCarriesItsLink()
    {
        _host.Bot.Answer = t => t.Value is null
            ? [new CardReply("log-form", Form("log.submit"), "Log an activity")]
            : [new TextReply("Logged.")];
        var trigger = "trg." + Guid.NewGuid().ToString("N");
        var shortcut = new JsonObject
        {
            ["type"] = "message_action",
            ["callback_id"] = SlackEndpoints.LogToCrmCallbackId,
            ["trigger_id"] = trigger,
            ["team"] = new JsonObject { ["id"] = SlackHost.TeamId, ["domain"] = "example" },
            ["user"] = new JsonObject { ["id"] = SlackHost.UserId },
            ["channel"] = new JsonObject { ["id"] = "C7473C21AFD", ["name"] = "sales" },
            ["message"] = new JsonObject { ["type"] = "message", ["user"] = "U0JANE", ["ts"] = "1795363700.000100", ["text"] = "Jane: can you send the pricing by Friday?" },
            ["response_url"] = _host.Slack.ResponseUrl("sc-" + trigger),
        };

        await _host.PostInteractionAsync(shortcut);
        var open = await _host.Slack.WaitForAsync(c => c.Method == "views.open" && c.Body["trigger_id"]!.ToString() == trigger);
        var notes = open.Body["view"]!["blocks"]!.AsArray().First(b => b!["block_id"]?.ToString() == "notes")!;
        Assert.Equal("Jane: can you send the pricing by Friday?", notes["element"]!["initial_value"]!.GetValue<string>());

        await _host.PostInteractionAsync(SlackHost.ViewSubmission(open.Body["view"]!.AsObject(), JsonNode.Parse("""
            { "notes": { "notes": { "type": "plain_text_input", "value": "Jane: can you send the pricing by Friday?" } } }
            """)!.AsObject()));
        await _host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Body["text"]!.ToString() == "Logged.");

        Assert.Equal("https://example.slack.com/archives/C7473C21AFD/p1795363700000100", _host.Bot.Turns[^1].MessageLink);
        Assert.Equal("https://example.slack.com/archives/C7473C21AFD/p1795363700000100", _host.Bot.Turns[0].MessageLink);
    }

    [Fact]
    public async Task MalformedInteraction_Is400()
    {
        var response = await _host.Client.PostAsync("/slack/interactions",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["payload"] = "{oops" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
