using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Crm;

/// <summary>
/// A turn's small writes going with its own commit (<see cref="DeferredWrites"/>), on a real SQLite file through
/// the service's reused contexts. Commits are counted by SQLite itself (its commit hook on the connection).
/// </summary>
public sealed class DeferredWritesTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"crmbot-deferred-{Guid.NewGuid():N}.db");
    private readonly StoreSessions _sessions;
    private readonly InboundDeliveries.InFlight _inFlight = new();

    public DeferredWritesTests()
    {
        _sessions = new StoreSessions(Options, TimeProvider.System);
        using var db = _sessions.Rent();
        new StoreMigrator(db).MigrateAsync().GetAwaiter().GetResult();
    }

    private DbContextOptions<CrmDbContext> Options =>
        (DbContextOptions<CrmDbContext>)CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), $"Data Source={_path}").Options;

    public void Dispose()
    {
        _sessions.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(_path) + "*")) File.Delete(f);
    }

    /// <summary>Counts the commits made on <paramref name="db"/>'s connection from now on.</summary>
    private static Func<int> CountCommits(CrmDbContext db)
    {
        var commits = 0;
        SQLitePCL.raw.sqlite3_commit_hook(((SqliteConnection)db.Database.GetDbConnection()).Handle, _ => { commits++; return 0; }, null);
        return () => commits;
    }

    /// <summary>What the store holds, read on a connection of its own.</summary>
    private async Task<(List<string> Members, List<string> Deliveries)> StoredAsync()
    {
        await using var db = new CrmDbContext(Options);
        return (await db.Members.OrderBy(m => m.UserId).Select(m => m.UserId).ToListAsync(),
            await db.ProcessedInbound.OrderBy(p => p.DeliveryId).Select(p => p.DeliveryId).ToListAsync());
    }

    private static Member NewMember(string userId) =>
        new() { Channel = "msteams", TenantId = "t1", UserId = userId, DisplayName = "Member " + userId, CreatedAt = DateTime.UtcNow };

    private static FormattableString Delivery(string id) =>
        $"""INSERT INTO "ProcessedInbound" ("Channel", "DeliveryId", "ReceivedAt", "Attempts") VALUES ('msteams', {id}, {DateTime.UtcNow}, 0) ON CONFLICT DO NOTHING""";

    [Fact]
    public async Task DeferredWrite_GoesWithTheTurnsOwnCommit_OneCommitInAll()
    {
        await using var db = _sessions.Rent();
        var commits = CountCommits(db);
        DeferredWrites.Begin(db);

        Assert.True(DeferredWrites.TryDefer(db, Delivery("conv|1")));
        Assert.Empty((await StoredAsync()).Deliveries);
        db.Members.Add(NewMember("u1"));
        await db.SaveChangesAsync();   // one INSERT: without a deferring turn it would not even be a transaction
        await DeferredWrites.CommitAsync(db, CancellationToken.None);

        Assert.Equal(1, commits());
        var (members, deliveries) = await StoredAsync();
        Assert.Equal(["u1"], members);
        Assert.Equal(["conv|1"], deliveries);
        Assert.Equal(0, db.Deferred!.Count);
    }

    [Fact]
    public async Task TurnThatCommitsNothing_CommitAsyncCommitsTheDeferredWritesTogether_AndNothingWhenNoneWait()
    {
        await using var db = _sessions.Rent();
        var commits = CountCommits(db);
        DeferredWrites.Begin(db);

        await DeferredWrites.CommitAsync(db, CancellationToken.None);
        Assert.Equal(0, commits());

        DeferredWrites.TryDefer(db, Delivery("conv|1"));
        DeferredWrites.TryDefer(db, Delivery("conv|2"));
        await DeferredWrites.CommitAsync(db, CancellationToken.None);

        Assert.Equal(1, commits());
        Assert.Equal(["conv|1", "conv|2"], (await StoredAsync()).Deliveries);
    }

    [Fact]
    public async Task RolledBackTransaction_UndoesTheDeferredWritesToo_SoTheyWaitForTheNextCommit()
    {
        await using var db = _sessions.Rent();
        DeferredWrites.Begin(db);
        DeferredWrites.TryDefer(db, Delivery("conv|1"));

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            db.Members.Add(NewMember("u1"));
            await db.SaveChangesAsync();
            await tx.RollbackAsync();
        }
        db.ChangeTracker.Clear();
        var (members, deliveries) = await StoredAsync();
        Assert.Empty(members);
        Assert.Empty(deliveries);
        Assert.Equal(1, db.Deferred!.Count);

        await DeferredWrites.CommitAsync(db, CancellationToken.None);
        Assert.Equal(["conv|1"], (await StoredAsync()).Deliveries);
    }

    [Fact]
    public async Task WriteThatMustChangeARow_AndChangesNone_FailsTheCommit_AndTheTurnsWritesAreNotKept()
    {
        await using (var other = _sessions.Rent())
            await other.Database.ExecuteSqlAsync(Delivery("conv|1"));
        await using var db = _sessions.Rent();
        DeferredWrites.Begin(db);
        DeferredWrites.TryDefer(db, Delivery("conv|1"), "taken");
        db.Members.Add(NewMember("u1"));

        var ex = await Assert.ThrowsAsync<DeferredWriteConflictException>(() => db.SaveChangesAsync());

        Assert.Equal("taken", ex.Message);
        Assert.Empty((await StoredAsync()).Members);
    }

    [Fact]
    public async Task ContextOutsideATurn_DefersNothing_AndAReturnedContextForgetsItsTurn()
    {
        await using (var db = _sessions.Rent())
        {
            Assert.False(DeferredWrites.TryDefer(db, Delivery("conv|1")));
            DeferredWrites.Begin(db);
            Assert.True(DeferredWrites.TryDefer(db, Delivery("conv|1")));
        }
        await using var again = _sessions.Rent();
        Assert.Null(again.Deferred);
        Assert.Equal(AutoTransactionBehavior.WhenNeeded, again.Database.AutoTransactionBehavior);
        Assert.Empty((await StoredAsync()).Deliveries);   // the turn that deferred it never committed
    }

    [Fact]
    public async Task TryBeginTurn_RepeatWhileInFlight_OrAlreadyRecorded_IsRefused()
    {
        await using var first = _sessions.Rent();
        DeferredWrites.Begin(first);
        var deliveries = new InboundDeliveries(first, TimeProvider.System, _inFlight);
        Assert.True(await deliveries.TryBeginTurnAsync("msteams", "conv|1", "A"));

        await using (var repeat = _sessions.Rent())
        {
            DeferredWrites.Begin(repeat);
            Assert.False(await new InboundDeliveries(repeat, TimeProvider.System, _inFlight).TryBeginTurnAsync("msteams", "conv|1", "A"));
        }

        await DeferredWrites.CommitAsync(first, CancellationToken.None);
        deliveries.EndTurn("msteams", "conv|1");
        Assert.Equal(["conv|1"], (await StoredAsync()).Deliveries);

        await using var later = _sessions.Rent();
        DeferredWrites.Begin(later);
        var laterDeliveries = new InboundDeliveries(later, TimeProvider.System, _inFlight);
        Assert.False(await laterDeliveries.TryBeginTurnAsync("msteams", "conv|1", "A"));
        Assert.True(await laterDeliveries.TryBeginTurnAsync("msteams", "conv|2", "A"));
    }

    [Fact]
    public async Task TryBeginTurn_OnAPlainContext_BeyondTheSessions_WorksToo()
    {
        await using var db = new CrmDbContext(Options);   // its connection closed, as EF leaves it between statements
        DeferredWrites.Begin(db);
        var deliveries = new InboundDeliveries(db, TimeProvider.System, _inFlight);

        Assert.True(await deliveries.TryBeginTurnAsync("msteams", "conv|1", "A"));
        await DeferredWrites.CommitAsync(db, CancellationToken.None);
        deliveries.EndTurn("msteams", "conv|1");

        Assert.Equal(["conv|1"], (await StoredAsync()).Deliveries);
        Assert.False(await deliveries.TryBeginTurnAsync("msteams", "conv|1", "A"));
    }

    [Fact]
    public async Task TryBeginTurn_TurnGivenUpBeforeItsCommit_LetsTheRetryIn()
    {
        await using (var failed = _sessions.Rent())
        {
            DeferredWrites.Begin(failed);
            var deliveries = new InboundDeliveries(failed, TimeProvider.System, _inFlight);
            Assert.True(await deliveries.TryBeginTurnAsync("msteams", "conv|1", "A"));
            deliveries.EndTurn("msteams", "conv|1");
        }

        await using var retry = _sessions.Rent();
        DeferredWrites.Begin(retry);
        Assert.True(await new InboundDeliveries(retry, TimeProvider.System, _inFlight).TryBeginTurnAsync("msteams", "conv|1", "A"));
    }
}
