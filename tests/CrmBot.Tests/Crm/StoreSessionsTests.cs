using System.Data;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Tests.Crm;

/// <summary>
/// The service's reused contexts (<see cref="StoreSessions"/>) and the prepared statements kept on their
/// connections (<see cref="StatementCache"/>), on a real SQLite file as the service opens it.
/// </summary>
public sealed class StoreSessionsTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"crmbot-sessions-{Guid.NewGuid():N}.db");
    private readonly StoreSessions _sessions;

    public StoreSessionsTests()
    {
        var options = CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), ConnectionString).Options;
        _sessions = new StoreSessions((DbContextOptions<CrmDbContext>)options, TimeProvider.System);
        using var db = _sessions.Rent();
        new StoreMigrator(db).MigrateAsync().GetAwaiter().GetResult();
    }

    private string ConnectionString => $"Data Source={_path}";

    public void Dispose()
    {
        _sessions.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(_path) + "*")) File.Delete(f);
    }

    private static Member NewMember(string userId) =>
        new() { Channel = "teams", TenantId = "t1", UserId = userId, DisplayName = "Member " + userId, CreatedAt = DateTime.UtcNow };

    /// <summary>What the store holds, read on a connection of its own.</summary>
    private async Task<List<string>> UserIdsAsync()
    {
        var options = CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), ConnectionString).Options;
        await using var db = new CrmDbContext((DbContextOptions<CrmDbContext>)options);
        return await db.Members.OrderBy(m => m.UserId).Select(m => m.UserId).ToListAsync();
    }

    /// <summary>
    /// Memory held by the statements compiled on the native connection right now, whoever holds them:
    /// it stays up while a statement is kept, and falls back when it is finalized.
    /// </summary>
    private static int StatementMemory(CrmDbContext db)
    {
        const int SqliteDbStatusStmtUsed = 3;
        var handle = ((SqliteConnection)db.Database.GetDbConnection()).Handle!;
        Assert.Equal(0, SQLitePCL.raw.sqlite3_db_status(handle, SqliteDbStatusStmtUsed, out var current, out _, 0));
        return current;
    }

    [Fact]
    public async Task AReturnedContext_IsLentAgain_WithItsConnectionStillOpen_AndNothingTracked()
    {
        CrmDbContext first;
        await using (first = _sessions.Rent())
        {
            first.Members.Add(NewMember("u1"));
            await first.SaveChangesAsync();
            first.Members.Add(NewMember("never-saved"));
            Assert.Equal(2, first.ChangeTracker.Entries().Count());
        }

        await using var second = _sessions.Rent();
        Assert.Same(first, second);
        Assert.Equal(ConnectionState.Open, second.Database.GetDbConnection().State);
        Assert.Empty(second.ChangeTracker.Entries());
        // The unsaved entity did not leak into the next unit of work's SaveChanges.
        await second.SaveChangesAsync();
        Assert.Equal(["u1"], await UserIdsAsync());
    }

    [Fact]
    public async Task AReturnedContext_ForgetsTheRowsItsTurnRead()
    {
        int id;
        Member read;
        await using (var first = _sessions.Rent())
        {
            var member = NewMember("u1");
            first.Members.Add(member);
            await first.SaveChangesAsync();
            id = member.Id;
            first.ChangeTracker.Clear();
            read = (await RowReads.FindAsync<Member>(first, id, default))!;
            // Asked again in the same unit of work: the row it read, not a second read.
            Assert.Same(read, await RowReads.FindAsync<Member>(first, id, default));
        }
        await using (var other = new CrmDbContext((DbContextOptions<CrmDbContext>)CrmServiceCollectionExtensions
            .ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), ConnectionString).Options))
        {
            await other.Database.ExecuteSqlAsync($"UPDATE \"Members\" SET \"DisplayName\" = 'renamed' WHERE \"Id\" = {id}");
        }

        await using var second = _sessions.Rent();
        var fresh = (await RowReads.FindAsync<Member>(second, id, default))!;
        Assert.NotSame(read, fresh);
        Assert.Equal("renamed", fresh.DisplayName);
    }

    [Fact]
    public async Task AContextReturnedMidTransaction_IsRolledBackAndDropped_NotLentAgain()
    {
        var first = _sessions.Rent();
        await first.Database.BeginTransactionAsync();
        first.Members.Add(NewMember("half-done"));
        await first.SaveChangesAsync();
        await first.DisposeAsync();   // a cancelled turn: its scope ends before the commit

        Assert.Empty(await UserIdsAsync());
        await using var second = _sessions.Rent();
        Assert.NotSame(first, second);
        Assert.Null(second.Database.CurrentTransaction);
        Assert.Throws<ObjectDisposedException>(() => first.Members.Count());
    }

    [Fact]
    public async Task ConcurrentRenters_GetTheirOwnContexts_AndPastTheLimit_PlainOnes()
    {
        var rented = Enumerable.Range(0, StoreSessions.MaxSessions + 3).Select(_ => _sessions.Rent()).ToList();
        var connections = rented.Select(db => db.Database.GetDbConnection()).ToList();
        Assert.Equal(rented.Count, rented.Distinct().Count());
        Assert.Equal(rented.Count, connections.Distinct().Count());
        // The first MaxSessions hold their connection open; the rest open and close it per statement, as before.
        Assert.All(rented.Take(StoreSessions.MaxSessions), db => Assert.Same(_sessions, db.Sessions));
        Assert.All(connections.Take(StoreSessions.MaxSessions), c => Assert.Equal(ConnectionState.Open, c.State));
        Assert.All(rented.Skip(StoreSessions.MaxSessions), db => Assert.Null(db.Sessions));
        Assert.All(connections.Skip(StoreSessions.MaxSessions), c => Assert.Equal(ConnectionState.Closed, c.State));
        // A plain one works like any context.
        Assert.Equal(0, await rented[^1].Members.CountAsync());
        foreach (var db in rented) db.Dispose();

        var again = Enumerable.Range(0, StoreSessions.MaxSessions + 3).Select(_ => _sessions.Rent()).ToList();
        Assert.Equal(StoreSessions.MaxSessions, again.Count(rented.Contains));
        Assert.Equal(StoreSessions.MaxSessions, again.Count(db => db.Sessions is not null));
        foreach (var db in again) db.Dispose();
    }

    [Fact]
    public async Task ASessionDroppedMidTransaction_FreesItsPlace()
    {
        var all = Enumerable.Range(0, StoreSessions.MaxSessions).Select(_ => _sessions.Rent()).ToList();
        await all[0].Database.BeginTransactionAsync();
        foreach (var db in all) db.Dispose();   // the first goes for good, the others back to the pool

        var next = Enumerable.Range(0, StoreSessions.MaxSessions).Select(_ => _sessions.Rent()).ToList();
        Assert.All(next, db => Assert.Same(_sessions, db.Sessions));
        Assert.DoesNotContain(all[0], next);
        foreach (var db in next) db.Dispose();
    }

    [Fact]
    public void AfterThePoolIsDisposed_ContextsAreClosedOnReturn_AndNoneIsLent()
    {
        var lent = _sessions.Rent();
        var idle = _sessions.Rent();
        var (lentConnection, idleConnection) = (lent.Database.GetDbConnection(), idle.Database.GetDbConnection());
        idle.Dispose();
        Assert.Equal(ConnectionState.Open, idleConnection.State);

        _sessions.Dispose();
        Assert.Equal(ConnectionState.Closed, idleConnection.State);
        lent.Dispose();   // a turn that outlived the host
        Assert.Equal(ConnectionState.Closed, lentConnection.State);
        Assert.Throws<ObjectDisposedException>(() => _sessions.Rent());
    }

    [Fact]
    public async Task ThroughDependencyInjection_EachScopeBorrows_AndTheNextScopeGetsItBack()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Crm"] = ConnectionString }).Build();
        await using var provider = new ServiceCollection().AddLogging().AddCrm(configuration).AddStoreSessions().BuildServiceProvider();

        CrmDbContext first, concurrent;
        await using (var scope = provider.CreateAsyncScope())
        {
            first = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
            Assert.Same(first, scope.ServiceProvider.GetRequiredService<CrmDbContext>());
            await using var other = provider.CreateAsyncScope();
            concurrent = other.ServiceProvider.GetRequiredService<CrmDbContext>();
            Assert.NotSame(first, concurrent);
            first.Members.Add(NewMember("u2"));
            await first.SaveChangesAsync();
        }
        await using (var scope = provider.CreateAsyncScope())
        {
            var next = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
            Assert.True(ReferenceEquals(next, first) || ReferenceEquals(next, concurrent));
            Assert.Equal("u2", (await next.Members.SingleAsync()).UserId);
        }
    }

    [Fact]
    public async Task ARepeatedQuery_IsCompiledOnce_AndEachRunBindsItsOwnValues()
    {
        await using (var db = _sessions.Rent())
        {
            db.Members.AddRange(NewMember("a"), NewMember("b"), NewMember("c"));
            await db.SaveChangesAsync();
        }

        await using var session = _sessions.Rent();
        Assert.True(StatementCache.TryGet(session.Database.GetDbConnection(), out var cache));
        async Task<string> NameOf(string userId) =>
            (await session.Members.AsNoTracking().SingleAsync(m => m.UserId == userId)).DisplayName;

        var statements = StatementMemory(session);
        var cached = cache.Count;
        Assert.Equal("Member a", await NameOf("a"));
        // Compiled, and kept compiled after its command was disposed.
        var kept = StatementMemory(session);
        Assert.True(kept > statements, $"{kept} > {statements}");
        Assert.Equal(cached + 1, cache.Count);

        Assert.Equal("Member b", await NameOf("b"));
        Assert.Equal("Member c", await NameOf("c"));
        Assert.Equal("Member a", await NameOf("a"));
        Assert.Equal(kept, StatementMemory(session));
        Assert.Equal(cached + 1, cache.Count);
    }

    [Fact]
    public async Task WithoutSessions_NothingIsCached()
    {
        // The CLI's and the tests' contexts: commands as before, statements gone after each one.
        var options = CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), ConnectionString).Options;
        await using var db = new CrmDbContext((DbContextOptions<CrmDbContext>)options);
        await db.Database.OpenConnectionAsync();
        var before = StatementMemory(db);
        await db.Members.CountAsync();
        Assert.False(StatementCache.TryGet(db.Database.GetDbConnection(), out _));
        Assert.Equal(before, StatementMemory(db));
    }

    [Fact]
    public async Task TheSameStatement_WhileItsReaderIsOpen_RunsOnASecondCommand()
    {
        await using var db = _sessions.Rent();
        db.Members.AddRange(NewMember("x"), NewMember("y"));
        await db.SaveChangesAsync();
        var connection = db.Database.GetDbConnection();
        const string sql = "SELECT \"UserId\" FROM \"Members\" WHERE \"UserId\" >= @from ORDER BY \"UserId\"";

        await using var outer = StatementCache.CreateCommand(connection);
        outer.CommandText = sql;
        outer.Parameters.Add(new SqliteParameter("@from", "x"));
        await using var reader = await outer.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("x", reader.GetString(0));

        await using var inner = StatementCache.CreateCommand(connection);
        inner.CommandText = sql;
        inner.Parameters.Add(new SqliteParameter("@from", "y"));
        Assert.Equal("y", await inner.ExecuteScalarAsync());

        // The outer reader was not disturbed by the inner run.
        Assert.True(await reader.ReadAsync());
        Assert.Equal("y", reader.GetString(0));
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task CachedStatements_RunInTheCallersTransaction()
    {
        await using var db = _sessions.Rent();
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await db.Database.ExecuteSqlAsync($"""INSERT INTO "ProcessedInbound" ("Channel", "DeliveryId", "ReceivedAt", "Attempts") VALUES ('teams', 'd1', {DateTime.UtcNow}, 0)""");
            await tx.RollbackAsync();
        }
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await db.Database.ExecuteSqlAsync($"""INSERT INTO "ProcessedInbound" ("Channel", "DeliveryId", "ReceivedAt", "Attempts") VALUES ('teams', 'd2', {DateTime.UtcNow}, 0)""");
            await tx.CommitAsync();
        }
        Assert.Equal(["d2"], await db.ProcessedInbound.Select(p => p.DeliveryId).ToListAsync());
    }

    [Fact]
    public async Task PastItsCapacity_TheCacheStopsGrowing_AndStatementsStillRun()
    {
        await using var db = _sessions.Rent();
        Assert.True(StatementCache.TryGet(db.Database.GetDbConnection(), out var cache));
        var room = StatementCache.Capacity - cache.Count;
        var full = 0;
        for (var i = 0; i < room + 20; i++)
        {
            if (i == room) full = StatementMemory(db);
            // A distinct text each time (a constant, not a parameter), so each is a new statement.
            var sql = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SELECT {i} AS \"Value\"");
            Assert.Equal((long)i, await db.Database.SqlQueryRaw<long>(sql).SingleAsync());
        }
        Assert.Equal(StatementCache.Capacity, cache.Count);
        // The twenty past the limit were compiled for their run and dropped, as without a cache.
        Assert.Equal(full, StatementMemory(db));
    }

    [Fact]
    public async Task ACachedStatement_SurvivesASchemaChange()
    {
        await using var db = _sessions.Rent();
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE Scratch (A INTEGER)");
        await db.Database.ExecuteSqlRawAsync("INSERT INTO Scratch VALUES (1)");
        const string count = "SELECT COUNT(*) AS \"Value\" FROM Scratch";
        Assert.Equal(1, await db.Database.SqlQueryRaw<int>(count).SingleAsync());

        await db.Database.ExecuteSqlRawAsync("ALTER TABLE Scratch ADD COLUMN B TEXT");
        await db.Database.ExecuteSqlRawAsync("INSERT INTO Scratch VALUES (2, 'b')");
        Assert.Equal(2, await db.Database.SqlQueryRaw<int>(count).SingleAsync());
    }
}
