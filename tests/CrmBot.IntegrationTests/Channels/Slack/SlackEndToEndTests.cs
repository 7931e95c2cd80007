using System.Data.Common;
using System.Net;
using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Channels.Slack;

/// <summary>The real engine, real card templates and a real SQLite file behind the Slack endpoints.</summary>
public sealed class SlackEngineHost : SlackHost
{
    /// <summary>Holds every store command while closed, to play a slow database.</summary>
    public StoreGate Gate { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureDbContext<CrmDbContext>(o => o.AddInterceptors(Gate));

    /// <summary>A context that bypasses the gate, for the test's own reads.</summary>
    public CrmDbContext Store() =>
        Factory.OpenStore();
}

public sealed class StoreGate : DbCommandInterceptor
{
    private volatile TaskCompletionSource? _gate;
    private int _waiting;

    public int Waiting => Volatile.Read(ref _waiting);

    public void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _gate?.TrySetResult();

    private async Task PassAsync(DbCommand command, CancellationToken ct)
    {
        // The acknowledgement itself stores the request (one insert) so it survives a crash;
        // the gate stands for everything slow after it.
        if (_gate is not { } gate || command.CommandText.StartsWith("INSERT INTO \"ProcessedInbound\"", StringComparison.Ordinal)) return;
        Interlocked.Increment(ref _waiting);
        try { await gate.Task.WaitAsync(ct); }
        finally { Interlocked.Decrement(ref _waiting); }
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await PassAsync(command, cancellationToken);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await PassAsync(command, cancellationToken);
        return result;
    }

    public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await PassAsync(command, cancellationToken);
        return result;
    }
}

public class SlackEndToEndTests : IClassFixture<SlackEngineHost>
{
    private readonly SlackEngineHost _host;

    public SlackEndToEndTests(SlackEngineHost host)
    {
        _host = host;
        host.Slack.Clear();
        using var db = host.Store();
        if (!db.Contacts.Any(c => c.FirstName == "Jane"))
        {
            var acme = new Company { Name = "Acme", NormalizedName = CompanyNames.Key("Acme") };
            db.Contacts.Add(new Contact { FirstName = "Jane", LastName = "Doe", Company = acme, Email = "jane.doe@acme.example" });
            db.SaveChanges();
        }
    }

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task LogByCommand_AckedDespiteASlowStore_ThenListed_ThenDoneUpdatesTheMessage()
    {
        var note = Unique("pricing");
        var name = Unique("cmd");
        _host.Gate.Close();
        try
        {
            var ack = await _host.PostCommandAsync($"log call with Jane Doe: discussed {note}, follow up tomorrow", name);

            // Acknowledged while the work is still stuck in the store.
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
            await WaitUntilAsync(() => _host.Gate.Waiting > 0);
            Assert.DoesNotContain(_host.Slack.Calls, c => c.Path.EndsWith(name));
        }
        finally
        {
            _host.Gate.Open();
        }

        var logged = await _host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(name));
        Assert.True(logged.Accepted, logged.Error);
        Assert.Contains("Jane Doe", logged.Body.ToJsonString());
        await using (var db = _host.Store())
        {
            var activity = await db.Activities.Include(a => a.Contact).SingleAsync(a => a.Notes.Contains(note));
            Assert.Equal("Jane", activity.Contact!.FirstName);
            var member = await db.Members.SingleAsync(m => m.UserId == SlackHost.UserId);
            Assert.Equal("Europe/Berlin", member.TimeZone);   // from users.info
            Assert.Equal("megan@example.com", member.Email);
        }
        var followUp = await OpenFollowUpAsync(note);

        _host.Clock.Advance(TimeSpan.FromDays(1));   // "tomorrow" is today now
        var listName = Unique("cmd");
        await _host.PostCommandAsync("follow-ups", listName);
        var list = await _host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(listName));
        Assert.True(list.Accepted, list.Error);
        Assert.Contains(SlackText.Escape(followUp.Title), list.Body["blocks"]!.ToJsonString(System.Text.Json.JsonSerializerOptions.Default));

        // The same list in a DM is a real message, so Done updates it with chat.update.
        await _host.PostEventAsync(SlackHost.Event(SlackHost.DirectMessage("follow-ups")));
        var dm = await _host.Slack.WaitForAsync("chat.postMessage");
        var done = SlackHost.Buttons(dm.Body["blocks"]).First(b =>
            b["action_id"]!.GetValue<string>().StartsWith("followup.done", StringComparison.Ordinal)
            && JsonNode.Parse(b["value"]!.GetValue<string>())!["id"]!.ToString() == followUp.Id.ToString());

        await _host.PostInteractionAsync(_host.BlockAction(done, "D0DM00001", "1795363800.000100", ephemeral: false, Unique("act")));
        var update = await _host.Slack.WaitForAsync("chat.update");

        Assert.True(update.Accepted, update.Error);
        Assert.Equal("1795363800.000100", update.Body["ts"]!.GetValue<string>());
        // The refreshed list may say what was done, but the item and its buttons are gone.
        Assert.DoesNotContain(SlackHost.Buttons(update.Body["blocks"]), b =>
            JsonNode.Parse(b["value"]?.GetValue<string>() ?? "{}")!["id"]?.ToString() == followUp.Id.ToString());
        var row = $"*{SlackText.Escape(followUp.Title)}*";   // list rows show the title in bold; the notice does not
        Assert.Contains(row, Texts(dm.Body["blocks"]));
        Assert.DoesNotContain(row, Texts(update.Body["blocks"]));
        Assert.Contains("Done", Texts(update.Body["blocks"]));
        await using (var db = _host.Store())
            Assert.Equal(FollowUpStatus.Done, (await db.FollowUps.SingleAsync(f => f.Id == followUp.Id)).Status);
    }

    [Fact]
    public async Task LogForm_OpensAsAModal_SubmissionLogs_AnInvalidDateIsAFieldError()
    {
        var trigger = "trg." + Guid.NewGuid().ToString("N");
        var responseName = Unique("cmd");
        await _host.PostCommandAsync("log", responseName, trigger);
        var open = await _host.Slack.WaitForAsync(c => c.Method == "views.open" && c.Body["trigger_id"]!.ToString() == trigger);
        Assert.True(open.Accepted, open.Error);
        var view = open.Body["view"]!.AsObject();
        var inputs = view["blocks"]!.AsArray().Where(b => b!["type"]!.GetValue<string>() == "input")
            .Select(b => b!["block_id"]!.GetValue<string>()).ToArray();
        Assert.Contains("contact", inputs);
        Assert.Contains("followUpDate", inputs);

        JsonObject Values(string date, string note) => JsonNode.Parse($$"""
            {
              "contact": { "contact": { "type": "plain_text_input", "value": "Jane Doe" } },
              "type": { "type": { "type": "static_select", "selected_option": { "value": "Meeting" } } },
              "notes": { "notes": { "type": "plain_text_input", "value": "{{note}}" } },
              "followUpTitle": { "followUpTitle": { "type": "plain_text_input", "value": "Send the proposal" } },
              "followUpDate": { "followUpDate": { "type": "datepicker", "selected_date": "{{date}}" } }
            }
            """)!.AsObject();

        var badNote = Unique("bad");
        var rejected = await _host.PostInteractionAsync(SlackHost.ViewSubmission(view, Values("2026-02-30", badNote)));
        var errors = JsonNode.Parse(await rejected.Content.ReadAsStringAsync())!;
        Assert.Equal("errors", errors["response_action"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(errors["errors"]!["followUpDate"]!.GetValue<string>()));

        var goodNote = Unique("modal");
        var accepted = await _host.PostInteractionAsync(SlackHost.ViewSubmission(view, Values("2030-01-15", goodNote)));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.DoesNotContain("errors", await accepted.Content.ReadAsStringAsync());
        await _host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(responseName) && c.Body.ToJsonString().Contains("Jane Doe"));

        await using var db = _host.Store();
        var activity = await db.Activities.SingleAsync(a => a.Notes.Contains(goodNote));
        Assert.Equal(ActivityType.Meeting, activity.Type);
        Assert.False(await db.Activities.AnyAsync(a => a.Notes.Contains(badNote)));
        Assert.True(await db.FollowUps.AnyAsync(f => f.ActivityId == activity.Id && f.Title == "Send the proposal"));
    }

    [Fact]
    public async Task SameEventDeliveredThreeTimes_LogsOneActivity()
    {
        var note = Unique("retry");
        var envelope = SlackHost.Event(SlackHost.DirectMessage($"log call with Jane Doe: {note}"));

        foreach (var retry in new string?[] { null, "1", "2" })
            Assert.Equal(HttpStatusCode.OK, (await _host.PostEventAsync(envelope, retry)).StatusCode);
        // One worker works in arrival order: once a later message is answered, the retries were handled.
        await _host.PostEventAsync(SlackHost.Event(SlackHost.DirectMessage("help", channel: "D0MARKER")));
        await _host.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Body["channel"]!.ToString() == "D0MARKER");

        await using var db = _host.Store();
        Assert.Equal(1, await db.Activities.CountAsync(a => a.Notes.Contains(note)));
    }

    [Fact]
    public async Task LogToCrmShortcut_LogsTheMessageWithItsLink()
    {
        var trigger = "trg." + Guid.NewGuid().ToString("N");
        var text = Unique("Jane asked for the pricing sheet");
        await _host.PostInteractionAsync(new JsonObject
        {
            ["type"] = "message_action",
            ["callback_id"] = SlackEndpoints.LogToCrmCallbackId,
            ["trigger_id"] = trigger,
            ["team"] = new JsonObject { ["id"] = SlackHost.TeamId, ["domain"] = "example" },
            ["user"] = new JsonObject { ["id"] = SlackHost.UserId },
            ["channel"] = new JsonObject { ["id"] = "C7473C21AFD", ["name"] = "sales" },
            ["message"] = new JsonObject { ["type"] = "message", ["user"] = "U0JANE", ["ts"] = "1795363700.000200", ["text"] = text },
            ["response_url"] = _host.Slack.ResponseUrl(Unique("sc")),
        });
        var open = await _host.Slack.WaitForAsync(c => c.Method == "views.open" && c.Body["trigger_id"]!.ToString() == trigger);
        Assert.True(open.Accepted, open.Error);
        Assert.Contains(text, open.Body["view"]!.ToJsonString());

        await _host.PostInteractionAsync(SlackHost.ViewSubmission(open.Body["view"]!.AsObject(), JsonNode.Parse($$"""
            {
              "contact": { "contact": { "type": "plain_text_input", "value": "Jane Doe" } },
              "type": { "type": { "type": "static_select", "selected_option": { "value": "Note" } } },
              "notes": { "notes": { "type": "plain_text_input", "value": "{{text}}" } }
            }
            """)!.AsObject()));

        await WaitUntilAsync(() => { using var db = _host.Store(); return db.Activities.Any(a => a.Notes.Contains(text)); });
        await using var store = _host.Store();
        var activity = await store.Activities.SingleAsync(a => a.Notes.Contains(text));
        Assert.Equal("https://example.slack.com/archives/C7473C21AFD/p1795363700000200", activity.MessageLink);
    }

    private static string Texts(JsonNode? blocks) => string.Join("\n",
        (blocks as JsonArray ?? []).Select(b => b?["text"]?["text"]?.GetValue<string>() ?? ""));

    private async Task<FollowUp> OpenFollowUpAsync(string note)
    {
        await using var db = _host.Store();
        return await db.FollowUps.Include(f => f.Activity).SingleAsync(f => f.Activity!.Notes.Contains(note) && f.Status == FollowUpStatus.Open);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition()) await Task.Delay(20, cts.Token);
    }
}
