using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Crm.Services;

/// <summary>One store of names for all search cases (read-only tests share it), on one engine.</summary>
public abstract class SearchWorld(StoreProvider provider) : IAsyncLifetime
{
    public CrmHost Crm { get; } = new(provider: provider);
    public Member Owner { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Owner = await Crm.MemberAsync("Ana");
        await Crm.ContactAsync("John", "Doe", "Acme, Inc.");
        await Crm.ContactAsync("Jane", "Doe", "Acme, Inc.");
        await Crm.ContactAsync("Jane", "Smith", "Globex GmbH");
        await Crm.ContactAsync("Janet", "Jones");
        await Crm.ContactAsync("Jürgen", "Müller", "Müller Maschinenbau GmbH");
        await Crm.ContactAsync("Anna", "Mueller");
        await Crm.ContactAsync("Zoë", "O'Brien");
        await Crm.ContactAsync("Johnny", "Doerr");
        await Crm.ContactAsync("Peter", "Gibbons", "Initech");
        await Crm.ContactAsync("Jo", "Ng");
        await Crm.ContactAsync("Maximilian Alexander Constantin", "von Hohenzollern-Sigmaringen Ferdinand");
        await Crm.DealAsync("Acme renewal 2027", Owner);
        await Crm.DealAsync("Müller line upgrade", Owner);
        await Crm.DealAsync("Initech licences", Owner);
    }

    public async Task<List<string>> Contacts(string query, int limit = 10)
    {
        await using var turn = Crm.Turn();
        return (await turn.Get<CrmSearch>().FindContactsAsync(query, limit, default)).Select(m => m.Item.FullName).ToList();
    }

    public Task DisposeAsync()
    {
        Crm.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class SqliteSearchWorld() : SearchWorld(StoreProvider.Sqlite);

public sealed class PostgresSearchWorld() : SearchWorld(StoreProvider.Postgres);

// The same answers on both engines: each case runs once per engine.
public sealed class CrmSearchTestsOnSqlite(SqliteSearchWorld world) : CrmSearchTests(world), IClassFixture<SqliteSearchWorld>;

public sealed class CrmSearchTestsOnPostgres(PostgresSearchWorld world) : CrmSearchTests(world), IClassFixture<PostgresSearchWorld>;

public sealed class CrmSearchIndexTestsOnSqlite() : CrmSearchIndexTests(StoreProvider.Sqlite);

public sealed class CrmSearchIndexTestsOnPostgres() : CrmSearchIndexTests(StoreProvider.Postgres);

public abstract class CrmSearchTests(SearchWorld world)
{
    [Theory]
    [InlineData("John Doe", "John Doe")]
    [InlineData("jon doe", "John Doe")]        // a letter missing
    [InlineData("jhon doe", "John Doe")]       // two letters swapped
    [InlineData("JOHN DOE", "John Doe")]
    [InlineData("doe john", "John Doe")]       // words in another order
    [InlineData("johndoe", "John Doe")]        // a space missing
    [InlineData("muller", "Jürgen Müller")]    // accents
    [InlineData("jurgen", "Jürgen Müller")]
    [InlineData("Jürgen Müler", "Jürgen Müller")]
    [InlineData("zoe obrien", "Zoë O'Brien")]
    [InlineData("o'brien", "Zoë O'Brien")]
    [InlineData("gibons", "Peter Gibbons")]
    [InlineData("jo", "Jo Ng")]                // shorter than a trigram
    public async Task FindContacts_BestMatchFirst(string query, string expected)
    {
        var found = await world.Contacts(query);
        Assert.NotEmpty(found);
        Assert.Equal(expected, found[0]);
    }

    [Fact]
    public async Task FindContacts_SharedFirstName_ReturnsBothJanesAheadOfJanet()
    {
        var found = await world.Contacts("jane");
        Assert.Equal(["Jane Doe", "Jane Smith"], found.Take(2).Order().ToList());
        Assert.Equal("Janet Jones", found[2]);
        Assert.DoesNotContain("John Doe", found);
    }

    [Fact]
    public async Task FindContacts_ExactName_IsTakenAsMeant_WithoutSimilarNames()
    {
        await using var turn = world.Crm.Turn();
        var found = await turn.Get<CrmSearch>().FindContactsAsync("JOHN  Doe", 10, default);
        // Not "Johnny Doerr" or "Jane Doe" beside it: the user typed this name.
        var john = Assert.Single(found);
        Assert.Equal(("John Doe", 1.0), (john.Item.FullName, john.Score));
        Assert.Equal("Acme, Inc.", john.Item.Company?.Name);
    }

    [Fact]
    public async Task FindContacts_AContactTheContextTracks_ComesBackTracked_WithItsCompanyTrackedToo()
    {
        await using var turn = world.Crm.Turn();
        var db = turn.Get<CrmDbContext>();
        var tracked = await db.Contacts.SingleAsync(c => c.FirstName == "John" && c.LastName == "Doe");
        Assert.Null(tracked.Company);

        var john = Assert.Single(await turn.Get<CrmSearch>().FindContactsAsync("John Doe", 10, default)).Item;

        Assert.Same(tracked, john);
        Assert.Equal("Acme, Inc.", john.Company?.Name);
        Assert.Equal(EntityState.Unchanged, db.Entry(john.Company!).State);
        // Nothing found by the search looks new to EF: a SaveChanges here writes nothing.
        Assert.Equal(0, await db.SaveChangesAsync());
    }

    [Fact]
    public async Task FindContacts_Untracked_TwoContactsOfOneCompany_ShareItsRow()
    {
        await using var turn = world.Crm.Turn();
        var found = await turn.Get<CrmSearch>().FindContactsAsync("doe", 10, default);
        var acme = found.Where(m => m.Item.Company?.Name == "Acme, Inc.").Select(m => m.Item.Company).ToList();
        Assert.Equal(2, acme.Count);
        Assert.Same(acme[0], acme[1]);
        Assert.Empty(turn.Get<CrmDbContext>().ChangeTracker.Entries());
    }

    [Fact]
    public async Task FindContacts_NotAnExactName_RanksBestFirst_AndLeavesOutTheUnrelated()
    {
        await using var turn = world.Crm.Turn();
        var found = await turn.Get<CrmSearch>().FindContactsAsync("john do", 10, default);
        Assert.Equal("John Doe", found[0].Item.FullName);
        Assert.Contains(found, m => m.Item.FullName == "Johnny Doerr");
        Assert.All(found, m => Assert.True(m.Score < 1.0));
        Assert.Equal(found.Select(m => m.Score).OrderDescending(), found.Select(m => m.Score));
        Assert.DoesNotContain(found, m => m.Item.FullName == "Peter Gibbons");
    }

    [Fact]
    public async Task FindContacts_UnrelatedOrEmptyQuery_FindsNothing_AndLimitApplies()
    {
        Assert.Empty(await world.Contacts("xylophone"));
        Assert.Empty(await world.Contacts("  ?! "));
        Assert.Single(await world.Contacts("doe", limit: 1));
    }

    [Fact]
    public async Task FindContacts_OverlongQuery_IsCutToANameLengthAndStillAnswers()
    {
        const string longName = "Maximilian Alexander Constantin von Hohenzollern-Sigmaringen Ferdinand";
        var found = await world.Contacts(longName + " " + string.Join(" ", Enumerable.Repeat("Ferdinand", 200)));
        Assert.Equal(longName, found[0]);
    }

    [Theory]
    [InlineData("acme", "Acme, Inc.")]
    [InlineData("ACME inc", "Acme, Inc.")]
    [InlineData("globex", "Globex GmbH")]
    [InlineData("muller maschinenbau", "Müller Maschinenbau GmbH")]
    [InlineData("initek", "Initech")]
    public async Task FindCompanies_IgnoresLegalFormAccentsAndATypo(string query, string expected)
    {
        await using var turn = world.Crm.Turn();
        var found = await turn.Get<CrmSearch>().FindCompaniesAsync(query, 5, default);
        Assert.Equal(expected, found[0].Item.Name);
    }

    [Theory]
    [InlineData("acme renewal", "Acme renewal 2027")]
    [InlineData("muller", "Müller line upgrade")]
    [InlineData("licenses", "Initech licences")]
    public async Task FindDeals_ByName(string query, string expected)
    {
        await using var turn = world.Crm.Turn();
        var found = await turn.Get<CrmSearch>().FindDealsAsync(query, 5, default);
        Assert.Equal(expected, found[0].Item.Name);
    }
}

public abstract class CrmSearchIndexTests(StoreProvider provider)
{
    [Theory]
    [InlineData("noah nnuez")]     // the swap leaves no trigram of "nunez" in the typed word
    [InlineData("naoh nunez")]     // the first word mistyped instead
    [InlineData("noah nunz")]
    public async Task OneWordMistyped_TheOthersAsTyped_FindsTheName_EvenWithNoTrigramInCommon(string query)
    {
        using var crm = new CrmHost(provider: provider);
        await crm.ContactAsync("Noah", "Smith");
        await crm.ContactAsync("Noah", "Tanaka");
        await crm.ContactAsync("Emma", "Nunez");
        var meant = await crm.ContactAsync("Noah", "Nuñez");

        await using var turn = crm.Turn();
        var found = await turn.Get<CrmSearch>().FindContactsAsync(query, 5, default);
        Assert.Equal(meant.Id, found[0].Item.Id);
        Assert.True(found[0].Score < 1.0);
        Assert.DoesNotContain(found, m => m.Item.LastName == "Tanaka");
    }

    [Theory]
    [InlineData("henrik vahlbreg")]     // last name: two letters swapped
    [InlineData("henrik vahlbrg")]      // a letter left out
    [InlineData("henrik vahlbberg")]    // a letter doubled
    [InlineData("henrik vahlbwrg")]     // a neighbouring key
    [InlineData("hnerik vahlberg")]     // the first name mistyped instead
    [InlineData("henrk vahlberg")]
    [InlineData("vahlbreg henrik")]     // words the other way round
    [InlineData("Hénrik Vählbreg")]     // accents typed that the name does not have
    [InlineData("henrik vhalbreg")]     // two slips in one word: beyond one edit, found by scoring every Henrik
    public async Task OneWordMistyped_AmongManyWithTheSameOtherWord_FindsTheNameMeant(string query)
    {
        using var crm = new CrmHost(provider: provider);
        foreach (var last in new[] { "Vahl", "Dahlberg", "Wahlberg", "Lindqvist", "Berg", "Vallberg", "Vahlström", "Ahlberg" })
            await crm.ContactAsync("Henrik", last);
        await crm.ContactAsync("Hendrik", "Lindqvist");
        await crm.ContactAsync("Erik", "Vahlberg");
        var meant = await crm.ContactAsync("Henrik", "Vahlberg");

        await using var turn = crm.Turn();
        var found = await turn.Get<CrmSearch>().FindContactsAsync(query, 5, default);
        Assert.Equal(meant.Id, found[0].Item.Id);
        Assert.True(found[0].Score < 1.0);
    }

    [Theory]
    [InlineData("henrik vhalbreg", "Henrik Vahlberg")]   // two slips in the last name
    [InlineData("henrik vahlbreg", "Henrik Vahlberg")]
    [InlineData("hnerik vahlberg", "Henrik Vahlberg")]   // the first name mistyped instead
    [InlineData("noah nnuez", "Noah Nuñez")]             // no trigram of the last name left
    [InlineData("henrik vahlb", "Henrik Vahlberg")]      // the last name cut short
    public async Task OneWordMistyped_AmongHundredsWithTheSameOtherWord_FindsTheNameMeant(string query, string expected)
    {
        using var crm = new CrmHost(provider: provider);
        await using (var turn = crm.Turn())
        {
            // Short made-up last names: many share as many trigrams with the query as the name meant does, so a
            // cut by trigram similarity alone can leave it out; the search must still score it.
            var db = turn.Get<CrmDbContext>();
            var random = new Random(29);
            foreach (var first in new[] { "Henrik", "Noah" })
                for (var i = 0; i < 400; i++)
                    db.Contacts.Add(new Contact { FirstName = first, LastName = new string([.. Enumerable.Range(0, 4 + i % 3).Select(_ => (char)('a' + random.Next(26)))]) });
            await db.SaveChangesAsync();
        }
        await crm.ContactAsync("Henrik", "Vahlberg");
        await crm.ContactAsync("Noah", "Nuñez");

        await using var check = crm.Turn();
        var found = await check.Get<CrmSearch>().FindContactsAsync(query, 5, default);
        Assert.Equal(expected, found[0].Item.FullName);
    }

    [Theory]
    [InlineData("jurgen mulelr", "Jürgen Müller")]   // accents left out and a swap
    [InlineData("jürgen mueler", "Jürgen Müller")]   // "ü" typed as "ue": one letter more than the folded "muller"
    [InlineData("zoe obrein", "Zoë O'Brien")]
    [InlineData("ana de la curz", "Ana de la Cruz")] // a name of four words
    [InlineData("jo ngg", "Jo Ng")]                  // a short word beside the mistyped one
    public async Task OneWordMistyped_AccentsAndShortWords(string query, string expected)
    {
        using var crm = new CrmHost(provider: provider);
        await crm.ContactAsync("Jürgen", "Mahler");
        await crm.ContactAsync("Anna", "Müller");
        await crm.ContactAsync("Zoë", "Brien");
        await crm.ContactAsync("Ana", "de la Vega");
        await crm.ContactAsync("Jo", "Nguyen");
        foreach (var (first, last) in new[] { ("Jürgen", "Müller"), ("Zoë", "O'Brien"), ("Ana", "de la Cruz"), ("Jo", "Ng") })
            await crm.ContactAsync(first, last);

        await using var turn = crm.Turn();
        var found = await turn.Get<CrmSearch>().FindContactsAsync(query, 5, default);
        Assert.Equal(expected, found[0].Item.FullName);
    }

    [Fact]
    public async Task TwoContactsWithTheSameName_AreBothFound_AsEquallyGood()
    {
        using var crm = new CrmHost(provider: provider);
        var first = await crm.ContactAsync("Jane", "Doe", "Acme Inc");
        var second = await crm.ContactAsync("Jane", "Doe", "Globex");
        await crm.ContactAsync("Jane", "Doerr");

        await using var turn = crm.Turn();
        var found = await turn.Get<CrmSearch>().FindContactsAsync("jane doe", 5, default);
        Assert.Equal([(first.Id, 1.0), (second.Id, 1.0)], found.Select(m => (m.Item.Id, m.Score)).ToList());
        Assert.Equal(["Acme Inc", "Globex"], found.Select(m => m.Item.Company?.Name).ToList());
        Assert.Single(await turn.Get<CrmSearch>().FindContactsAsync("jane doe", 1, default));
    }

    [Fact]
    public async Task Renamed_AndDeleted_Contacts_AreFoundByTheNewName_NotTheOld()
    {
        using var crm = new CrmHost(provider: provider);
        var jane = await crm.ContactAsync("Jane", "Doe");
        var gone = await crm.ContactAsync("Peter", "Gibbons");
        await using (var turn = crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            var c = await db.Contacts.SingleAsync(x => x.Id == jane.Id);
            c.LastName = "Okafor";
            db.Contacts.Remove(await db.Contacts.SingleAsync(x => x.Id == gone.Id));
            await db.SaveChangesAsync();
            Assert.Equal("jane okafor", c.SearchName);
        }

        await using var check = crm.Turn();
        var search = check.Get<CrmSearch>();
        Assert.Equal("Jane Okafor", Assert.Single(await search.FindContactsAsync("okafor", 5, default)).Item.FullName);
        Assert.Empty(await search.FindContactsAsync("jane doe", 5, default));
        Assert.Empty(await search.FindContactsAsync("gibbons", 5, default));
    }
}

public class ContactSummaryTests
{
    [Fact]
    public async Task Summary_ContactCompanyOpenDealsLastFiveActivitiesNextFollowUp()
    {
        using var crm = new CrmHost();
        var ana = await crm.MemberAsync("Ana");
        var jane = await crm.ContactAsync("Jane", "Doe", "Acme Inc");
        var john = await crm.ContactAsync("John", "Doe", "Acme Inc");
        var other = await crm.ContactAsync("Peter", "Gibbons", "Initech");
        await crm.DealAsync("Renewal", ana, "Negotiation", jane.Id, 48_000m);
        await crm.DealAsync("Add-on", ana, "Lead", john.Id, 9_500m);           // same company
        await crm.DealAsync("Old win", ana, "Closed Won", jane.Id);
        await crm.DealAsync("Initech", ana, "Lead", other.Id);
        var actor = MemberService.ActorFor(ana, "slack");
        await using (var turn = crm.Turn())
        {
            var activities = turn.Get<ActivityService>();
            var start = crm.Clock.GetUtcNow().UtcDateTime;
            for (var i = 1; i <= 7; i++)
                await activities.LogAsync(new LogActivity(jane.Id, ActivityType.Call, $"call {i}", OccurredAt: start.AddDays(-10 + i)), actor, default);
            var followUps = turn.Get<FollowUpService>();
            await followUps.CreateAsync(new NewFollowUp("later", new DateOnly(2026, 12, 10)), jane.Id, null, actor, default);
            var done = await followUps.CreateAsync(new NewFollowUp("done", new DateOnly(2026, 11, 23)), jane.Id, null, actor, default);
            await followUps.CompleteAsync(done.Id, actor, default);
            await followUps.CreateAsync(new NewFollowUp("next", new DateOnly(2026, 11, 25)), jane.Id, null, actor, default);
        }

        await using var check = crm.Turn();
        var summary = await check.Get<CrmSearch>().SummaryAsync(jane.Id, default);
        Assert.NotNull(summary);
        Assert.Equal("Jane Doe", summary.Contact.FullName);
        Assert.Equal("Acme Inc", summary.Company?.Name);
        Assert.Equal([("Add-on", "Lead", 9_500m), ("Renewal", "Negotiation", 48_000m)],
            summary.OpenDeals.Select(d => (d.Name, d.Stage, d.Amount)).ToList());
        Assert.Equal(["call 7", "call 6", "call 5", "call 4", "call 3"], summary.LastActivities.Select(a => a.Notes).ToList());
        Assert.Equal("next", summary.NextFollowUp?.Title);
        Assert.Null(await check.Get<CrmSearch>().SummaryAsync(9999, default));
    }
}
