using System.Net;
using System.Text.Json.Nodes;
using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using CrmBot.Fakes.Teams;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>
/// A deal's history through POST /api/messages: changes made in Teams are audited as Teams changes by the member who
/// made them, and the deal card's History button answers with the latest of them, through the fake Connector.
/// </summary>
public class TeamsHistoryTests(EngineHost host) : IClassFixture<EngineHost>
{
    private readonly string _user = "29:" + Guid.NewGuid().ToString("N");
    private readonly string _conversation = "a:" + Guid.NewGuid().ToString("N");

    private JsonObject Activity(string sample)
    {
        var activity = host.Sample(sample);
        activity["from"]!["id"] = _user;
        activity["conversation"]!["id"] = _conversation;
        return activity;
    }

    /// <summary>The turn's replies (a new member's first one is greeted before the answer).</summary>
    private async Task<IReadOnlyList<ConnectorRequest>> PostAsync(JsonObject activity)
    {
        var response = await host.PostAsync(activity);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await host.RepliesToAsync(activity["id"]!.GetValue<string>());
    }

    private Task<IReadOnlyList<ConnectorRequest>> SayAsync(string text)
    {
        var activity = Activity("message-personal");
        activity["text"] = text;
        return PostAsync(activity);
    }

    [Fact]
    public async Task DealCardsHistoryButton_ShowsTheChangesMadeInTeams_WithWhoMadeThem()
    {
        await host.WithStoreAsync(db =>
        {
            db.Contacts.Add(new Contact { FirstName = "Hal", LastName = "Story", Company = new Company { Name = "Storyco", NormalizedName = CompanyNames.Key("Storyco") } });
            return db.SaveChangesAsync();
        });
        await SayAsync("new deal Storyco rollout 10k for Hal Story");
        await SayAsync("move Storyco rollout to qualified");
        var dealCard = Assert.Single(await SayAsync("deal Storyco rollout")).Card;
        var history = ConversationActions(dealCard).Single(a => a["title"]?.GetValue<string>() == "History");

        var submit = Activity("card-submit");
        submit["value"] = history["data"]!.DeepClone();
        var reply = Assert.Single(await PostAsync(submit)).Card!;

        var me = await host.WithStoreAsync(db => db.Members.SingleAsync(m => m.UserId == _user));
        var json = reply.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        Assert.Contains("History: Storyco rollout", json);
        Assert.Contains($"{me.DisplayName}: stage: Lead → Qualified", json);
        Assert.Contains($"{me.DisplayName}: created: Storyco rollout, 10000 USD, Lead", json);
        var deal = await host.WithStoreAsync(db => db.Deals.SingleAsync(d => d.Name == "Storyco rollout"));
        var key = deal.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var entries = await host.WithStoreAsync(db => db.AuditEntries.Where(e => e.EntityType == nameof(Deal) && e.EntityId == key).ToListAsync());
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal((me.Id, "msteams"), (e.MemberId!.Value, e.Channel)));
    }

    private static IEnumerable<JsonObject> ConversationActions(JsonNode? node) => node switch
    {
        JsonObject o when o["type"]?.GetValue<string>() is "Action.Submit" => [o],
        JsonObject o => o.SelectMany(p => ConversationActions(p.Value)),
        JsonArray a => a.SelectMany(ConversationActions),
        _ => [],
    };
}
