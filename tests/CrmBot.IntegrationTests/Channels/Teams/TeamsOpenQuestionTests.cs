using System.Net;
using System.Text.Json.Nodes;
using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>
/// The prompt traps a new user hit, through POST /api/messages and the fake Connector: an open question never
/// swallows the next command. Each test is its own user in its own 1:1 chat, so they share the app.
/// </summary>
public class TeamsOpenQuestionTests(EngineHost host) : IClassFixture<EngineHost>
{
    private readonly string _user = "29:" + Guid.NewGuid().ToString("N");
    private readonly string _conversation = "a:" + Guid.NewGuid().ToString("N");
    // Names of their own, so the tests sharing the app's store never see each other's contacts and deals.
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    /// <summary>Every reply the turn posts, in order (<paramref name="count"/> of them).</summary>
    private async Task<string> SayAsync(string text, int count = 1)
    {
        var activity = host.Sample("message-personal");
        activity["from"]!["id"] = _user;
        activity["conversation"]!["id"] = _conversation;
        activity["text"] = text;
        var response = await host.PostAsync(activity);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var replies = await host.RepliesToAsync(activity["id"]!.GetValue<string>(), count);
        return string.Join(" | ", replies.Select(r => r.Body?["text"]?.GetValue<string>() + " " + r.Card?.ToJsonString()));
    }

    private Task<int> ContactAsync(string first, string last) => host.WithStoreAsync(async db =>
    {
        var contact = db.Contacts.Add(new Contact { FirstName = first, LastName = last }).Entity;
        await db.SaveChangesAsync();
        return contact.Id;
    });

    private Task<List<Activity>> ActivitiesAsync(params int[] contactIds) =>
        host.WithStoreAsync(db => db.Activities.Where(a => contactIds.Contains(a.ContactId)).ToListAsync());

    [Fact]
    public async Task ALogCommand_WhileNotesAreAsked_LogsTheNewActivity_NotTheOldOneWithTheCommandAsNotes()
    {
        var jane = await ContactAsync("Jane", "Doe" + _tag);
        var jurgen = await ContactAsync("Jürgen", "Müller" + _tag);

        Assert.Contains("Any notes?", await SayAsync($"log call with jane doe{_tag}"));
        var replies = await SayAsync($"log meeting with Jürgen Müller{_tag}: demo", count: 2);

        Assert.Contains($"Left the question about the notes for the call with Jane Doe{_tag}", replies);
        var logged = Assert.Single(await ActivitiesAsync(jane, jurgen));
        Assert.Equal((jurgen, ActivityType.Meeting, "demo"), (logged.ContactId, logged.Type, logged.Notes));
    }

    [Fact]
    public async Task WhoIsAnUnknownName_ThenFollowUps_ListsTheFollowUps()
    {
        var unknown = await SayAsync($"who is Bob Nobody{_tag}");
        Assert.Contains("couldn't find a contact", unknown);

        var list = await SayAsync("follow-ups");

        Assert.DoesNotContain("couldn't find", list);
        Assert.Contains("AdaptiveCard", list);
        Assert.Equal(0, await host.WithStoreAsync(db => db.DialogStates.CountAsync(d => d.ConversationId == _conversation)));
    }

    [Fact]
    public async Task AQuestionInAnotherLanguage_IsNoContactSearch_ThenFollowUpsListsThem()
    {
        Assert.Contains("didn't understand", await SayAsync("¿qué tal?"));

        var list = await SayAsync("follow-ups");

        Assert.DoesNotContain("couldn't find", list);
        Assert.Contains("AdaptiveCard", list);
        Assert.Equal(0, await host.WithStoreAsync(db => db.DialogStates.CountAsync(d => d.ConversationId == _conversation)));
    }

    [Fact]
    public async Task AMoveCommand_WhileTheCloseReasonIsAsked_IsNotTheReason()
    {
        var name = $"Line upgrade {_tag}";
        await host.WithStoreAsync(async db =>
        {
            db.Deals.Add(new Deal { Name = name, SearchName = TextFold.Fold(name), Stage = "Negotiation", Currency = "EUR" });
            return await db.SaveChangesAsync();
        });

        Assert.Contains("Why is", await SayAsync($"move {name} to won"));
        var replies = await SayAsync($"move {name} to closed won", count: 2);

        Assert.Contains("Left the question about the reason", replies);
        var deal = await host.WithStoreAsync(db => db.Deals.SingleAsync(d => d.Name == name));
        Assert.Equal(("Negotiation", (string?)null), (deal.Stage, deal.CloseReason));
    }
}
