using CrmBot.Conversations.Cards;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Surveys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrmBot.Conversations.Surveys;

/// <summary>
/// Sends surveys and their one reminder through the outbox, so a survey that was created is sent
/// (the messages commit with it) and a retry never sends twice (one dedupe key per recipient).
/// </summary>
public sealed class SurveyDelivery(
    CrmDbContext db,
    SurveyService surveys,
    ParticipationKeys keys,
    CardTemplates cards,
    TimeProvider clock,
    IOptions<FeedbackOptions> options,
    ILogger<SurveyDelivery> logger)
{
    public const string SurveyKind = "survey";
    public const string ReminderKind = OutboxKinds.SurveyReminder;

    /// <summary>Channels the outbox can deliver to; a terminal member answers with `feedback` instead.</summary>

    /// <summary>Adds the invitations for a new survey to the context; they commit with the survey.</summary>
    /// <returns>How many messages: one per member, or one for the channel.</returns>
    public async Task<int> AddInvitationsAsync(Survey survey, CancellationToken ct)
    {
        var payload = Payload(survey, reminder: false);
        if (survey.Audience == SurveyAudience.Channel)
        {
            if (survey.AudienceChannel is not { } channel || !ChannelIds.ChatPlatforms.Contains(channel) || survey.AudienceConversationId is not { } target)
                return 0;
            ProactiveOutbox.Add(db, ProactiveAddress.ToConversation(channel, target), SurveyKind, payload, clock, $"survey:{survey.Id}:channel");
            return 1;
        }
        var members = await db.Members.AsNoTracking().Where(m => ChannelIds.ChatPlatforms.Contains(m.Channel)).OrderBy(m => m.Id).ToListAsync(ct);
        foreach (var member in members)
            ProactiveOutbox.Add(db, ProactiveAddress.DirectTo(member), SurveyKind, payload, clock, $"survey:{survey.Id}:{member.Id}");
        return members.Count;
    }

    /// <summary>
    /// Queues the one reminder of every open survey whose reminder day has come: a direct message
    /// to each member who has not answered (or one post in the survey's channel). Planned once:
    /// the survey remembers it in the same commit, claimed first, which settles a race between instances. Those rows
    /// say who had not answered, so their keys are keyed hashes and the dispatcher deletes each
    /// row once it is sent (<see cref="OutboxKinds.ForgottenOnceDone"/>).
    /// </summary>
    public async Task<int> PlanDueRemindersAsync(CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var reminderDay = today.AddDays(options.Value.ReminderDaysBefore);
        var due = await db.Surveys
            .Where(s => s.Status == SurveyStatus.Open && s.ReminderPlannedAt == null && s.ClosesOn >= today && s.ClosesOn <= reminderDay)
            .OrderBy(s => s.Id)
            .ToListAsync(ct);
        var total = 0;
        foreach (var survey in due)
        {
            // Claim the planning before adding rows, in the same commit: once sent, the rows are
            // deleted, so their dedupe keys can no longer stop a second instance planning again.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var plannedAt = clock.GetUtcNow().UtcDateTime;
            var claimed = await db.Surveys.Where(s => s.Id == survey.Id && s.ReminderPlannedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.ReminderPlannedAt, plannedAt), ct);
            if (claimed == 0)
                continue;   // another instance planned it first: theirs stands
            var payload = Payload(survey, reminder: true);
            var count = 0;
            if (survey.Audience == SurveyAudience.Channel)
            {
                if (survey.AudienceChannel is { } channel && ChannelIds.ChatPlatforms.Contains(channel) && survey.AudienceConversationId is { } target)
                {
                    ProactiveOutbox.Add(db, ProactiveAddress.ToConversation(channel, target), ReminderKind, payload, clock, $"survey-reminder:{survey.Id}:channel");
                    count = 1;
                }
            }
            else
            {
                foreach (var member in (await surveys.NotAnsweredAsync(survey, ct)).Where(m => ChannelIds.ChatPlatforms.Contains(m.Channel)))
                {
                    ProactiveOutbox.Add(db, ProactiveAddress.DirectTo(member), ReminderKind, payload, clock, keys.ReminderKey(survey.Id, member.Id));
                    count++;
                }
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            Log.RemindersQueued(logger, survey.Id, count);
            total += count;
        }
        return total;
    }

    private ProactivePayload Payload(Survey survey, bool reminder) =>
        new(SurveyCards.InviteText(survey, reminder),
            [new OutboxCard(CardNames.SurveyInvite, cards.Bind(CardNames.SurveyInvite, SurveyCards.Invite(survey, reminder)))]);
}
