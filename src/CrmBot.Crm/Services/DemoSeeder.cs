using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm.Services;

/// <summary>
/// A small workspace to try CrmBot on: companies, contacts (two Janes, a Müller), deals across the
/// pipeline, past activities, follow-ups overdue, due today and coming up. Dates are relative to
/// the clock and today is the assignee's own. Only an empty store is seeded.
/// </summary>
public sealed class DemoSeeder(CrmDbContext db, TimeProvider clock, IOptions<CrmOptions> options,
    MemberService members, ActivityService activities, ILogger<DemoSeeder> logger)
{
    /// <summary>The channel the seeded rows and their audit entries name.</summary>
    public const string Channel = "demo";

    /// <summary>Seeds for the person at the terminal (created if new). False when the store already has data.</summary>
    public async Task<bool> SeedAsync(CancellationToken ct)
    {
        if (await HasDataAsync(ct)) return false;
        var me = await members.ResolveAsync(MemberService.TerminalIdentity(), ct);
        return await SeedAsync(me, ct);
    }

    /// <summary>Seeds with everything owned by and assigned to the given member. False when the store already has data.</summary>
    public async Task<bool> SeedAsync(Member assignTo, CancellationToken ct)
    {
        if (await HasDataAsync(ct)) return false;
        // Its own channel in the audit trail, so that no seeded row counts as a change the member made in chat
        // (a typed "undo" must never reach the demo data).
        var actor = MemberService.ActorFor(assignTo, Channel);
        await db.InTransactionAsync(async () =>
        {
            await WriteAsync(assignTo, actor, ct);
            return 0;
        }, ct);
        logger.DemoSeeded(assignTo.Id);
        return true;
    }

    private async Task<bool> HasDataAsync(CancellationToken ct) =>
        await db.Companies.AnyAsync(ct) || await db.Contacts.AnyAsync(ct) || await db.Deals.AnyAsync(ct);

    private async Task WriteAsync(Member me, Actor actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var zone = LocalDay.Zone(me.TimeZone);
        var today = LocalDay.Today(clock, zone);
        DateTime DaysAgo(int days, int hour) => LocalDay.StartUtc(today.AddDays(-days), zone).AddHours(hour);

        Company NewCompany(string name, string domain) =>
            new() { Name = name, NormalizedName = CompanyNames.Key(name), Domain = domain, CreatedAt = now };
        var acme = NewCompany("Acme Corporation", "acme.example");
        var globex = NewCompany("Globex GmbH", "globex.example");
        var initech = NewCompany("Initech", "initech.example");
        var muller = NewCompany("Müller Maschinenbau GmbH", "mueller-maschinenbau.example");
        var umbrella = NewCompany("Umbrella Health", "umbrella.example");
        db.Companies.AddRange(acme, globex, initech, muller, umbrella);

        Contact NewContact(string first, string last, Company company, string title, string email, string phone, string country) => new()
        {
            FirstName = first, LastName = last, Company = company, Title = title, Email = email, Phone = phone,
            Country = country, OwnerId = me.Id, CreatedAt = now, UpdatedAt = now,
        };
        var janeDoe = NewContact("Jane", "Doe", acme, "VP Sales", "jane.doe@acme.example", "+14155550101", "US");
        var johnDoe = NewContact("John", "Doe", acme, "Procurement", "john.doe@acme.example", "+14155550102", "US");
        var janeSmith = NewContact("Jane", "Smith", globex, "Head of Operations", "jane.smith@globex.example", "+493012345601", "DE");
        var jurgen = NewContact("Jürgen", "Müller", muller, "Managing Director", "j.mueller@mueller-maschinenbau.example", "+498912345602", "DE");
        var peter = NewContact("Peter", "Gibbons", initech, "Engineering Manager", "peter@initech.example", "+15125550103", "US");
        var sofia = NewContact("Sofía", "Ramírez", umbrella, "CIO", "sofia.ramirez@umbrella.example", "+34911234567", "ES");
        db.Contacts.AddRange(janeDoe, johnDoe, janeSmith, jurgen, peter, sofia);

        Deal NewDeal(string name, decimal amount, string currency, string stage, Company company, Contact contact, int ageDays,
            string? reason = null) => new()
        {
            Name = name, Amount = amount, Currency = currency, Stage = stage, Company = company, Contact = contact,
            OwnerId = me.Id, ExpectedClose = today.AddDays(30), CloseReason = reason, CreatedAt = DaysAgo(ageDays, 9), UpdatedAt = now,
        };
        var stages = options.Value.Pipeline;
        var open = stages.Where(s => !s.IsClosed).ToList();
        var won = stages.First(s => s.IsClosed && s.IsWon);
        var lost = stages.First(s => s.IsClosed && !s.IsWon);
        string Open(int i) => open[Math.Min(i, open.Count - 1)].Name;

        var deals = new[]
        {
            NewDeal("Acme renewal 2027", 48_000m, "USD", Open(4), acme, janeDoe, 60),
            NewDeal("Globex pilot", 12_000m, "EUR", Open(1), globex, janeSmith, 20),
            NewDeal("Müller line upgrade", 85_000m, "EUR", Open(3), muller, jurgen, 45),
            NewDeal("Initech TPS licences", 5_000m, "USD", Open(0), initech, peter, 5),
            NewDeal("Acme analytics add-on", 9_500m, "USD", Open(2), acme, johnDoe, 15),
            NewDeal("Umbrella expansion", 30_000m, "USD", won.Name, umbrella, sofia, 90, "Signed a three-year agreement"),
            NewDeal("Globex analytics", 20_000m, "EUR", lost.Name, globex, janeSmith, 75, "Chose an in-house tool"),
        };
        foreach (var deal in deals)
        {
            // History walks the pipeline up to the deal's stage, so reports have something to show.
            var path = open.TakeWhile(s => s.Name != deal.Stage).Select(s => s.Name).ToList();
            if (open.Any(s => s.Name == deal.Stage)) path.Add(deal.Stage);
            else path = [.. open.Take(3).Select(s => s.Name), deal.Stage];
            string? from = null;
            for (var i = 0; i < path.Count; i++)
            {
                deal.StageHistory.Add(new DealStageChange
                {
                    FromStage = from, ToStage = path[i], ChangedById = me.Id,
                    Reason = i == path.Count - 1 ? deal.CloseReason : null,
                    ChangedAt = deal.CreatedAt.AddDays(i * 3),
                });
                from = path[i];
            }
        }
        db.Deals.AddRange(deals);
        await db.SaveChangesAsync(ct);

        foreach (var c in new[] { acme, globex, initech, muller, umbrella })
            AuditLog.Add(db, actor, nameof(Company), c.Id, "created", null, c.Name);
        foreach (var c in new[] { janeDoe, johnDoe, janeSmith, jurgen, peter, sofia })
            AuditLog.Add(db, actor, nameof(Contact), c.Id, "created", null, c.FullName);
        foreach (var d in deals)
            AuditLog.Add(db, actor, nameof(Deal), d.Id, "created", null, $"{d.Name}, {d.Amount} {d.Currency}, {d.Stage}");
        await db.SaveChangesAsync(ct);

        async Task LogAsync(Contact c, ActivityType type, string notes, int daysAgo, Deal? deal = null, string? outcome = null, NewFollowUp? next = null) =>
            await activities.LogAsync(new LogActivity(c.Id, type, notes, deal?.Id, outcome, DaysAgo(daysAgo, 10), FollowUp: next), actor, ct);

        await LogAsync(janeDoe, ActivityType.Meeting, "Renewal kick-off; wants a multi-year discount.", 12, deals[0]);
        await LogAsync(janeDoe, ActivityType.Call, "Discussed renewal pricing; legal is reviewing the MSA.", 3, deals[0], "positive",
            new NewFollowUp("Send revised pricing to Jane Doe", today));
        await LogAsync(johnDoe, ActivityType.Email, "Sent the analytics add-on one-pager.", 6, deals[4]);
        await LogAsync(janeSmith, ActivityType.Call, "Pilot scope agreed: two sites, six weeks.", 8, deals[1], "positive",
            new NewFollowUp("Confirm pilot start date with Jane Smith", today.AddDays(3)));
        await LogAsync(jurgen, ActivityType.Meeting, "On-site visit; needs delivery before Q3.", 10, deals[2], "neutral",
            new NewFollowUp("Call Jürgen Müller about delivery dates", today));
        await LogAsync(peter, ActivityType.Call, "Intro call; has budget for 50 seats.", 4, deals[3], null,
            new NewFollowUp("Chase Peter for the signed PO", today.AddDays(-2)));
        await LogAsync(sofia, ActivityType.Note, "Expansion signed; schedule onboarding.", 20, deals[5]);
        await LogAsync(peter, ActivityType.Email, "Sent the licence quote.", 1, deals[3], null,
            new NewFollowUp("Book a demo for Initech's team", today.AddDays(-1)));
    }
}
