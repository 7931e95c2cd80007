using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Dialogs;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;

namespace CrmBot.Conversations.Engine;

/// <summary>
/// Everything a feature or dialog step needs for one turn: who asked (the CRM member), their
/// "today", the replies collected so far, and the flow of this conversation.
/// </summary>
public sealed class TurnContext
{
    private readonly List<Reply> _replies = [];
    private readonly CardTemplates _cards;
    private readonly DialogFlows _flows;

    internal TurnContext(Turn turn, Member member, TimeProvider clock, CardTemplates cards, DialogFlows flows)
    {
        Turn = turn;
        Member = member;
        _cards = cards;
        _flows = flows;
        TimeZone = MemberTime.Zone(member.TimeZone);
        Now = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), TimeZone);
        Today = DateOnly.FromDateTime(Now.DateTime);
    }

    public Turn Turn { get; }

    /// <summary>The CRM member behind <see cref="Turn.From"/> (resolved, created on first sight).</summary>
    public Member Member { get; }

    /// <summary>The channel this turn came through (the member may be keyed by another: <see cref="Turn.Via"/>).</summary>
    public string Channel => Turn.Via ?? Turn.From.Channel;

    /// <summary>Who makes the changes of this turn (for the CRM services and the audit trail).</summary>
    public Actor Actor => MemberService.ActorFor(Member, Channel);

    public bool IsAdmin => Member.Role == MemberRole.Admin;

    /// <summary>The member's time zone (UTC when theirs is unknown).</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>Now, in the member's zone.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>Today, in the member's zone: what "tomorrow" and "due today" are read against.</summary>
    public DateOnly Today { get; }

    public IReadOnlyList<Reply> Replies => _replies;

    public void Reply(Reply reply) => _replies.Add(reply);

    public void ReplyText(string text) => _replies.Add(new TextReply(text));

    /// <summary>Binds <paramref name="data"/> to the card template <paramref name="cardName"/> (see <see cref="CardNames"/>) and replies with it.</summary>
    public void ReplyCard(string cardName, object data, string fallbackText, bool replacesSource = false) =>
        _replies.Add(new CardReply(cardName, _cards.Bind(cardName, data), fallbackText, replacesSource));

    /// <summary>The name of the flow running in this conversation, if any.</summary>
    public string? ActiveDialog => _flows.ActiveName;

    /// <summary>Starts a flow (replacing any running one) and runs its first steps now.</summary>
    public Task BeginDialogAsync<TDialog>(object? options, CancellationToken cancellationToken) where TDialog : Dialog =>
        _flows.BeginAsync(this, typeof(TDialog), options, cancellationToken);

    /// <summary>Ends the running flow, if any.</summary>
    public void EndDialog() => _flows.End();

    internal void SendPrompt(Prompt prompt, string flow)
    {
        if (prompt.Card is { } card)
        {
            var data = card.Data.DeepClone().AsObject();
            data["flow"] = flow;
            ReplyCard(card.CardName, data, Prompts.Render(prompt));
        }
        else
        {
            ReplyText(Prompts.Render(prompt));
        }
    }
}

/// <summary>Time zones by IANA (or Windows) id; an unknown id reads as UTC rather than failing a turn.</summary>
public static class MemberTime
{
    public static TimeZoneInfo Zone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return TimeZoneInfo.Utc;
        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
    }

    public static DateOnly Today(TimeProvider clock, string? zoneId) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Zone(zoneId)).DateTime);
}
