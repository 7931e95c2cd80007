using System.Net;
using System.Text.Json.Nodes;
using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using CrmBot.Fakes.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>Real time, moved forward on demand: "tomorrow" can become "today" without waiting a day.</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}

public sealed class EngineHost : TeamsHost
{
    public ShiftedClock Clock { get; } = new();
    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

/// <summary>
/// Teams activities through the real engine and store, answered through the fake Connector: what a rep
/// does in Teams, end to end. Each test is its own user in its own 1:1 chat, so they share the app.
/// </summary>
public class TeamsEndToEndTests(EngineHost host) : IClassFixture<EngineHost>
{
    private readonly string _user = "29:" + Guid.NewGuid().ToString("N");
    private readonly string _conversation = "a:" + Guid.NewGuid().ToString("N");

    private JsonObject Activity(string sample, string? text = null)
    {
        var activity = host.Sample(sample);
        activity["from"]!["id"] = _user;
        activity["from"]!["aadObjectId"] = Guid.NewGuid().ToString();
        activity["conversation"]!["id"] = _conversation;
        if (text is not null) activity["text"] = text;
        return activity;
    }

    private async Task<ConnectorRequest> SayAsync(string text)
    {
        var activity = Activity("message-personal", text);
        var response = await host.PostAsync(activity);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(await host.RepliesToAsync(activity["id"]!.GetValue<string>()));
    }

    private Task SeedContactAsync(string first, string last, string company) => host.WithStoreAsync(async db =>
    {
        var key = CompanyNames.Key(company);
        var c = await db.Companies.FirstOrDefaultAsync(x => x.NormalizedName == key)
                ?? db.Companies.Add(new Company { Name = company, NormalizedName = key }).Entity;
        if (!await db.Contacts.AnyAsync(x => x.FirstName == first && x.LastName == last))
            db.Contacts.Add(new Contact { FirstName = first, LastName = last, Company = c });
        return await db.SaveChangesAsync();
    });

    /// <summary>Presses an Action.Execute button as this test's user; the invoke response's body.</summary>
    private async Task<JsonNode> PressAsync(string verb, JsonObject data)
    {
        var invoke = Activity("invoke-action-execute");
        invoke["value"]!["action"]!["verb"] = verb;
        invoke["value"]!["action"]!["data"] = data;
        var response = await host.PostAsync(invoke);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private Task<Member> MeAsync() => host.WithStoreAsync(db => db.Members.SingleAsync(m => m.UserId == _user));

    /// <summary>What Teams needs of a card: an Adaptive Card ≤ 1.5 with every template binding resolved.</summary>
    private static void AssertValidCard(JsonObject? card)
    {
        Assert.NotNull(card);
        Assert.Equal("AdaptiveCard", card["type"]!.GetValue<string>());
        Assert.True(Version.Parse(card["version"]!.GetValue<string>()) <= new Version(1, 5));
        Assert.IsType<JsonArray>(card["body"]);
        var json = card.ToJsonString();
        Assert.DoesNotContain("${", json);
        Assert.DoesNotContain("\"$data\"", json);
        Assert.DoesNotContain("\"$when\"", json);
        Assert.True(json.Length < 28 * 1024);
        Assert.All(Actions(card), a => Assert.Contains(a["type"]!.GetValue<string>(), new[] { "Action.Submit", "Action.Execute", "Action.OpenUrl", "Action.ShowCard", "Action.ToggleVisibility" }));
    }

    private static IEnumerable<JsonObject> Actions(JsonNode? node) => node switch
    {
        JsonObject o when o["type"]?.GetValue<string>() is { } t && t.StartsWith("Action.") => [o],
        JsonObject o => o.SelectMany(p => Actions(p.Value)),
        JsonArray a => a.SelectMany(Actions),
        _ => [],
    };

    [Fact]
    public async Task LogCall_FollowUpsListsIt_DoneUpdatesTheCardInPlace()
    {
        await SeedContactAsync("Jane", "Doe", "Acme");

        var logged = await SayAsync("log call with Jane Doe: discussed pricing, follow up tomorrow");

        Assert.Equal("application/vnd.microsoft.card.adaptive", logged.Body!["attachments"]![0]!["contentType"]!.GetValue<string>());
        AssertValidCard(logged.Card);
        var me = await MeAsync();
        Assert.Equal("America/Los_Angeles", me.TimeZone);
        var activity = await host.WithStoreAsync(db => db.Activities.Include(a => a.Contact).SingleAsync(a => a.LoggedById == me.Id));
        Assert.Equal(("Jane", ActivityType.Call, "discussed pricing"), (activity.Contact!.FirstName, activity.Type, activity.Notes));

        // The next day (in the rep's zone) it is due, and listed.
        host.Clock.Offset += TimeSpan.FromDays(1);
        var list = await SayAsync("follow-ups");
        AssertValidCard(list.Card);
        Assert.Contains("Follow up with Jane Doe", list.Card!.ToJsonString());
        var done = Actions(list.Card).First(a => a["title"]?.GetValue<string>() == "Done");

        // Action.Submit: Teams sends the action data as the message value, replyToId = the list card.
        var submit = Activity("card-submit");
        submit["value"] = done["data"]!.DeepClone();
        submit["replyToId"] = "list-card-" + submit["id"];
        var response = await host.PostAsync(submit);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var calls = await host.Connector.WaitForAsync(r => r.Any(x => x.ActivityId == submit["replyToId"]!.GetValue<string>()));
        var update = Assert.Single(calls, x => x.ActivityId == submit["replyToId"]!.GetValue<string>());
        Assert.Equal("PUT", update.Method);
        AssertValidCard(update.Card);
        Assert.Contains("Done: Follow up with Jane Doe", update.Card!.ToJsonString());
        var followUp = await host.WithStoreAsync(db => db.FollowUps.SingleAsync(f => f.AssigneeId == me.Id));
        Assert.NotNull(followUp.CompletedAt);
    }

    [Fact]
    public async Task ActionExecute_AnswersWithTheUpdatedCard_InTheInvokeResponse()
    {
        await SeedContactAsync("Bob", "Smith", "Globex");
        await SayAsync("log call with Bob Smith: intro, follow up today");
        var me = await MeAsync();
        var followUp = await host.WithStoreAsync(db => db.FollowUps.SingleAsync(f => f.AssigneeId == me.Id));

        var body = await PressAsync("followup.done", new JsonObject { ["id"] = followUp.Id });

        Assert.Equal(200, body["statusCode"]!.GetValue<int>());
        Assert.Equal("application/vnd.microsoft.card.adaptive", body["type"]!.GetValue<string>());
        AssertValidCard(body["value"]!.AsObject());
        Assert.Contains("Done: Follow up with Bob Smith", body["value"]!.ToJsonString());
        Assert.NotNull((await host.WithStoreAsync(db => db.FollowUps.SingleAsync(f => f.Id == followUp.Id))).CompletedAt);
    }

    [Fact]
    public async Task CardAction_OnAnotherMembersFollowUp_IsCheckedAgainstWhoPressedIt_AndRefused()
    {
        await SeedContactAsync("Dana", "Fox", "Initech");
        // Another rep in the same tenant logs a call with a follow-up.
        var other = "29:" + Guid.NewGuid().ToString("N");
        var theirs = Activity("message-personal", "log call with Dana Fox: intro, follow up today");
        theirs["from"]!["id"] = other;
        theirs["from"]!["name"] = "Jane Doe";
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(theirs)).StatusCode);
        var followUp = await host.WithStoreAsync(db => db.FollowUps.SingleAsync(f => f.Assignee!.UserId == other));

        var body = await PressAsync("followup.done", new JsonObject { ["id"] = followUp.Id });

        Assert.Contains("Only Jane Doe (the follow-up's assignee), their manager or an admin can complete this follow-up.", body["value"]!.ToString());
        var stored = await host.WithStoreAsync(db => db.FollowUps.SingleAsync(f => f.Id == followUp.Id));
        Assert.Equal((FollowUpStatus.Open, (DateTime?)null), (stored.Status, stored.CompletedAt));
    }

    [Fact]
    public async Task SameActivityDeliveredThreeTimes_OneActivityLogged()
    {
        await SeedContactAsync("Jane", "Doe", "Acme");
        var activity = Activity("message-personal", "log call with Jane Doe: triple delivery check");

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => host.PostAsync(activity)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(await host.RepliesToAsync(activity["id"]!.GetValue<string>()));
        Assert.Equal(1, await host.WithStoreAsync(db => db.Activities.CountAsync(a => a.Notes == "triple delivery check")));
    }

    [Fact]
    public async Task ExpectReplies_TheEnginesRepliesComeBackInTheBody()
    {
        var activity = Activity("message-personal", "help");
        activity["deliveryMode"] = "expectReplies";

        var response = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var replies = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["activities"]!.AsArray();
        var card = replies.Select(r => r!["attachments"]?[0]?["content"] as JsonObject).Single(c => c is not null);
        AssertValidCard(card);
        Assert.DoesNotContain(host.Connector.Requests, r => r.ActivityId == activity["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Install_WelcomeCardPosted_ReferenceAndMemberStored()
    {
        var activity = Activity("conversation-update-installed");
        activity["membersAdded"]![1]!["id"] = _user;

        var response = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var calls = await host.Connector.WaitForAsync(r => r.Any(x => x.ConversationId == _conversation));
        var welcome = Assert.Single(calls, x => x.ConversationId == _conversation);
        AssertValidCard(welcome.Card);
        var me = await MeAsync();
        Assert.Equal(("Megan Bowen", "America/Los_Angeles", "451759a8-7d0f-44e7-8ca7-378fc3a9837c"), (me.DisplayName, me.TimeZone, me.TenantId));
        var reference = await host.WithStoreAsync(db => db.ConversationAddresses.SingleAsync(r => r.ConversationId == _conversation));
        Assert.Equal((me.Id, host.Connector.ServiceUrl, TeamsHost.BotId), (reference.MemberId!.Value, reference.ServiceUrl!, reference.BotId!));
    }

    [Fact]
    public async Task DealCardsHistoryButton_ShowsTheChangesMadeInTeams_WithWhoMadeThem()
    {
        await SeedContactAsync("Hal", "Story", "Storyco");
        foreach (var text in new[] { "new deal Storyco rollout 10k for Hal Story", "move Storyco rollout to qualified" })
        {
            var activity = Activity("message-personal", text);
            Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(activity)).StatusCode);
            await host.RepliesToAsync(activity["id"]!.GetValue<string>());
        }
        var dealCard = (await SayAsync("deal Storyco rollout")).Card;

        // Action.Submit: Teams sends the button's data as the message value.
        var submit = Activity("card-submit");
        submit["value"] = Actions(dealCard).Single(a => a["title"]?.GetValue<string>() == "History")["data"]!.DeepClone();
        var response = await host.PostAsync(submit);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var history = Assert.Single(await host.RepliesToAsync(submit["id"]!.GetValue<string>())).Card;
        AssertValidCard(history);
        var me = await MeAsync();
        var json = history!.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        Assert.Contains("History: Storyco rollout", json);
        Assert.Contains($"{me.DisplayName}: stage: Lead → Qualified", json);
        Assert.Contains($"{me.DisplayName}: created: Storyco rollout, 10000 USD, Lead", json);
        var key = (await host.WithStoreAsync(db => db.Deals.SingleAsync(d => d.Name == "Storyco rollout"))).Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var entries = await host.WithStoreAsync(db => db.AuditEntries.Where(e => e.EntityType == nameof(Deal) && e.EntityId == key).ToListAsync());
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal((me.Id, "msteams"), (e.MemberId!.Value, e.Channel)));
    }
}
