using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CrmBot.Tests.Crm.Services;

public class MemberServiceTests
{
    private static CrmHost WithAdmins(params string[] admins) => new(settings:
        admins.Select((a, i) => new KeyValuePair<string, string?>($"Crm:Admins:{i}", a)).ToDictionary());

    [Fact]
    public async Task Resolve_FirstSight_CreatesRepWithZoneAndAudits_SecondSightIsSameMember()
    {
        using var crm = new CrmHost();
        Member first;
        await using (var turn = crm.Turn())
            first = await turn.Get<MemberService>().ResolveAsync(
                new MemberIdentity("msteams", "tenant-1", "29:abc", "Ana Lima", "America/Sao_Paulo", " Ana@Example.COM ", "aad-1"), default);

        Assert.Equal(("Ana Lima", MemberRole.Rep, "America/Sao_Paulo", "ana@example.com", "aad-1"),
            (first.DisplayName, first.Role, first.TimeZone, first.Email, first.AadObjectId));
        Assert.Equal(crm.Clock.GetUtcNow().UtcDateTime, first.CreatedAt);

        crm.Clock.Advance(TimeSpan.FromHours(2));
        await using (var turn = crm.Turn())
        {
            var again = await turn.Get<MemberService>().ResolveAsync(new MemberIdentity("msteams", "tenant-1", "29:abc"), default);
            Assert.Equal(first.Id, again.Id);
            Assert.Equal("Ana Lima", again.DisplayName);                 // not given → kept
            Assert.Equal(crm.Clock.GetUtcNow().UtcDateTime, again.LastSeenAt);
        }

        await using var check = crm.Turn();
        var db = check.Get<CrmDbContext>();
        Assert.Single(db.Members);
        var created = Assert.Single(db.AuditEntries);
        Assert.Equal(("Member", first.Id.ToString(), "created", "msteams"), (created.EntityType, created.EntityId, created.Action, created.Channel));
    }

    [Fact]
    public async Task Resolve_SameUserIdInAnotherTenantOrChannel_IsAnotherMember()
    {
        using var crm = new CrmHost();
        await using var turn = crm.Turn();
        var members = turn.Get<MemberService>();
        var a = await members.ResolveAsync(new MemberIdentity("slack", "T1", "U1"), default);
        var b = await members.ResolveAsync(new MemberIdentity("slack", "T2", "U1"), default);
        var c = await members.ResolveAsync(new MemberIdentity("msteams", "T1", "U1"), default);
        Assert.Equal(3, new[] { a.Id, b.Id, c.Id }.Distinct().Count());
        Assert.Equal("U1", a.DisplayName);   // no name given: the user id stands in
    }

    [Fact]
    public async Task Resolve_ChangedNameZoneEmail_AreRefreshedAndAudited_UnknownZoneIgnored()
    {
        using var crm = new CrmHost();
        var id = new MemberIdentity("slack", "T1", "U1", "Ana", "Europe/Lisbon", "ana@old.example");
        await using (var turn = crm.Turn()) await turn.Get<MemberService>().ResolveAsync(id, default);
        await using (var turn = crm.Turn())
        {
            var m = await turn.Get<MemberService>().ResolveAsync(id with { DisplayName = "Ana Lima", TimeZone = "Not/AZone", Email = "ana@new.example" }, default);
            Assert.Equal(("Ana Lima", "Europe/Lisbon", "ana@new.example"), (m.DisplayName, m.TimeZone, m.Email));
            m = await turn.Get<MemberService>().ResolveAsync(id with { TimeZone = "Asia/Kolkata" }, default);
            Assert.Equal("Asia/Kolkata", m.TimeZone);
        }

        var updates = (await crm.AuditAsync()).Where(a => a.Action == "updated").Select(a => $"{a.OldValue} → {a.NewValue}").ToList();
        Assert.Equal(
        [
            "DisplayName: Ana → DisplayName: Ana Lima",
            "Email: ana@old.example → Email: ana@new.example",
            // The second call passes the original name and email again: the channel is the source of truth.
            "DisplayName: Ana Lima → DisplayName: Ana",
            "Email: ana@new.example → Email: ana@old.example",
            "TimeZone: Europe/Lisbon → TimeZone: Asia/Kolkata",
        ], updates);
    }

    [Fact]
    public async Task Resolve_NewMemberWithUnknownZone_StartsInUtc()
    {
        using var crm = new CrmHost();
        await using var turn = crm.Turn();
        var m = await turn.Get<MemberService>().ResolveAsync(new MemberIdentity("slack", "T1", "U1", TimeZone: "Mars/Olympus"), default);
        Assert.Equal("UTC", m.TimeZone);
    }

    [Theory]
    [InlineData("U-ADMIN", null, MemberRole.Admin)]
    [InlineData("u-admin", null, MemberRole.Admin)]
    [InlineData("U2", "Boss@Example.com", MemberRole.Admin)]
    [InlineData("U3", "rep@example.com", MemberRole.Rep)]
    public async Task Resolve_ConfiguredAdmins_ByUserIdOrEmail(string userId, string? email, MemberRole expected)
    {
        using var crm = WithAdmins("U-ADMIN", "boss@example.com");
        await using var turn = crm.Turn();
        var m = await turn.Get<MemberService>().ResolveAsync(new MemberIdentity("slack", "T1", userId, Email: email), default);
        Assert.Equal(expected, m.Role);
    }

    [Fact]
    public async Task Resolve_ConfiguredAdmins_ByAadObjectId_AndWhenAnExistingMembersEmailBecomesKnown()
    {
        using var crm = WithAdmins("aad-boss", "late@example.com");
        await using var turn = crm.Turn();
        var members = turn.Get<MemberService>();
        var byAad = await members.ResolveAsync(new MemberIdentity("msteams", "T1", "29:boss", AadObjectId: "AAD-BOSS"), default);
        Assert.Equal((MemberRole.Admin, AdminGrant.Config), (byAad.Role, byAad.AdminGrant));

        var late = await members.ResolveAsync(new MemberIdentity("slack", "T1", "U-late"), default);
        Assert.Equal(MemberRole.Rep, late.Role);
        late = await members.ResolveAsync(new MemberIdentity("slack", "T1", "U-late", Email: "Late@Example.com"), default);
        Assert.Equal((MemberRole.Admin, AdminGrant.Config), (late.Role, late.AdminGrant));
        var role = Assert.Single(await crm.AuditAsync(), a => a.Action == "role");
        Assert.Equal((late.Id.ToString(), "Rep", "Admin", "config", (int?)null), (role.EntityId, role.OldValue, role.NewValue, role.Channel, role.MemberId));
    }

    [Fact]
    public async Task SetRole_ByAdmin_ChangesAndAudits_ByRepIsRefused_LastAdminCannotStepDown()
    {
        using var crm = WithAdmins("U-boss");
        var boss = await crm.MemberAsync("boss");       // user id "U-boss"
        var rep = await crm.MemberAsync("rep");
        Assert.Equal(MemberRole.Admin, boss.Role);

        await using (var turn = crm.Turn())
        {
            var members = turn.Get<MemberService>();
            var promoted = await members.SetRoleAsync(rep.Id, MemberRole.Manager, MemberService.ActorFor(boss, "msteams"), default);
            Assert.Equal(MemberRole.Manager, promoted.Role);
            await Assert.ThrowsAsync<CrmException>(() => members.SetRoleAsync(boss.Id, MemberRole.Rep, MemberService.ActorFor(rep, "msteams"), default));
            await Assert.ThrowsAsync<CrmException>(() => members.SetRoleAsync(boss.Id, MemberRole.Rep, MemberService.ActorFor(boss, "msteams"), default));
            await Assert.ThrowsAsync<CrmException>(() => members.SetRoleAsync(999, MemberRole.Rep, MemberService.ActorFor(boss, "msteams"), default));
        }

        await using var check = crm.Turn();
        var db = check.Get<CrmDbContext>();
        Assert.Equal(MemberRole.Admin, (await db.Members.SingleAsync(m => m.Id == boss.Id)).Role);
        var audit = Assert.Single(db.AuditEntries, a => a.Action == "role");
        Assert.Equal((rep.Id.ToString(), "Rep", "Manager", "boss", boss.Id), (audit.EntityId, audit.OldValue, audit.NewValue, audit.Actor, audit.MemberId));
    }

    [Fact]
    public void ActorFor_CarriesIdNameAndChannel()
    {
        var m = new Member { Id = 7, Channel = "slack", TenantId = "T", UserId = "U", DisplayName = "Ana" };
        Assert.Equal(new Actor(7, "Ana", "terminal"), MemberService.ActorFor(m, "terminal"));
    }

    [Fact]
    public async Task Resolve_LastSeenAt_MovesOnOnlyWhenItIsAFewMinutesOld()
    {
        using var crm = new CrmHost();
        var identity = new MemberIdentity("slack", "T1", "U1", "Ana");
        async Task<DateTime?> SeenAsync()
        {
            await using var turn = crm.Turn();
            await turn.Get<MemberService>().ResolveAsync(identity, default);
            await using var check = crm.Turn();
            return (await check.Get<CrmDbContext>().Members.AsNoTracking().SingleAsync()).LastSeenAt;
        }

        var first = await SeenAsync();
        Assert.Equal(crm.Clock.GetUtcNow().UtcDateTime, first);
        crm.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(first, await SeenAsync());                         // a message a minute: no write each time
        crm.Clock.Advance(MemberService.LastSeenGranularity - TimeSpan.FromMinutes(4) + TimeSpan.FromTicks(1234567));
        Assert.Equal(crm.Clock.GetUtcNow().UtcDateTime, await SeenAsync());

        // Moved on by its own UPDATE: stored as EF stores every instant, so text comparisons in SQL still order it.
        await using var raw = crm.Turn();
        var db = raw.Get<CrmDbContext>();
        var stored = await db.Database.SqlQuery<string>($"""SELECT "LastSeenAt" AS "Value" FROM "Members" """).SingleAsync();
        Assert.Equal(crm.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture), stored);
    }

    [Fact]
    public async Task Resolve_InAChatTurn_LastSeenAtGoesWithTheTurnsCommit_StoredAsEfStoresIt()
    {
        using var crm = new CrmHost();
        var identity = new MemberIdentity("slack", "T1", "U1", "Ana");
        await using (var first = crm.Turn())
            await first.Get<MemberService>().ResolveAsync(identity, default);
        crm.Clock.Advance(MemberService.LastSeenGranularity + TimeSpan.FromTicks(1234567));
        async Task<string> StoredAsync()
        {
            await using var check = crm.Turn();
            return await check.Get<CrmDbContext>().Database.SqlQuery<string>($"""SELECT "LastSeenAt" AS "Value" FROM "Members" """).SingleAsync();
        }
        var before = await StoredAsync();

        await using var turn = crm.Turn();
        var db = turn.Get<CrmDbContext>();
        DeferredWrites.Begin(db);
        await turn.Get<MemberService>().ResolveAsync(identity, default);
        Assert.Equal(before, await StoredAsync());   // waiting for the turn's commit
        await DeferredWrites.CommitAsync(db, default);

        Assert.Equal(crm.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture), await StoredAsync());
    }

    [Fact]
    public async Task Resolve_LosingTheFirstSightRace_ReturnsTheWinnersMember()
    {
        var path = Path.Combine(Path.GetTempPath(), $"crmbot-race-{Guid.NewGuid():N}.db");
        try
        {
            var clock = new ManualClock();
            var builder = new DbContextOptionsBuilder<CrmDbContext>();
            var rival = new RivalInsertsAfterLookup($"Data Source={path}");
            CrmServiceCollectionExtensions.ConfigureStore(builder, $"Data Source={path}").AddInterceptors(rival);
            await using var db = new CrmDbContext(builder.Options, clock);
            await new StoreMigrator(db).MigrateAsync();
            rival.Armed = true;
            var members = new MemberService(db, clock, Options.Create(new CrmOptions()), NullLogger<MemberService>.Instance);

            var member = await members.ResolveAsync(new MemberIdentity("slack", "T1", "U1", "Ana"), default);

            var only = await db.Members.AsNoTracking().SingleAsync();
            Assert.Equal(only.Id, member.Id);
            Assert.Equal(new DateTime(2026, 11, 22, 11, 0, 0, DateTimeKind.Utc), only.CreatedAt);   // the rival's row won
            Assert.Equal("Ana", only.DisplayName);   // the loser's fresher name still lands on the winner's row
            Assert.Equal(clock.GetUtcNow().UtcDateTime, only.LastSeenAt);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*")) File.Delete(f);
        }
    }

    /// <summary>
    /// After our lookup of a member found nothing, and just before our transaction to insert it begins, another
    /// instance's insert of the same identity commits. (The lookup is a prepared read outside EF's pipeline; the
    /// transaction is where EF lets a test in between the two.)
    /// </summary>
    private sealed class RivalInsertsAfterLookup(string connectionString) : DbTransactionInterceptor
    {
        private bool _done;

        /// <summary>Set once the store is migrated (the migration has transactions of its own).</summary>
        public bool Armed { get; set; }

        public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection,
            TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
        {
            if (Armed && !_done)
            {
                _done = true;
                await using var rival = new SqliteConnection(connectionString);
                await rival.OpenAsync(cancellationToken);
                await using var insert = rival.CreateCommand();
                insert.CommandText = "INSERT INTO Members (Channel, TenantId, UserId, DisplayName, Role, AdminGrant, TimeZone, DigestEnabled, StageNotifications, CreatedAt, WeeklyDigestEnabled, WeeklyDigestEveryone) " +
                    "VALUES ('slack', 'T1', 'U1', 'rival', 0, 0, 'UTC', 1, 0, '2026-11-22 11:00:00', 1, 0)";
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            return result;
        }
    }

    [Theory]
    [InlineData("en-US", DateOrder.MonthFirst)]
    [InlineData("en-GB", DateOrder.DayFirst)]
    [InlineData("de-DE", DateOrder.DayFirst)]
    [InlineData("fr-FR", DateOrder.DayFirst)]
    [InlineData("ja-JP", DateOrder.MonthFirst)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void DateOrder_IsReadFromTheLocalesShortDatePattern(string? locale, DateOrder? expected) =>
        Assert.Equal(expected, MemberService.DateOrderOf(locale));

    [Fact]
    public async Task DateOrder_ComesFromTheLocale_OnceKnown_IsNeverOverwrittenByIt()
    {
        using var crm = new CrmHost();
        await using (var turn = crm.Turn())
        {
            var member = await turn.Get<MemberService>().ResolveAsync(new MemberIdentity("msteams", "t", "29:x", "X", Locale: "de-DE"), default);
            Assert.Equal(DateOrder.DayFirst, member.DateOrder);
        }
        await using (var turn = crm.Turn())
        {
            var member = await turn.Get<MemberService>().ResolveAsync(new MemberIdentity("msteams", "t", "29:x", "X", Locale: "en-US"), default);
            Assert.Equal(DateOrder.DayFirst, member.DateOrder);
        }
        await using (var turn = crm.Turn())
        {
            var unknown = await turn.Get<MemberService>().ResolveAsync(new MemberIdentity("slack", "t", "U1", "Y"), default);
            Assert.Null(unknown.DateOrder);
            var later = await turn.Get<MemberService>().ResolveAsync(new MemberIdentity("slack", "t", "U1", "Y", Locale: "en-GB"), default);
            Assert.Equal(DateOrder.DayFirst, later.DateOrder);
        }
    }
}
