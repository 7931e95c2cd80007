using System.Text;
using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Conversations.Cards;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Proactive;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmBot.Tests.Conversations;

/// <summary>
/// The follow-ups card as a rep reads it: long lists page instead of outgrowing Teams' 28 KB, and
/// "tomorrow", "this week", "next week", "follow-ups for Friday" list those days. The host's clock
/// is Wednesday 25 November 2026; weeks run Monday to Sunday.
/// </summary>
public class FollowUpViewsTests
{
    private const int TeamsCardLimit = 28 * 1024;

    private static async Task<FollowUp> AddAsync(ConversationHost host, string title, DateOnly due, FollowUpStatus status = FollowUpStatus.Open, int? contactId = null)
    {
        var me = await host.MeAsync();
        return await host.WithDbAsync(async db =>
        {
            var f = new FollowUp
            {
                Title = title, DueAt = LocalDay.EndUtc(due, TimeZoneInfo.Utc), Status = status, AssigneeId = me.Id,
                ContactId = contactId, CreatedAt = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc),
            };
            db.FollowUps.Add(f);
            await db.SaveChangesAsync();
            return f;
        });
    }

    /// <summary>The titles of the card's rows, in order.</summary>
    private static List<string> Titles(CardReply card) =>
        card.Card["body"]!.AsArray().OfType<JsonObject>()
            .Where(e => e["type"]!.GetValue<string>() == "Container")
            .Select(e => Texts(e).First(t => t.Bold).Text)
            .ToList();

    private static List<string?> Numbers(CardReply card) =>
        card.Card["body"]!.AsArray().OfType<JsonObject>()
            .Where(e => e["type"]!.GetValue<string>() == "Container")
            .Select(e => Texts(e).Select(t => t.Text).FirstOrDefault(t => t.EndsWith('.') && int.TryParse(t[..^1], out _)))
            .ToList();

    private static IEnumerable<(string Text, bool Bold)> Texts(JsonNode? node) => node switch
    {
        JsonObject o when o["type"]?.GetValue<string>() == "TextBlock" => [(o["text"]!.GetValue<string>(), o["weight"]?.GetValue<string>() == "Bolder")],
        JsonObject o => o.SelectMany(p => Texts(p.Value)),
        JsonArray a => a.SelectMany(Texts),
        _ => [],
    };

    private static string AllText(CardReply card) => string.Join("\n", Texts(card.Card["body"]).Select(t => t.Text));

    private static int Bytes(CardReply card) => Encoding.UTF8.GetByteCount(card.Card.ToJsonString());

    private static readonly DateOnly Today = new(2026, 11, 25);

    private static async Task<ConversationHost> FortyDueTodayAsync()
    {
        var host = new ConversationHost();
        var contact = await host.ContactAsync("Jürgen", "Müller-Lüdenscheidt", "Müller Maschinenbau und Anlagentechnik GmbH");
        for (var i = 1; i <= 40; i++)
            await AddAsync(host, $"Item {i:00}: send the revised proposal with the updated pricing tiers", Today, contactId: contact.Id);
        return host;
    }

    [Fact]
    public async Task FortyFollowUps_TheCardStaysUnderTeamsLimit_AndShowsTenMoreAtATime()
    {
        using var host = await FortyDueTodayAsync();

        var first = (await host.SayAsync("follow-ups")).Card(CardNames.FollowUps);

        Assert.True(Bytes(first) < TeamsCardLimit, $"{Bytes(first)} bytes");
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"Item {i:00}: send the revised proposal with the updated pricing tiers"), Titles(first));
        Assert.Contains("Showing 1–10 of 40", AllText(first));

        var second = (await host.ClickAsync(first, "Show 10 more")).Card(CardNames.FollowUps);
        Assert.True(second.ReplacesSource);
        Assert.True(Bytes(second) < TeamsCardLimit, $"{Bytes(second)} bytes");
        Assert.Equal(Enumerable.Range(11, 10).Select(i => $"{i}."), Numbers(second));
        Assert.StartsWith("Item 11:", Titles(second)[0]);

        var third = (await host.ClickAsync(second, "Show 10 more")).Card(CardNames.FollowUps);
        var fourth = (await host.ClickAsync(third, "Show 10 more")).Card(CardNames.FollowUps);
        Assert.Equal(Enumerable.Range(31, 10).Select(i => $"{i}."), Numbers(fourth));
        Assert.Contains("Showing 31–40 of 40", AllText(fourth));
        Assert.DoesNotContain(ConversationHost.Actions(fourth.Card), a => a["title"]!.GetValue<string>().StartsWith("Show", StringComparison.Ordinal));

        var back = (await host.ClickAsync(fourth, "Back to the start")).Card(CardNames.FollowUps);
        Assert.StartsWith("Item 01:", Titles(back)[0]);
    }

    [Fact]
    public async Task TheMorningDigest_WithFortyDue_SendsTheFirstPage_WhoseShowMoreTheEngineAnswers()
    {
        using var host = await FortyDueTodayAsync();
        var me = await host.MeAsync();
        var due = await host.WithDbAsync(db => new FollowUpService(db, host.Clock).DueAsync(me.Id, default));

        var digest = new ProactiveCards(new CardTemplates(), Options.Create(new CrmOptions())).Digest(me, due, []);

        var card = new CardReply(CardNames.FollowUps, Assert.Single(digest.Cards).Card, digest.Text);
        Assert.True(Bytes(card) < TeamsCardLimit, $"{Bytes(card)} bytes");
        Assert.Equal(10, Titles(card).Count);
        var next = (await host.ClickAsync(card, "Show 10 more")).Card(CardNames.FollowUps);
        Assert.Equal(Enumerable.Range(11, 10).Select(i => $"{i}."), Numbers(next));
    }

    [Fact]
    public async Task DoneOnTheSecondPage_UpdatesThatPage()
    {
        using var host = await FortyDueTodayAsync();
        var first = (await host.SayAsync("follow-ups")).Card(CardNames.FollowUps);
        var second = (await host.ClickAsync(first, "Show 10 more")).Card(CardNames.FollowUps);

        var after = (await host.ClickAsync(second, "Done", nth: 0)).Card(CardNames.FollowUps);

        Assert.True(after.ReplacesSource);
        Assert.Contains("✓ Done: Item 11:", AllText(after));
        Assert.Contains("Showing 11–20 of 39", AllText(after));
        Assert.StartsWith("Item 12:", Titles(after)[0]);
    }

    [Fact]
    public async Task DoneByNumber_ReadsTheWholeList_NotJustTheFirstPage()
    {
        using var host = await FortyDueTodayAsync();
        await host.SayAsync("follow-ups");

        var replies = await host.SayAsync("done 25");

        Assert.Contains("Done: Item 25:", replies.Text());
        Assert.Equal(FollowUpStatus.Done, await host.WithDbAsync(db => db.FollowUps.Where(f => f.Title.StartsWith("Item 25:")).Select(f => f.Status).SingleAsync()));
    }

    private static async Task<ConversationHost> AWeekOfFollowUpsAsync()
    {
        var host = new ConversationHost();
        await AddAsync(host, "Mon: chase the order form", new DateOnly(2026, 11, 23));          // overdue, this week
        await AddAsync(host, "Last Fri: old overdue", new DateOnly(2026, 11, 20));             // overdue, last week
        await AddAsync(host, "Wed: today's call", Today);
        await AddAsync(host, "Thu: send the contract", new DateOnly(2026, 11, 26));
        await AddAsync(host, "Fri: QBR deck", new DateOnly(2026, 11, 27));
        await AddAsync(host, "Fri: already done", new DateOnly(2026, 11, 27), FollowUpStatus.Done);
        await AddAsync(host, "Sun: weekend reading", new DateOnly(2026, 11, 29));
        await AddAsync(host, "Next Mon: kickoff", new DateOnly(2026, 11, 30));
        await AddAsync(host, "Next Thu: renewal review", new DateOnly(2026, 12, 3));
        await AddAsync(host, "Mon week after: audit", new DateOnly(2026, 12, 7));
        return host;
    }

    [Theory]
    [InlineData("tomorrow", "Follow-ups for tomorrow, Thu 26 Nov", "Thu: send the contract")]
    [InlineData("what's due tomorrow?", "Follow-ups for tomorrow, Thu 26 Nov", "Thu: send the contract")]
    [InlineData("this week", "Follow-ups this week, Mon 23 Nov – Sun 29 Nov",
        "Mon: chase the order form|Wed: today's call|Thu: send the contract|Fri: QBR deck|Sun: weekend reading")]
    [InlineData("next week", "Follow-ups next week, Mon 30 Nov – Sun 6 Dec", "Next Mon: kickoff|Next Thu: renewal review")]
    [InlineData("follow-ups next week", "Follow-ups next week, Mon 30 Nov – Sun 6 Dec", "Next Mon: kickoff|Next Thu: renewal review")]
    [InlineData("follow-ups for Friday", "Follow-ups for Fri 27 Nov", "Fri: QBR deck")]
    [InlineData("tasks due Dec 7", "Follow-ups for Mon 7 Dec", "Mon week after: audit")]
    public async Task ARangeOfDays_ListsExactlyTheOpenFollowUpsDueThen(string said, string heading, string titles)
    {
        using var host = await AWeekOfFollowUpsAsync();

        var card = (await host.SayAsync(said)).Card(CardNames.FollowUps);

        Assert.Equal(heading, Texts(card.Card["body"]).Select(t => t.Text).First(t => t.StartsWith("Follow-ups", StringComparison.Ordinal)));
        Assert.Equal(titles.Split('|'), Titles(card));
        // "done 2" reads today's list, so a range's rows carry no numbers.
        Assert.All(Numbers(card), Assert.Null);
        Assert.Contains(titles.Split('|')[0], card.FallbackText);
        // A list with items never also says it is empty.
        Assert.DoesNotContain("Nothing due", AllText(card));
        Assert.DoesNotContain("Nothing due", card.FallbackText);
    }

    [Fact]
    public async Task ThisWeek_MarksTheOverdueOnes_AndOnlyDueOnesCanBeSnoozed()
    {
        using var host = await AWeekOfFollowUpsAsync();

        var card = (await host.SayAsync("this week")).Card(CardNames.FollowUps);

        var text = AllText(card);
        Assert.Contains("OVERDUE · was due Mon 23 Nov", text);
        Assert.Contains("Due today", text);
        Assert.Contains("Due Fri 27 Nov", text);
        // Snoozing counts from today: on an item not yet due it would pull it earlier.
        Assert.Equal(2, ConversationHost.Actions(card.Card).Count(a => a["title"]!.GetValue<string>() == "Snooze 1 day"));
    }

    [Fact]
    public async Task DoneOnARangeList_KeepsShowingThatRange()
    {
        using var host = await AWeekOfFollowUpsAsync();
        var card = (await host.SayAsync("next week")).Card(CardNames.FollowUps);

        var after = (await host.ClickAsync(card, "Done", nth: 0)).Card(CardNames.FollowUps);

        Assert.True(after.ReplacesSource);
        Assert.Contains("✓ Done: Next Mon: kickoff", AllText(after));
        Assert.Equal(["Next Thu: renewal review"], Titles(after));
    }

    [Theory]
    [InlineData("next week", "Nothing due next week, Mon 30 Nov – Sun 6 Dec.")]
    [InlineData("follow-ups", "Nothing due today, and nothing coming up. Nice!")]
    public async Task NothingDue_SaysSo(string said, string answer)
    {
        using var host = new ConversationHost();

        var card = (await host.SayAsync(said)).Card(CardNames.FollowUps);

        Assert.Empty(Titles(card));
        Assert.Contains(answer, AllText(card));
    }

    [Fact]
    public async Task NothingDueToday_SaysSo_AndShowsTheNextFewComingUp()
    {
        using var host = new ConversationHost();
        await AddAsync(host, "Next Thu: renewal review", new DateOnly(2026, 12, 3));
        await AddAsync(host, "Thu: send the contract", new DateOnly(2026, 11, 26));
        await AddAsync(host, "Fri: already done", new DateOnly(2026, 11, 27), FollowUpStatus.Done);
        await AddAsync(host, "Fri: QBR deck", new DateOnly(2026, 11, 27));
        await AddAsync(host, "Next Mon: kickoff", new DateOnly(2026, 11, 30));

        var card = (await host.SayAsync("follow-ups")).Card(CardNames.FollowUps);

        Assert.Contains("Nothing due today. Nice! Coming up next:", AllText(card));
        Assert.Equal(["Thu: send the contract", "Fri: QBR deck", "Next Mon: kickoff"], Titles(card));
        Assert.Contains("Due Thu 26 Nov", AllText(card));
        Assert.Contains("Thu: send the contract", card.FallbackText);
    }

    [Fact]
    public async Task FollowUpTomorrow_Singular_StillAddsAFollowUp()
    {
        using var host = new ConversationHost();

        var replies = await host.SayAsync("follow up tomorrow");

        Assert.DoesNotContain(replies.OfType<CardReply>(), c => c.CardName == CardNames.FollowUps);
    }

    [Fact]
    public async Task AStaleOrForgedPagingButton_ShowsAPageThatExists()
    {
        using var host = await FortyDueTodayAsync();

        var card = (await host.ClickAsync(new JsonObject { ["verb"] = "followups.show", ["skip"] = 500, ["from"] = "someday", ["to"] = 7 })).Card(CardNames.FollowUps);

        Assert.Contains("Showing 31–40 of 40", AllText(card));
    }
}
