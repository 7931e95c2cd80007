using CrmBot.Crm;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrmBot.Tests.Crm;

public sealed class WalCheckpointerTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"crmbot-ckpt-{Guid.NewGuid():N}.db");
    private readonly SqliteConnection _writer;

    public WalCheckpointerTests()
    {
        // A writer that never checkpoints on its own, as the service's connections mostly do not.
        _writer = OpenStore();
        Execute(_writer, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE t (x BLOB);");
    }

    public void Dispose()
    {
        _writer.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(_path) + "*")) File.Delete(f);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Commits rows that take the store well past its first pages; they stay in the WAL until a checkpoint.</summary>
    private void Commit(int rows) =>
        Execute(_writer, $"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) INSERT INTO t SELECT randomblob(1000) FROM n;");

    private long DatabaseFileLength => new FileInfo(_path).Length;

    /// <summary>A plain connection of the test's own to the store (no pool, so nothing outlives the test).</summary>
    private SqliteConnection OpenStore()
    {
        var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        connection.Open();
        return connection;
    }

    /// <summary>The configuration a host reads the store's place from.</summary>
    private IConfiguration StoreConfiguration => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Crm"] = $"Data Source={_path}" }).Build();

    private DbContextOptions<CrmDbContext> Options(string connectionString) =>
        (DbContextOptions<CrmDbContext>)CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), connectionString).Options;

    [Fact]
    public void Pass_CopiesWhatOtherConnectionsCommitted_IntoTheDatabaseFile()
    {
        Commit(200);
        var before = DatabaseFileLength;

        using var connection = OpenStore();
        var (frames, copied) = WalCheckpointer.Pass(connection);

        Assert.True(frames > 50, $"{frames} frames in the WAL");
        Assert.Equal(frames, copied);
        Assert.True(DatabaseFileLength > before + 100_000, $"database file {before} -> {DatabaseFileLength} bytes");
    }

    [Fact]
    public async Task WhileTheHostRuns_CommitsReachTheDatabaseFile_WithoutAnyoneElseCheckpointing()
    {
        var checkpointer = new WalCheckpointer(Options($"Data Source={_path}"), NullLogger<WalCheckpointer>.Instance);
        await checkpointer.StartAsync(CancellationToken.None);
        try
        {
            Commit(200);
            var before = DatabaseFileLength;
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (DatabaseFileLength <= before + 100_000 && waited.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(10);

            Assert.True(DatabaseFileLength > before + 100_000, $"database file still {DatabaseFileLength} bytes after {waited.Elapsed}");
        }
        finally { await checkpointer.StopAsync(CancellationToken.None); }
        Assert.True(checkpointer.ExecuteTask!.IsCompletedSuccessfully);
    }

    [Fact]
    public void APassBetweenCommits_LetsTheNextWriteStartTheWalOver()
    {
        // Under a benchmark's thousand commits a second this seldom happens (finding 34); under a team's few a second,
        // a pass finishes between commits, and the next write finds every frame copied and starts the file over.
        Commit(200);
        using var connection = OpenStore();
        var (before, _) = WalCheckpointer.Pass(connection);

        Commit(1);
        var (after, _) = WalCheckpointer.Pass(connection);

        Assert.True(before > 50, $"{before} frames before");
        Assert.True(after < 10, $"{after} frames after one more commit: the WAL went on growing");
    }

    [Fact]
    public async Task AStoreOverTheCallersConnection_HasNothingToCheckpoint_AndTheServiceStopsQuietly()
    {
        using var memory = new SqliteConnection("Data Source=:memory:");
        var options = (DbContextOptions<CrmDbContext>)CrmServiceCollectionExtensions
            .ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), memory).Options;
        var checkpointer = new WalCheckpointer(options, NullLogger<WalCheckpointer>.Instance);

        await checkpointer.StartAsync(CancellationToken.None);
        await checkpointer.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));
        await checkpointer.StopAsync(CancellationToken.None);

        Assert.True(checkpointer.ExecuteTask.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task AStoreThatCannotBeOpened_IsLoggedNotThrown_SoTheHostKeepsRunning()
    {
        // A faulted background service would stop the host (.NET's default); turns still checkpoint on their own.
        var missing = Path.Combine(Path.GetTempPath(), $"crmbot-no-such-dir-{Guid.NewGuid():N}", "store.db");
        var checkpointer = new WalCheckpointer(Options($"Data Source={missing};Mode=ReadWrite"), NullLogger<WalCheckpointer>.Instance);

        await checkpointer.StartAsync(CancellationToken.None);
        await checkpointer.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(checkpointer.ExecuteTask.IsCompletedSuccessfully);
    }

    [Fact]
    public void WithoutTheService_ConnectionsKeepSQLitesOwnCheckpoints()
    {
        // The CLI's verbs register the store without sessions: nothing else would checkpoint for them.
        using var provider = new ServiceCollection().AddLogging().AddCrm(StoreConfiguration).BuildServiceProvider();
        using var scope = provider.CreateScope();

        Assert.Equal(1000L, AutoCheckpoint(scope.ServiceProvider.GetRequiredService<CrmDbContext>()));
    }

    [Fact]
    public void WithTheService_ItsConnectionsLeaveCheckpointsToIt()
    {
        using var provider = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System)
            .AddCrm(StoreConfiguration).AddStoreSessions().BuildServiceProvider();
        using var scope = provider.CreateScope();

        Assert.Contains(provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>(), s => s is WalCheckpointer);
        Assert.Equal((long)WalCheckpointer.TurnAutoCheckpointPages, AutoCheckpoint(scope.ServiceProvider.GetRequiredService<CrmDbContext>()));
    }

    private static long AutoCheckpoint(CrmDbContext db)
    {
        db.Database.OpenConnection();
        try
        {
            using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA wal_autocheckpoint;";
            return Convert.ToInt64(command.ExecuteScalar());
        }
        finally { db.Database.CloseConnection(); }
    }
}
