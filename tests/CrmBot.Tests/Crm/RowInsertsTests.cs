using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Crm;

/// <summary>The turn's fast INSERTs must store exactly what SaveChanges stores, column for column.</summary>
public class RowInsertsTests
{
    [Fact]
    public async Task ActivityFollowUpAndAuditRows_SameColumnsAndValuesAsSaveChanges()
    {
        using var crm = new CrmHost();
        var rep = await crm.MemberAsync("Ana", "Europe/Berlin");
        var jane = await crm.ContactAsync("Jane", "Doe", "Acme Inc");
        var at = new DateTime(2026, 11, 20, 9, 30, 15, 123, DateTimeKind.Utc).AddTicks(4567);

        Activity NewActivity() => new()
        {
            Type = ActivityType.Meeting, Notes = "pricing, \"quoted\"", Outcome = null, OccurredAt = at, ContactId = jane.Id,
            LoggedById = rep.Id, Channel = "msteams", MessageLink = "https://x.example/m", CreatedAt = at.AddSeconds(1),
        };
        FollowUp NewFollowUp(int activityId) => new()
        {
            Title = "Send the quote", DueAt = at.AddDays(2), Status = FollowUpStatus.Snoozed, ContactId = jane.Id, DealId = null,
            AssigneeId = rep.Id, ActivityId = activityId, CreatedAt = at, CompletedAt = null,
        };
        AuditEntry NewAudit(string entityId) => new()
        {
            At = at, MemberId = rep.Id, Actor = "Ana", Channel = "msteams", EntityType = "Activity", EntityId = entityId,
            Action = "created", OldValue = null, NewValue = "Meeting with Jane Doe",
        };

        int tracked, fast;
        await using (var turn = crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            var a = NewActivity();
            db.Activities.Add(a);
            await db.SaveChangesAsync();
            db.FollowUps.Add(NewFollowUp(a.Id));
            db.AuditEntries.Add(NewAudit("rows-test"));
            await db.SaveChangesAsync();
            tracked = a.Id;
        }
        await using (var turn = crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            var a = NewActivity();
            await RowInserts.InsertAsync(db, a);
            Assert.True(a.Id > tracked);
            var f = NewFollowUp(a.Id);
            await RowInserts.InsertAsync(db, f);
            Assert.True(f.Id > 0);
            var e = NewAudit("rows-test");
            await RowInserts.InsertAsync(db, e);
            Assert.True(e.Id > 0);
            await tx.CommitAsync();
            fast = a.Id;
        }

        await using var check = crm.Turn();
        var store = check.Get<CrmDbContext>();
        Assert.Equal(await RowAsync(store, "Activities", $"Id = {tracked}"), await RowAsync(store, "Activities", $"Id = {fast}"));
        Assert.Equal(await RowAsync(store, "FollowUps", $"ActivityId = {tracked}"),
            (await RowAsync(store, "FollowUps", $"ActivityId = {fast}")).Replace($"ActivityId={fast}", $"ActivityId={tracked}"));
        var audits = await store.AuditEntries.AsNoTracking().Where(x => x.EntityId == "rows-test").Select(x => x.Id).ToListAsync();
        Assert.Equal(2, audits.Count);
        Assert.Equal(await RowAsync(store, "AuditEntries", $"Id = {audits[0]}"), await RowAsync(store, "AuditEntries", $"Id = {audits[1]}"));
        // And it reads back through EF as written.
        var read = await store.FollowUps.AsNoTracking().SingleAsync(x => x.ActivityId == fast);
        Assert.Equal((FollowUpStatus.Snoozed, at.AddDays(2), DateTimeKind.Utc), (read.Status, read.DueAt, read.DueAt.Kind));
    }

    [Fact]
    public async Task OutsideATransaction_Refused_AndWritesNothing()
    {
        using var crm = new CrmHost();
        var rep = await crm.MemberAsync("Ana");
        await using var turn = crm.Turn();
        var db = turn.Get<CrmDbContext>();
        var entry = new AuditEntry { At = DateTime.UtcNow, MemberId = rep.Id, Actor = "Ana", Channel = "x", EntityType = "T", EntityId = "9", Action = "a" };
        var before = await db.AuditEntries.CountAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => RowInserts.InsertAsync(db, entry));

        Assert.Equal(before, await db.AuditEntries.CountAsync());
    }

    /// <summary>Every column but the key, each as SQLite's quote() shows it: value and storage class (TEXT vs INTEGER).</summary>
    private static async Task<string> RowAsync(CrmDbContext db, string table, string where)
    {
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        var columns = new List<string>();
        await using (var info = connection.CreateCommand())
        {
            info.CommandText = $"SELECT name FROM pragma_table_info('{table}') WHERE name <> 'Id'";
            await using var r = await info.ExecuteReaderAsync();
            while (await r.ReadAsync()) columns.Add(r.GetString(0));
        }
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(" || ';' || ", columns.Select(c => $"'{c}=' || quote(\"{c}\")"))} FROM \"{table}\" WHERE {where}";
        return (string?)await command.ExecuteScalarAsync() ?? throw new Xunit.Sdk.XunitException($"no row in {table} where {where}");
    }
}
