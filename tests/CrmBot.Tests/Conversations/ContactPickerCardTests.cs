using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Conversations.Cards;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Conversations;

/// <summary>
/// The contact picker puts what tells the candidates apart (full name, company) in the card's body,
/// where it wraps; Teams cuts button titles, so the buttons only say "Choose".
/// </summary>
public class ContactPickerCardTests
{
    private static readonly (string First, string Last, string Company)[] FiveJanes =
    [
        ("Jane", "Montgomery-Whitfield", "Internationale Maschinenbau und Anlagentechnik GmbH"),
        ("Jane", "Featherstonehaugh", "Consolidated Northern Logistics & Warehousing Ltd"),
        ("Jane", "Van der Westhuizen", "Southern Hemisphere Agricultural Cooperative"),
        ("Jane", "Oyelaran-Balogun", "West African Renewable Energy Partners PLC"),
        ("Jane", "Castellanos Villanueva", "Iberian Hospitality and Leisure Holdings SA"),
    ];

    private static List<string> BodyTexts(JsonNode? node) => node switch
    {
        JsonObject o when o["type"]?.GetValue<string>() == "TextBlock" => [o["text"]!.GetValue<string>()],
        JsonObject o => o.Where(p => p.Key != "actions").SelectMany(p => BodyTexts(p.Value)).ToList(),
        JsonArray a => a.SelectMany(BodyTexts).ToList(),
        _ => [],
    };

    private static async Task<(ConversationHost Host, CardReply Picker, List<int> Ids)> FiveCandidatesAsync()
    {
        var host = new ConversationHost();
        var ids = new List<int>();
        foreach (var (first, last, company) in FiveJanes) ids.Add((await host.ContactAsync(first, last, company)).Id);
        var picker = (await host.SayAsync("log call with Jane: renewal pricing")).Card(CardNames.ContactPicker);
        return (host, picker, ids);
    }

    [Fact]
    public async Task FiveCandidates_EachFullNameAndCompanyIsInTheBody_UncutAndWrapping_ButtonsShort()
    {
        var (host, picker, _) = await FiveCandidatesAsync();
        using var _h = host;

        var texts = BodyTexts(picker.Card["body"]);
        foreach (var (first, last, company) in FiveJanes)
        {
            Assert.Contains(texts, t => t.EndsWith($"{first} {last}", StringComparison.Ordinal));
            Assert.Contains(company, texts);
        }
        Assert.DoesNotContain(picker.Card.ToJsonString(), "\"wrap\":false");
        var titles = ConversationHost.Actions(picker.Card).Select(a => a["title"]!.GetValue<string>()).ToList();
        Assert.Equal(5, titles.Count);
        Assert.All(titles, t => Assert.True(t.Length <= 12, $"button title \"{t}\" is long enough for Teams to cut"));
    }

    [Fact]
    public async Task FiveCandidates_TheThirdRowsButton_PicksTheThirdPerson()
    {
        var (host, picker, _) = await FiveCandidatesAsync();
        using var _h = host;
        var third = BodyTexts(picker.Card["body"]).Single(t => t.StartsWith("3. ", StringComparison.Ordinal))[3..];

        var replies = await host.ClickAsync(picker, "Choose", nth: 2);

        replies.Card(CardNames.ActivityLogged);
        var activity = await host.WithDbAsync(db => db.Activities.Include(a => a.Contact).SingleAsync());
        Assert.Equal(third, activity.Contact!.FullName);
    }

    [Fact]
    public async Task FiveCandidates_TypingANumber_StillAnswers()
    {
        var (host, picker, _) = await FiveCandidatesAsync();
        using var _h = host;
        var fifth = BodyTexts(picker.Card["body"]).Single(t => t.StartsWith("5. ", StringComparison.Ordinal))[3..];

        await host.SayAsync("5");

        var activity = await host.WithDbAsync(db => db.Activities.Include(a => a.Contact).SingleAsync());
        Assert.Equal(fifth, activity.Contact!.FullName);
    }
}
