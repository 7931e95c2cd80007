using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Surveys;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Surveys;
using CrmBot.Proactive;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Tests.Conversations;

/// <summary>
/// Every kind of change a member makes in chat leaves an audit entry naming that member (id and display name)
/// and the channel it came from, through IBot.OnTurnAsync as Teams and Slack drive it. A button is recorded
/// against the member who pressed it, not the one the card was sent to. Survey answers are never audited.
/// </summary>
public sealed class AuditTrailTests : IDisposable
{
    private static readonly ChatUser Rita = new("slack", "T1", "U-rita", "Rita Rep", "UTC");
    private static readonly ChatUser Tom = new("msteams", "tenant-1", "29:tom", "Tom Teams", "UTC");
    private static readonly ChatUser Ada = new("slack", "T1", "U-ada", "Ada Admin", "UTC");
    private static readonly ChatUser Tess = new("msteams", "tenant-1", "29:tess", "Tess Admin", "UTC");

    private readonly ConversationHost _host = new(services =>
    {
        services.AddProactiveMessages(new ConfigurationBuilder().Build());
        services.AddSurveyChat();
        services.Configure<CrmOptions>(o => { o.Admins.Add("U-ada"); o.Admins.Add("29:tess"); });
        services.Configure<FeedbackOptions>(o => o.ParticipationKey = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray()));
    });

    public void Dispose() => _host.Dispose();

    private Task<IReadOnlyList<Reply>> As(ChatUser user, string text)
    {
        Be(user);
        return _host.SayAsync(text);
    }

    private Task<IReadOnlyList<Reply>> Click(ChatUser user, JsonObject data)
    {
        Be(user);
        return _host.ClickAsync(data);
    }

    private Task<IReadOnlyList<Reply>> Click(ChatUser user, CardReply card, string title, JsonObject? inputs = null)
    {
        Be(user);
        return _host.ClickAsync(card, title, inputs: inputs);
    }

    private void Be(ChatUser user)
    {
        _host.Rep = user;
        _host.ConversationId = "D-" + user.UserId;
    }

    private Task<Member> MemberAsync(ChatUser user) =>
        _host.WithDbAsync(db => db.Members.AsNoTracking().SingleAsync(m => m.Channel == user.Channel && m.UserId == user.UserId));

    /// <summary>The entry for this change names the member who made it and the channel it came from.</summary>
    private async Task AssertAuditedAsync(ChatUser by, string entityType, int entityId, string action)
    {
        var member = await MemberAsync(by);
        var key = entityId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var entries = await _host.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .Where(e => e.EntityType == entityType && e.EntityId == key && e.Action == action).ToListAsync());
        Assert.True(entries.Count > 0, $"no \"{action}\" entry for {entityType} #{entityId}");
        Assert.All(entries, e => Assert.Equal((member.Id, member.DisplayName, by.Channel), (e.MemberId!.Value, e.Actor, e.Channel)));
    }

    private async Task<Contact> BobAsync() => await _host.WithDbAsync(db => db.Contacts.AsNoTracking().SingleAsync(c => c.FirstName == "Bob"));

    [Fact]
    public async Task ContactAndDeal_CreatedAndMoved_ByTypingAndByTheDealCard_AreAuditedWithMemberAndChannel()
    {
        await As(Tom, "add contact Bob Smith, bob@acme.example at Acme");
        var bob = await BobAsync();
        await As(Tom, "new deal Acme expansion 25k for Bob Smith");
        var deal = await _host.WithDbAsync(db => db.Deals.AsNoTracking().SingleAsync());
        await As(Tom, "move Acme expansion to qualified");
        var card = (await As(Tom, "deal Acme expansion")).Card(CardNames.Deal);
        await Click(Tom, card, "Change stage", new JsonObject { ["stage"] = "Meeting Scheduled" });

        await AssertAuditedAsync(Tom, nameof(Member), (await MemberAsync(Tom)).Id, "created");
        await AssertAuditedAsync(Tom, nameof(Contact), bob.Id, "created");
        await AssertAuditedAsync(Tom, nameof(Company), bob.CompanyId!.Value, "created");
        await AssertAuditedAsync(Tom, nameof(Deal), deal.Id, "created");
        await AssertAuditedAsync(Tom, nameof(Deal), deal.Id, "stage");
        Assert.Equal(2, await _host.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.EntityType == nameof(Deal) && e.Action == "stage")));
        Assert.Equal("Meeting Scheduled", (await _host.WithDbAsync(db => db.Deals.SingleAsync())).Stage);
    }

    [Fact]
    public async Task ActivityLoggedAndUndone_FollowUpAddedDoneAndSnoozed_AreAuditedWithMemberAndChannel()
    {
        await _host.ContactAsync("Bob", "Smith", "Acme");
        var bob = await BobAsync();
        await As(Rita, "log call with Bob Smith: pricing, follow up tomorrow: send the deck");
        var activity = await _host.WithDbAsync(db => db.Activities.AsNoTracking().SingleAsync());
        var fromLog = await _host.WithDbAsync(db => db.FollowUps.AsNoTracking().SingleAsync());
        await AssertAuditedAsync(Rita, nameof(Activity), activity.Id, "created");
        await AssertAuditedAsync(Rita, nameof(FollowUp), fromLog.Id, "created");
        await As(Rita, "undo");
        await AssertAuditedAsync(Rita, nameof(Activity), activity.Id, "undone");
        await AssertAuditedAsync(Rita, nameof(FollowUp), fromLog.Id, "undone");

        await As(Rita, "follow up with Bob Smith Friday: send contract");
        var followUp = await _host.WithDbAsync(db => db.FollowUps.AsNoTracking().SingleAsync());
        await AssertAuditedAsync(Rita, nameof(FollowUp), followUp.Id, "created");
        await Click(Rita, new JsonObject { ["verb"] = "followup.snooze", ["id"] = followUp.Id, ["days"] = 7 });
        await AssertAuditedAsync(Rita, nameof(FollowUp), followUp.Id, "snoozed");
        await Click(Rita, new JsonObject { ["verb"] = "followup.done", ["id"] = followUp.Id });
        await AssertAuditedAsync(Rita, nameof(FollowUp), followUp.Id, "completed");
        Assert.Equal(bob.Id, followUp.ContactId);
    }

    [Fact]
    public async Task AButtonPressedBySomeoneElse_IsRecordedAgainstThePresser_NotTheCardsRecipient()
    {
        await _host.ContactAsync("Bob", "Smith", "Acme");
        await As(Tom, "new deal Acme expansion 25k for Bob Smith");
        await As(Tom, "log call with Bob Smith: pricing, follow up tomorrow: send the deck");
        var tomsCard = (await As(Tom, "deal Acme expansion")).Card(CardNames.Deal);
        var deal = await _host.WithDbAsync(db => db.Deals.AsNoTracking().SingleAsync());
        var followUp = await _host.WithDbAsync(db => db.FollowUps.AsNoTracking().SingleAsync());

        // Tom's card, pressed in the same Teams conversation by Tess (an admin may change anyone's records).
        _host.Rep = Tess;
        await _host.ClickAsync(tomsCard, "Change stage", inputs: new JsonObject { ["stage"] = "Qualified" });
        await _host.ClickAsync(new JsonObject { ["verb"] = "followup.done", ["id"] = followUp.Id });

        await AssertAuditedAsync(Tess, nameof(Deal), deal.Id, "stage");
        await AssertAuditedAsync(Tess, nameof(FollowUp), followUp.Id, "completed");
        var change = await _host.WithDbAsync(db => db.DealStageChanges.AsNoTracking().SingleAsync(c => c.FromStage != null));
        Assert.Equal((await MemberAsync(Tess)).Id, change.ChangedById);
    }

    [Fact]
    public async Task MemberSettingsAndRoles_AreAuditedWithMemberAndChannel()
    {
        await As(Rita, "digest at 08:30");
        await As(Rita, "notify instant");
        Be(Rita with { TimeZone = "Europe/Berlin" });
        await _host.SayAsync("my deals");
        var rita = await MemberAsync(Rita);
        await AssertAuditedAsync(Rita, nameof(Member), rita.Id, "digest");
        await AssertAuditedAsync(Rita, nameof(Member), rita.Id, "updated");
        Assert.Equal("Europe/Berlin", rita.TimeZone);

        await As(Tom, "hello");
        await As(Ada, "promote Rita Rep to manager");
        await As(Ada, "assign Tom Teams to Rita Rep");
        await AssertAuditedAsync(Ada, nameof(Member), rita.Id, "role");
        await AssertAuditedAsync(Ada, nameof(Member), (await MemberAsync(Tom)).Id, "manager");
    }

    [Fact]
    public async Task SurveyChanges_AreAudited_ButAnAnswerNeverIs()
    {
        var replies = await Click(Ada, new JsonObject
        {
            ["verb"] = SurveyFeature.CreateVerb, ["conversationId"] = "D-U-ada", ["conversationChannel"] = "slack", ["inChannel"] = false,
            ["title"] = "Pulse", ["q1"] = "Ease of use", ["q1Type"] = "rating", ["closesOn"] = "2026-12-04", ["minResponses"] = "3",
        });
        Assert.Contains("is sent to", replies.Text());
        var survey = await _host.WithDbAsync(db => db.Surveys.AsNoTracking().SingleAsync());
        await AssertAuditedAsync(Ada, nameof(Survey), survey.Id, "created");

        await As(Rita, "hello");
        var before = await _host.WithDbAsync(db => db.AuditEntries.CountAsync());
        var thanks = await Click(Rita, new JsonObject { ["verb"] = SurveyFeature.AnswerVerb, ["surveyId"] = survey.Id, ["a1"] = "4" });
        thanks.Card(CardNames.SurveyThanks);

        Assert.Equal(before, await _host.WithDbAsync(db => db.AuditEntries.CountAsync()));
        Assert.Equal(1, await _host.WithDbAsync(db => db.SealedResponses.CountAsync()));
    }
}
