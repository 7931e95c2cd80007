using CrmBot.Conversations.Cards;
using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Conversations;

/// <summary>
/// How reps actually write a log, one message each, and the exact store change it makes: one activity (type,
/// contact, notes, when it happened) and at most one follow-up (its due date), nothing else. Today is
/// Wed 25 Nov 2026, 15:00 in the rep's zone (UTC).
/// </summary>
public class LogPhrasingTests
{
    private const string Now = "2026-11-25T15:00";

    public static TheoryData<string, ActivityType, string, string, string?, string> Phrasings => new()
    {
        // With a colon (or another clear delimiter) between the contact and the notes.
        { "log call with Jane Doe: discussed pricing", ActivityType.Call, "Jane Doe", "discussed pricing", null, Now },
        { "log a call with Jane Doe: pricing, follow up tomorrow", ActivityType.Call, "Jane Doe", "pricing", "2026-11-26", Now },
        { "log meeting with Peter Gibbons: demo went well", ActivityType.Meeting, "Peter Gibbons", "demo went well", null, Now },
        { "log mtg w/ Peter Gibbons: kickoff", ActivityType.Meeting, "Peter Gibbons", "kickoff", null, Now },
        { "log email to Sofia Rossi: sent the contract", ActivityType.Email, "Sofia Rossi", "sent the contract", null, Now },
        { "log note on Jürgen Müller: prefers email", ActivityType.Note, "Jürgen Müller", "prefers email", null, Now },
        { "log call w/ jurgen muller: delivery dates", ActivityType.Call, "Jürgen Müller", "delivery dates", null, Now },
        { "Log Call With JANE DOE: Pricing", ActivityType.Call, "Jane Doe", "Pricing", null, Now },
        { "log phone call with John Carter: intro", ActivityType.Call, "John Carter", "intro", null, Now },
        { "log call with Jane Doe - discussed renewal", ActivityType.Call, "Jane Doe", "discussed renewal", null, Now },
        { "log call with Jane Doe; budget approved", ActivityType.Call, "Jane Doe", "budget approved", null, Now },
        { "log call with Jane Doe, left a voicemail", ActivityType.Call, "Jane Doe", "left a voicemail", null, Now },
        { "log call with Jane Doe about the renewal", ActivityType.Call, "Jane Doe", "the renewal", null, Now },
        { "log call with Jane Doe re pricing", ActivityType.Call, "Jane Doe", "pricing", null, Now },
        { "log call with Jane Doe: pricing, f/u Friday", ActivityType.Call, "Jane Doe", "pricing", "2026-11-27", Now },
        { "log call with Jane Doe: pricing, follow up next Tuesday", ActivityType.Call, "Jane Doe", "pricing", "2026-12-01", Now },
        { "log call with Jane Doe: pricing, follow up in 3 days", ActivityType.Call, "Jane Doe", "pricing", "2026-11-28", Now },
        { "log call with Jane Doe: pricing, follow up Dec 3", ActivityType.Call, "Jane Doe", "pricing", "2026-12-03", Now },
        { "log call with Jane Doe: pricing, follow up 2026-12-10", ActivityType.Call, "Jane Doe", "pricing", "2026-12-10", Now },
        { "log call with Jane Doe: pricing, follow up end of month", ActivityType.Call, "Jane Doe", "pricing", "2026-11-30", Now },
        { "call with Jane Doe: pricing", ActivityType.Call, "Jane Doe", "pricing", null, Now },
        { "meeting with Peter Gibbons: scoping", ActivityType.Meeting, "Peter Gibbons", "scoping", null, Now },
        { "email to Sofia Rossi: pricing sheet", ActivityType.Email, "Sofia Rossi", "pricing sheet", null, Now },
        { "note on John Carter: moving to Berlin", ActivityType.Note, "John Carter", "moving to Berlin", null, Now },
        { "log note for Peter Gibbons: budget for 50 seats", ActivityType.Note, "Peter Gibbons", "budget for 50 seats", null, Now },
        { "add a call with Jane Doe: pricing", ActivityType.Call, "Jane Doe", "pricing", null, Now },
        { "record meeting with John Carter: kickoff", ActivityType.Meeting, "John Carter", "kickoff", null, Now },
        { "please log call with Jane Doe: pricing", ActivityType.Call, "Jane Doe", "pricing", null, Now },

        // Without a colon: the contact is the longest name that matches the store.
        { "called Jane Doe about pricing", ActivityType.Call, "Jane Doe", "pricing", null, Now },
        { "called jane doe re pricing - f/u in 3 days", ActivityType.Call, "Jane Doe", "pricing", "2026-11-28", Now },
        { "met with Jane Doe about renewal", ActivityType.Meeting, "Jane Doe", "renewal", null, Now },
        { "emailed Peter Gibbons the revised quote, follow up end of week", ActivityType.Email, "Peter Gibbons", "the revised quote", "2026-11-27", Now },
        { "emailed peter gibbons the revised quote", ActivityType.Email, "Peter Gibbons", "the revised quote", null, Now },
        { "spoke to Sofia Rossi about onboarding", ActivityType.Call, "Sofia Rossi", "onboarding", null, Now },
        { "talked with John Carter re budget", ActivityType.Call, "John Carter", "budget", null, Now },
        { "had a call with Jane Doe about pricing", ActivityType.Call, "Jane Doe", "pricing", null, Now },
        { "had a meeting with Peter Gibbons: scoping workshop", ActivityType.Meeting, "Peter Gibbons", "scoping workshop", null, Now },
        { "just called Jane Doe, she wants a discount", ActivityType.Call, "Jane Doe", "she wants a discount", null, Now },
        { "I called Jane Doe about the contract", ActivityType.Call, "Jane Doe", "the contract", null, Now },
        { "we met Jürgen Müller at the trade fair", ActivityType.Meeting, "Jürgen Müller", "at the trade fair", null, Now },
        { "phoned John Carter about renewal", ActivityType.Call, "John Carter", "renewal", null, Now },
        { "rang Sofia Rossi re invoice", ActivityType.Call, "Sofia Rossi", "invoice", null, Now },
        { "left a voicemail for John Carter", ActivityType.Call, "John Carter", "Left a voicemail", null, Now },
        { "left voicemail for Jane Doe, follow up Monday", ActivityType.Call, "Jane Doe", "Left a voicemail", "2026-11-30", Now },
        { "emailed Sofia Rossi the contract. follow up in a week", ActivityType.Email, "Sofia Rossi", "the contract", "2026-12-02", Now },

        // When it happened: a day (at noon, in the rep's zone), a time (today), or both.
        { "called Jane Doe yesterday about pricing", ActivityType.Call, "Jane Doe", "pricing", null, "2026-11-24T12:00" },
        { "met Jürgen Müller on Monday: demo", ActivityType.Meeting, "Jürgen Müller", "demo", null, "2026-11-23T12:00" },
        { "call with Jane Doe at 10am: pricing", ActivityType.Call, "Jane Doe", "pricing", null, "2026-11-25T10:00" },
        { "log call with Jane Doe yesterday at 4pm: pricing", ActivityType.Call, "Jane Doe", "pricing", null, "2026-11-24T16:00" },
        { "called Jane Doe this morning about pricing", ActivityType.Call, "Jane Doe", "pricing", null, "2026-11-25T09:00" },
        { "met with Peter Gibbons last Friday about the pilot", ActivityType.Meeting, "Peter Gibbons", "the pilot", null, "2026-11-20T12:00" },
        { "emailed Sofia Rossi 2 days ago: contract draft", ActivityType.Email, "Sofia Rossi", "contract draft", null, "2026-11-23T12:00" },

        // Follow-up dates in several forms (numbers month first until the rep says otherwise).
        { "log call with Jane Doe: pricing, follow up 12/24", ActivityType.Call, "Jane Doe", "pricing", "2026-12-24", Now },
        { "log call with Jane Doe: pricing, follow up 24.12.", ActivityType.Call, "Jane Doe", "pricing", "2026-12-24", Now },
        { "log call with Jane Doe: pricing, follow up on the 3rd", ActivityType.Call, "Jane Doe", "pricing", "2026-12-03", Now },
        { "log call with Jane Doe: pricing, follow up in two weeks", ActivityType.Call, "Jane Doe", "pricing", "2026-12-09", Now },
        { "log call with Jane Doe: pricing, follow up next month", ActivityType.Call, "Jane Doe", "pricing", "2026-12-01", Now },
        { "log call with Jane Doe: pricing, follow up the 3rd of next month", ActivityType.Call, "Jane Doe", "pricing", "2026-12-03", Now },
        { "log call with Jane Doe: pricing, f/u Dec 28", ActivityType.Call, "Jane Doe", "pricing", "2026-12-28", Now },

        // Typos and accents.
        { "logg call with Jane Doe: pricing", ActivityType.Call, "Jane Doe", "pricing", null, Now },
        { "log cal with Jane Doe: pricing", ActivityType.Call, "Jane Doe", "pricing", null, Now },
        { "log meeting with jürgen müller: on-site", ActivityType.Meeting, "Jürgen Müller", "on-site", null, Now },
        { "log call with Zoe OBrien: pricing", ActivityType.Call, "Zoë O'Brien", "pricing", null, Now },
        { "log call with zoë o'brien: pricing", ActivityType.Call, "Zoë O'Brien", "pricing", null, Now },
        { "emial to Sofia Rossi: the deck", ActivityType.Email, "Sofia Rossi", "the deck", null, Now },
    };

    [Theory]
    [MemberData(nameof(Phrasings))]
    public async Task OneMessage_MakesExactlyThisChange(string text, ActivityType type, string contact, string notes, string? followUpDue, string occurredAt)
    {
        using var host = new ConversationHost();
        foreach (var (first, last, company) in People) await host.ContactAsync(first, last, company);
        var contacts = await host.WithDbAsync(db => db.Contacts.CountAsync());

        var replies = await host.SayAsync(text);

        replies.Card(CardNames.ActivityLogged);
        var activity = await host.WithDbAsync(db => db.Activities.Include(a => a.Contact).SingleAsync());
        Assert.Equal((type, contact, notes), (activity.Type, activity.Contact!.FullName, activity.Notes));
        Assert.Equal(DateTime.Parse(occurredAt + ":00Z", null, System.Globalization.DateTimeStyles.AdjustToUniversal), activity.OccurredAt);
        var due = await host.WithDbAsync(db => db.FollowUps.Select(f => f.DueAt).ToListAsync());
        if (followUpDue is null) Assert.Empty(due);
        else Assert.Equal(DateOnly.Parse(followUpDue).ToDateTime(new TimeOnly(23, 59, 59), DateTimeKind.Utc), Assert.Single(due));
        Assert.Equal(contacts, await host.WithDbAsync(db => db.Contacts.CountAsync()));
        Assert.Equal(0, await host.WithDbAsync(db => db.DialogStates.CountAsync()));
    }

    private static readonly (string First, string Last, string Company)[] People =
    [
        ("Jane", "Doe", "Acme"), ("Peter", "Gibbons", "Initech"), ("Jürgen", "Müller", "Müller Maschinenbau"),
        ("Sofia", "Rossi", "Umbrella"), ("John", "Carter", "Globex"), ("Zoë", "O'Brien", "Hooli"),
    ];
}
