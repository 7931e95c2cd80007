using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Crm;

/// <summary>The turn's prepared reads must give what EF's queries give, property for property, and respect tracking.</summary>
public class RowReadsTests
{
    private static readonly DateTime At = new DateTime(2026, 11, 20, 9, 30, 15, 123, DateTimeKind.Utc).AddTicks(4567);

    [Fact]
    public async Task EveryColumnOfTheTurnsRows_ReadsAsEfReadsIt()
    {
        using var crm = new CrmHost();
        int memberId, contactId, companyId;
        await using (var turn = crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            var member = new Member
            {
                Channel = "msteams", TenantId = "t-1", UserId = "29:ana", AadObjectId = "aad-1", DisplayName = "Ana Ölund",
                Email = "ana@example.com", Role = MemberRole.Manager, TimeZone = "Europe/Berlin", DigestEnabled = false,
                DigestTime = new TimeOnly(7, 45), StageNotifications = NotificationPreference.Digest, CreatedAt = At, LastSeenAt = At.AddMinutes(3),
            };
            var company = new Company { Name = "Acme, Inc.", NormalizedName = "acme", Domain = "acme.example", CreatedAt = At };
            db.AddRange(member, company);
            await db.SaveChangesAsync();
            var contact = new Contact
            {
                FirstName = "Jürgen", LastName = "Moreau", Email = "j@acme.example", Phone = "+4930123456", PhoneExtension = "12",
                Title = "CTO", Country = "DE", CompanyId = company.Id, OwnerId = member.Id, SearchName = "jurgen moreau", CreatedAt = At, UpdatedAt = At.AddDays(1),
            };
            db.Contacts.Add(contact);
            db.DialogStates.Add(new DialogState { ConversationId = "conv-1", MemberId = member.Id, DialogName = "log", StateJson = "{\"a\":1}", UpdatedAt = At, Version = 3 });
            await db.SaveChangesAsync();
            (memberId, contactId, companyId) = (member.Id, contact.Id, company.Id);
        }

        await using var check = crm.Turn();
        var store = check.Get<CrmDbContext>();
        AssertSame(store, await store.Members.AsNoTracking().SingleAsync(m => m.Id == memberId), await RowReads.FindAsync<Member>(store, memberId, default));
        AssertSame(store, await store.Contacts.AsNoTracking().SingleAsync(c => c.Id == contactId), await RowReads.FindAsync<Contact>(store, contactId, default));
        AssertSame(store, await store.Companies.AsNoTracking().SingleAsync(c => c.Id == companyId), await RowReads.FindAsync<Company>(store, companyId, default));
        AssertSame(store, await store.DialogStates.AsNoTracking().SingleAsync(),
            await DialogStates.FindAsync(store, "conv-1", memberId, default));
        Assert.Empty(store.ChangeTracker.Entries());
    }

    [Fact]
    public async Task EveryMappedType_HasColumnsItCanRead()
    {
        // A type RowReads could not read would fail at its first turn; here instead.
        using var crm = new CrmHost();
        await using var turn = crm.Turn();
        var db = turn.Get<CrmDbContext>();
        var read = typeof(RowReads).GetMethod(nameof(RowReads.WhereAsync), System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!;
        foreach (var type in db.Model.GetEntityTypes().Where(t => t.GetTableName() is not null && !t.HasSharedClrType && t.FindPrimaryKey() is not null))
        {
            var task = (Task)read.MakeGenericMethod(type.ClrType).Invoke(null, [db, "0", Array.Empty<object?>(), CancellationToken.None])!;
            await task;
        }
    }

    [Fact]
    public async Task ARowTheContextTracks_ComesBackAsItsTrackedInstance_OthersUntracked()
    {
        using var crm = new CrmHost();
        var jane = await crm.ContactAsync("Jane", "Doe");
        var john = await crm.ContactAsync("John", "Doe");
        await using var turn = crm.Turn();
        var db = turn.Get<CrmDbContext>();
        var tracked = await db.Contacts.SingleAsync(c => c.Id == jane.Id);
        tracked.Title = "pending, unsaved";

        var rows = await RowReads.WhereAsync<Contact>(db, "\"LastName\" = @p0 ORDER BY \"Id\"", ["Doe"], default);

        Assert.Equal([jane.Id, john.Id], rows.Select(r => r.Id));
        Assert.Same(tracked, rows[0]);
        Assert.Equal(EntityState.Detached, db.Entry(rows[1]).State);
        Assert.Same(tracked, await RowReads.FindAsync<Contact>(db, jane.Id, default));
        Assert.Null(await RowReads.FindAsync<Contact>(db, 999_999, default));
    }

    [Fact]
    public async Task Track_SavesWhatIsChangedAfterIt_AndPrefersTheTrackedInstance()
    {
        using var crm = new CrmHost();
        var jane = await crm.ContactAsync("Jane", "Doe");
        await using (var turn = crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            var row = (await RowReads.FindAsync<Contact>(db, jane.Id, default))!;
            var same = RowReads.Track(db, row);
            Assert.Same(row, same);
            same.Title = "VP Sales";
            Assert.Equal(1, await db.SaveChangesAsync());
            // A second read of the same row is the instance tracked now.
            var again = (await RowReads.FindAsync<Contact>(db, jane.Id, default))!;
            Assert.Same(row, again);
            var copy = (await RowReads.WhereAsync<Contact>(db, "\"Id\" = @p0", [jane.Id], default))[0];
            Assert.Same(row, copy);
        }
        await using var check = crm.Turn();
        Assert.Equal("VP Sales", (await check.Get<CrmDbContext>().Contacts.SingleAsync(c => c.Id == jane.Id)).Title);
    }

    [Fact]
    public async Task InsideATransaction_SeesItsWrites_AndLeavesAClosedConnectionClosed()
    {
        using var crm = new CrmHost();
        var jane = await crm.ContactAsync("Jane", "Doe");
        await using var turn = crm.Turn();
        var db = turn.Get<CrmDbContext>();
        var closed = db.Database.GetDbConnection().State;

        Assert.NotNull(await RowReads.FindAsync<Contact>(db, jane.Id, default));
        Assert.Equal(closed, db.Database.GetDbConnection().State);

        await using var tx = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlAsync($"UPDATE \"Contacts\" SET \"Title\" = 'in tx' WHERE \"Id\" = {jane.Id}");
        Assert.Equal("in tx", (await RowReads.FirstAsync<Contact>(db, "\"Id\" = @p0", [jane.Id], default))!.Title);
    }

    [Fact]
    public async Task ALongLivedContext_KeepsOnlyTheLatestRowsItRead()
    {
        using var crm = new CrmHost();
        var ids = new List<int>();
        for (var i = 0; i < RowReads.RowsKept + 10; i++) ids.Add((await crm.ContactAsync("Contact", $"N{i}")).Id);
        await using var turn = crm.Turn();
        var db = turn.Get<CrmDbContext>();

        foreach (var id in ids) Assert.NotNull(await RowReads.FindAsync<Contact>(db, id, default));

        Assert.InRange(db.ReadRows.Count, 1, RowReads.RowsKept);
        Assert.Contains((typeof(Contact), ids[^1]), db.ReadRows.Keys);
    }

    /// <summary>Every mapped property of <paramref name="expected"/> (EF's read) equals the row read by RowReads, DateTime kinds included.</summary>
    private static void AssertSame<T>(CrmDbContext db, T expected, T? actual) where T : class
    {
        Assert.NotNull(actual);
        foreach (var property in db.Model.FindEntityType(typeof(T))!.GetProperties())
        {
            var want = property.PropertyInfo!.GetValue(expected);
            var got = property.PropertyInfo!.GetValue(actual);
            Assert.True(Equals(want, got), $"{typeof(T).Name}.{property.Name}: EF read {want}, RowReads {got}");
            if (want is DateTime w) Assert.Equal(w.Kind, ((DateTime)got!).Kind);
        }
    }
}
