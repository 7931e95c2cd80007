using System.Globalization;
using CrmBot.Conversations;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm.Text;

namespace CrmBot.Tests.Conversations.Recognition;

/// <summary>
/// What reps type → what the recognizer reads. Today is Wednesday 25 Nov 2026 in the rep's zone.
/// Every entity not listed in a row must be absent, so a row pins the whole reading.
/// Keys: type, contact, deal, notes, fu (wants a follow-up), date, title, stage, unknownStage,
/// reason, item, itemText, days, until. Names and notes compare folded (case, accents, punctuation).
/// </summary>
public class RecognizerTests
{
    private static readonly DateOnly Today = new(2026, 11, 25);

    public static TheoryData<string, Intent, string> Table => new()
    {
        // help
        { "help", Intent.Help, "" },
        { "Help!", Intent.Help, "" },
        { "HELP", Intent.Help, "" },
        { "hi", Intent.Help, "" },
        { "hello there", Intent.Help, "" },
        { "what can you do?", Intent.Help, "" },
        { "commands", Intent.Help, "" },
        { "help me", Intent.Help, "" },
        { "hlep", Intent.None, "" },
        // log activity: the one-message case and its variations
        { "log call with Jane Doe: discussed renewal pricing, follow up next Tuesday", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=discussed renewal pricing; fu=yes; date=2026-12-01" },
        { "Log call with Jane Doe: discussed renewal pricing, follow up next Tuesday.", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=discussed renewal pricing; fu=yes; date=2026-12-01" },
        { "LOG CALL WITH JANE DOE: DISCUSSED RENEWAL PRICING", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=discussed renewal pricing" },
        { "log a call w/ Jane Doe: pricing, f/u tmrw", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing; fu=yes; date=2026-11-26" },
        { "log call w/ jane: left voicemail", Intent.LogActivity, "type=Call; contact=jane; notes=left voicemail" },
        { "lgo call with Jane Doe: pricing", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing" },
        { "log cal with Jane Doe - pricing", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing" },
        { "log calll with Jane Doe - pricing", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing" },
        { "log mtg with Bob Smith: demo went well", Intent.LogActivity, "type=Meeting; contact=Bob Smith; notes=demo went well" },
        { "log meeting with Bob Smith - demo went well, f/u Fri: send proposal", Intent.LogActivity, "type=Meeting; contact=Bob Smith; notes=demo went well; fu=yes; date=2026-11-27; title=Send proposal" },
        { "log meetign w/ Bob Smith: demo", Intent.LogActivity, "type=Meeting; contact=Bob Smith; notes=demo" },
        { "log email to Ana Müller: sent the contract", Intent.LogActivity, "type=Email; contact=Ana Muller; notes=sent the contract" },
        { "log e-mail to Ana Müller: sent the contract", Intent.LogActivity, "type=Email; contact=Ana Muller; notes=sent the contract" },
        { "log note for Acme: prefers email over calls", Intent.LogActivity, "type=Note; contact=Acme; notes=prefers email over calls" },
        { "log note on Jane Doe; budget frozen until Q2", Intent.LogActivity, "type=Note; contact=Jane Doe; notes=budget frozen until Q2" },
        { "log phone call with Jane Doe: pricing", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing" },
        { "log call", Intent.LogActivity, "type=Call" },
        { "log", Intent.LogActivity, "" },
        { "log Jane Doe: discussed pricing", Intent.LogActivity, "contact=Jane Doe; notes=discussed pricing" },
        { "log with Jane Doe: discussed pricing", Intent.LogActivity, "contact=Jane Doe; notes=discussed pricing" },
        { "log call with Jane Doe", Intent.LogActivity, "type=Call; contact=Jane Doe" },
        { "log call with Jane Doe about renewal", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=renewal" },
        { "log call with Jane Doe re renewal", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=renewal" },
        { "log call with Jane Doe, renewal pricing", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=renewal pricing" },
        { "log call with Jane Doe follow up tomorrow", Intent.LogActivity, "type=Call; contact=Jane Doe; fu=yes; date=2026-11-26" },
        { "log call with Jane Doe: pricing. Follow-up in 3 days", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing; fu=yes; date=2026-11-28" },
        { "log call with Jane Doe: pricing, followup Dec 3 to send contract", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing; fu=yes; date=2026-12-03; title=Send contract" },
        { "log call with Jane Doe: pricing, follow up 3 Dec", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing; fu=yes; date=2026-12-03" },
        { "log call with Jane Doe: pricing, follow up 2026-12-03", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing; fu=yes; date=2026-12-03" },
        { "log call with Jane Doe: pricing, follow up end of week", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing; fu=yes; date=2026-11-27" },
        { "log call with Jane Doe: pricing, f/u EOW", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing; fu=yes; date=2026-11-27" },
        { "log call with Jane Doe: pricing, follow up end of month", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing; fu=yes; date=2026-11-30" },
        { "log call with Jane Doe: pricing, follow up next week", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing; fu=yes; date=2026-11-30" },
        { "log call with Jane Doe: pricing, follow up in 2 weeks", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing; fu=yes; date=2026-12-09" },
        { "log call with Jane Doe: pricing, follow up", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing; fu=yes" },
        { "log call with Jane Doe: pricing - next step: send quote by Friday", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing; fu=yes; date=2026-11-27; title=Send quote" },
        { "log call with Jane Doe: pricing, remind me Monday", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing; fu=yes; date=2026-11-30" },
        { "log call with Jane Doe: pricing, f/u with Jane next Tue", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing; fu=yes; date=2026-12-01" },
        { "log call with Jane Doe: pricing, and follow up tmrw", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing; fu=yes; date=2026-11-26" },
        { "please log a call with Jane Doe: pricing", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing" },
        { "add note for Jane Doe: likes golf", Intent.LogActivity, "type=Note; contact=Jane Doe; notes=likes golf" },
        { "add a note to Jane Doe: likes golf", Intent.LogActivity, "type=Note; contact=Jane Doe; notes=likes golf" },
        { "record a meeting with Bob Smith: kickoff", Intent.LogActivity, "type=Meeting; contact=Bob Smith; notes=kickoff" },
        { "call with Jane Doe: pricing", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing" },
        { "meeting with Bob Smith: kickoff done", Intent.LogActivity, "type=Meeting; contact=Bob Smith; notes=kickoff done" },
        { "mtg w/ Bob Smith: kickoff", Intent.LogActivity, "type=Meeting; contact=Bob Smith; notes=kickoff" },
        { "email to Ana Müller: sent deck", Intent.LogActivity, "type=Email; contact=Ana Muller; notes=sent deck" },
        { "note for Jane Doe: on leave until January", Intent.LogActivity, "type=Note; contact=Jane Doe; notes=on leave until January" },
        { "called Jane Doe about pricing", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing" },
        { "Called jane doe: pricing, f/u next Tue", Intent.LogActivity, "type=Call; contact=jane doe; notes=pricing; fu=yes; date=2026-12-01" },
        { "just called Jane Doe - no answer", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=no answer" },
        { "I called Jane Doe: pricing", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing" },
        { "phoned Bob Smith re contract", Intent.LogActivity, "type=Call; contact=Bob Smith; notes=contract" },
        { "spoke with Jane Doe: all good", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=all good" },
        { "talked to Jane Doe about budget", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=budget" },
        { "met with Bob Smith: demo done, follow up Dec 3", Intent.LogActivity, "type=Meeting; contact=Bob Smith; notes=demo done; fu=yes; date=2026-12-03" },
        { "met Bob Smith today: demo", Intent.LogActivity, "type=Meeting; contact=Bob Smith; notes=demo" },
        { "emailed Ana Müller: sent pricing sheet", Intent.LogActivity, "type=Email; contact=Ana Muller; notes=sent pricing sheet" },
        { "had a call with Jane Doe: pricing", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing" },
        { "had a meeting with Bob Smith - kickoff", Intent.LogActivity, "type=Meeting; contact=Bob Smith; notes=kickoff" },
        { "called Jane Doe yesterday: pricing", Intent.LogActivity, "type=Call; contact=Jane Doe; notes=pricing" },
        // follow-ups list
        { "follow-ups", Intent.FollowUps, "" },
        { "follow ups", Intent.FollowUps, "" },
        { "followups", Intent.FollowUps, "" },
        { "Follow-Ups?", Intent.FollowUps, "" },
        { "my follow-ups", Intent.FollowUps, "" },
        { "show my follow ups", Intent.FollowUps, "" },
        { "folow ups", Intent.FollowUps, "" },
        { "follwups", Intent.FollowUps, "" },
        { "f/u", Intent.FollowUps, "" },
        { "what's due today?", Intent.FollowUps, "" },
        { "whats due", Intent.FollowUps, "" },
        { "what is due today", Intent.FollowUps, "" },
        { "due today", Intent.FollowUps, "" },
        { "today", Intent.FollowUps, "" },
        { "my tasks", Intent.FollowUps, "" },
        { "todo", Intent.FollowUps, "" },
        { "to do", Intent.FollowUps, "" },
        { "overdue", Intent.FollowUps, "" },
        { "agenda", Intent.FollowUps, "" },
        // add a follow-up
        { "follow up with Jane Doe tomorrow", Intent.AddFollowUp, "contact=Jane Doe; fu=yes; date=2026-11-26" },
        { "f/u w/ Jane Doe on Friday: send contract", Intent.AddFollowUp, "contact=Jane Doe; fu=yes; date=2026-11-27; title=send contract" },
        { "follow up with Bob Smith Dec 3 about renewal", Intent.AddFollowUp, "contact=Bob Smith; fu=yes; date=2026-12-03; title=renewal" },
        { "remind me to call Jane Doe next week", Intent.AddFollowUp, "contact=Jane Doe; fu=yes; date=2026-11-30; title=Call Jane Doe" },
        { "add follow up for Jane Doe in 3 days", Intent.AddFollowUp, "contact=Jane Doe; fu=yes; date=2026-11-28" },
        { "create a follow-up with Ana Müller tmrw", Intent.AddFollowUp, "contact=Ana Muller; fu=yes; date=2026-11-26" },
        { "follow up with Jane Doe", Intent.AddFollowUp, "contact=Jane Doe; fu=yes" },
        // complete
        { "done 2", Intent.Complete, "item=2" },
        { "Done #2", Intent.Complete, "item=2" },
        { "done 1.", Intent.Complete, "item=1" },
        { "complete 3", Intent.Complete, "item=3" },
        { "compelte 3", Intent.Complete, "item=3" },
        { "mark 2 done", Intent.Complete, "item=2" },
        { "mark 2 as done", Intent.Complete, "item=2" },
        { "2 done", Intent.Complete, "item=2" },
        { "done with Jane Doe", Intent.Complete, "itemText=Jane Doe" },
        { "finished 4", Intent.Complete, "item=4" },
        { "done", Intent.Complete, "" },
        // snooze
        { "snooze 2", Intent.Snooze, "item=2; days=1" },
        { "snooze 2 1 week", Intent.Snooze, "item=2; days=7" },
        { "snooze 2 for a week", Intent.Snooze, "item=2; days=7" },
        { "snooze #1 for 3 days", Intent.Snooze, "item=1; days=3" },
        { "snooze 3 until Friday", Intent.Snooze, "item=3; until=2026-11-27" },
        { "snooze 1 to next week", Intent.Snooze, "item=1; until=2026-11-30" },
        { "snoze 1 tmrw", Intent.Snooze, "item=1; until=2026-11-26" },
        { "postpone 2 2 weeks", Intent.Snooze, "item=2; days=14" },
        // contact summary
        { "who is Jane Doe", Intent.ContactSummary, "contact=Jane Doe" },
        { "who's Jane Doe?", Intent.ContactSummary, "contact=Jane Doe" },
        { "summary Jane Doe", Intent.ContactSummary, "contact=Jane Doe" },
        { "summay Jane Doe", Intent.ContactSummary, "contact=Jane Doe" },
        { "summary of Bob Smith", Intent.ContactSummary, "contact=Bob Smith" },
        { "tell me about Ana Müller", Intent.ContactSummary, "contact=Ana Muller" },
        { "brief me on Acme", Intent.ContactSummary, "contact=Acme" },
        { "info on Jane", Intent.ContactSummary, "contact=Jane" },
        { "contact Jane Doe", Intent.ContactSummary, "contact=Jane Doe" },
        { "prep for Bob Smith", Intent.ContactSummary, "contact=Bob Smith" },
        { "look up Jane Doe", Intent.ContactSummary, "contact=Jane Doe" },
        { "Jane Doe?", Intent.ContactSummary, "contact=Jane Doe" },
        // deal stage
        { "move Acme renewal to proposal", Intent.DealStage, "deal=Acme renewal; stage=Proposal Sent" },
        { "Move the Acme Renewal deal to Negotiation.", Intent.DealStage, "deal=Acme Renewal; stage=Negotiation" },
        { "move Acme renewal to negotiating", Intent.DealStage, "deal=Acme renewal; stage=Negotiation" },
        { "set Acme renewal to qualified", Intent.DealStage, "deal=Acme renewal; stage=Qualified" },
        { "move Acme renewal to proposl", Intent.DealStage, "deal=Acme renewal; stage=Proposal Sent" },
        { "update Globex expansion stage to meeting scheduled", Intent.DealStage, "deal=Globex expansion; stage=Meeting Scheduled" },
        { "mark Acme renewal as won because budget approved", Intent.DealStage, "deal=Acme renewal; stage=Closed Won; reason=budget approved" },
        { "move Acme renewal to lost: went with a competitor", Intent.DealStage, "deal=Acme renewal; stage=Closed Lost; reason=went with a competitor" },
        { "move Acme renewal to purgatory", Intent.DealStage, "deal=Acme renewal; unknownStage=purgatory" },
        { "Acme renewal to proposal", Intent.DealStage, "deal=Acme renewal; stage=Proposal Sent" },
        { "Acme renewal won - budget approved", Intent.DealStage, "deal=Acme renewal; stage=Closed Won; reason=budget approved" },
        { "closed Acme renewal as won", Intent.DealStage, "deal=Acme renewal; stage=Closed Won" },
        { "we lost Globex expansion because of price", Intent.DealStage, "deal=Globex expansion; stage=Closed Lost; reason=of price" },
        { "ACME RENEWAL WON", Intent.DealStage, "deal=ACME RENEWAL; stage=Closed Won" },
        { "Zürich rollout is lost", Intent.DealStage, "deal=Zürich rollout; stage=Closed Lost" },
        { "deal Acme renewal", Intent.DealStage, "deal=Acme renewal" },
        { "show deal Acme renewal", Intent.DealStage, "deal=Acme renewal" },
        { "stage of Acme renewal", Intent.DealStage, "deal=Acme renewal" },
        // my deals
        { "my deals", Intent.MyDeals, "" },
        { "deals", Intent.MyDeals, "" },
        { "Show my deals", Intent.MyDeals, "" },
        { "pipeline", Intent.MyDeals, "" },
        { "my pipeline", Intent.MyDeals, "" },
        { "open deals", Intent.MyDeals, "" },
        { "my deasl", Intent.MyDeals, "" },
        // undo
        { "undo", Intent.Undo, "" },
        { "Undo!", Intent.Undo, "" },
        { "undo that", Intent.Undo, "" },
        { "oops undo", Intent.Undo, "" },
        { "undo last", Intent.Undo, "" },
        // nothing
        { "the weather is nice", Intent.None, "" },
        { "asdfgh", Intent.None, "" },
        { "42", Intent.None, "" },
        { "talk to you later, thanks", Intent.None, "" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Utterance_ReadsAsExpected(string text, Intent intent, string expected)
    {
        var r = new Recognizer().Recognize(new Utterance(text, Today));

        Assert.Equal(intent, r.Intent);
        var want = expected.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        string? Want(string key) => want.GetValueOrDefault(key);

        Assert.Equal(Want("type"), r.ActivityType?.ToString());
        AssertText(Want("contact"), r.Contact, "contact");
        AssertText(Want("deal"), r.Deal, "deal");
        AssertText(Want("notes"), r.Notes, "notes");
        Assert.Equal(Want("fu") == "yes", r.WantsFollowUp);
        Assert.Equal(Want("date"), r.FollowUpDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        AssertText(Want("title"), r.FollowUpTitle, "title");
        Assert.Equal(Want("stage"), r.Stage);
        Assert.Equal(Want("unknownStage"), r.UnknownStage);
        AssertText(Want("reason"), r.Reason, "reason");
        Assert.Equal(Want("item"), r.Item?.ToString(CultureInfo.InvariantCulture));
        AssertText(Want("itemText"), r.ItemText, "itemText");
        Assert.Equal(Want("days"), r.SnoozeDays?.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(Want("until"), r.SnoozeUntil?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Table_HasAtLeastAHundredRows() => Assert.True(Table.Count >= 100, $"{Table.Count} rows");

    private static void AssertText(string? expected, string? actual, string what)
    {
        Assert.True(TextFold.Fold(expected) == TextFold.Fold(actual), $"{what}: expected \"{expected}\", got \"{actual}\"");
    }
}
