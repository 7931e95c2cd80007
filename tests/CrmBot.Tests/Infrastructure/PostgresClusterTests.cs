using CrmBot.Fakes.Postgres;
using Npgsql;

namespace CrmBot.Tests.Infrastructure;

/// <summary>The throwaway PostgreSQL cluster every PostgreSQL test uses (tests/CrmBot.Fakes/Postgres).</summary>
public sealed class PostgresClusterTests
{
    private static readonly PostgresCluster Cluster = PostgresCluster.Shared;

    [Fact]
    public async Task Shared_StartsOnFirstUse_AndAnswersOnLoopback()
    {
        var connectionString = await Cluster.CreateDatabaseAsync();

        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Assert.StartsWith("crm_", builder.Database);
        Assert.Equal(builder.Database, await ScalarAsync<string>(connectionString, "SELECT current_database()"));
        if (Environment.GetEnvironmentVariable(PostgresCluster.EnvironmentVariable) is null or "")
        {
            Assert.Equal("127.0.0.1", builder.Host);
            Assert.Equal("off", await ScalarAsync<string>(connectionString, "SHOW fsync"));
            Assert.Equal(300, int.Parse(await ScalarAsync<string>(connectionString, "SHOW max_connections")));
        }
    }

    [Fact]
    public async Task CreateDatabase_TwoDatabases_AreIndependent()
    {
        var first = await Cluster.CreateDatabaseAsync();
        var second = await Cluster.CreateDatabaseAsync();

        Assert.NotEqual(first, second);
        await ExecuteAsync(first, "CREATE TABLE contacts (id int PRIMARY KEY); INSERT INTO contacts VALUES (1)");
        Assert.Equal(1L, await ScalarAsync<long>(first, "SELECT count(*) FROM contacts"));
        Assert.False(await ScalarAsync<bool>(second, "SELECT to_regclass('contacts') IS NOT NULL"));
    }

    [Fact]
    public async Task CreateDatabase_FromTemplate_HasTheTemplatesTablesAndRows_AndCopiesAreIndependent()
    {
        await Cluster.CreateTemplateAsync("clustertest_copy", cs => ExecuteAsync(cs,
            "CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS unaccent; " +
            "CREATE TABLE companies (id int PRIMARY KEY, name text NOT NULL); INSERT INTO companies VALUES (1, 'Acme')"));

        var copy = await Cluster.CreateDatabaseAsync("clustertest_copy");
        var other = await Cluster.CreateDatabaseAsync("clustertest_copy");

        Assert.Equal("Acme", await ScalarAsync<string>(copy, "SELECT name FROM companies WHERE id = 1"));
        Assert.Equal("Ecole", await ScalarAsync<string>(copy, "SELECT unaccent('École')"));
        await ExecuteAsync(copy, "INSERT INTO companies VALUES (2, 'Globex')");
        Assert.Equal(1L, await ScalarAsync<long>(other, "SELECT count(*) FROM companies"));
    }

    [Fact]
    public async Task CreateTemplate_AskedByManyAtOnce_FillsOnce_AndEveryCopySucceeds()
    {
        var fills = 0;
        async Task Fill(string cs)
        {
            Interlocked.Increment(ref fills);
            await Task.Delay(200);   // a migration takes a while: the others must wait for it, not start their own
            await ExecuteAsync(cs, "CREATE TABLE deals (id int PRIMARY KEY)");
        }

        var databases = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            await Cluster.CreateTemplateAsync("clustertest_parallel", Fill);
            return await Cluster.CreateDatabaseAsync("clustertest_parallel");
        }));

        Assert.Equal(1, fills);
        Assert.Equal(16, databases.Distinct().Count());
        foreach (var cs in databases)
            Assert.Equal(0L, await ScalarAsync<long>(cs, "SELECT count(*) FROM deals"));
    }

    [Fact]
    public async Task CreateDatabase_ManyAtOnce_AllSucceed()
    {
        var databases = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Cluster.CreateDatabaseAsync()));

        Assert.Equal(24, databases.Distinct().Count());
        await Task.WhenAll(databases.Select(cs => ExecuteAsync(cs, "CREATE TABLE t (id int)")));
    }

    [Fact]
    public async Task CreateDatabase_UnknownTemplate_SaysWhatToDo()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Cluster.CreateDatabaseAsync("clustertest_never_made"));
        Assert.Contains("CreateTemplateAsync", e.Message);
    }

    [Fact]
    public async Task External_UsesTheGivenServerAsGiven_AndDropsItsDatabasesWhenStopped()
    {
        // The code path CRMBOT_TEST_POSTGRES takes, pointed at the shared cluster's server.
        var server = await Cluster.ServerConnectionStringAsync();
        var given = new NpgsqlConnectionStringBuilder(server);
        var external = PostgresCluster.External(server);

        Assert.Equal(server, await external.ServerConnectionStringAsync());
        await external.CreateTemplateAsync("clustertest_external", cs => ExecuteAsync(cs, "CREATE TABLE notes (id int)"));
        var created = new NpgsqlConnectionStringBuilder(await external.CreateDatabaseAsync("clustertest_external"));
        Assert.Equal(given.Host, created.Host);
        Assert.Equal(given.Port, created.Port);
        Assert.Equal(given.Username, created.Username);
        Assert.Equal(1L, await ScalarAsync<long>(server, $"SELECT count(*) FROM pg_database WHERE datname = '{created.Database}'"));
        Assert.Equal(0L, await ScalarAsync<long>(created.ConnectionString, "SELECT count(*) FROM notes"));

        await external.DisposeAsync();

        Assert.Equal(0L, await ScalarAsync<long>(server,
            $"SELECT count(*) FROM pg_database WHERE datname = '{created.Database}' OR datname LIKE 'tpl_clustertest_external_%'"));
    }

    [Fact]
    public async Task Local_WithDurableSettings_RunsWithFsync_AndIsGoneAfterDispose()
    {
        if (Environment.GetEnvironmentVariable(PostgresCluster.EnvironmentVariable) is { Length: > 0 })
            return;   // a run against an existing server need not have the server programs installed
        var cluster = PostgresCluster.Local(PostgresSettings.Durable);
        var cs = await cluster.CreateDatabaseAsync();
        Assert.Equal("on", await ScalarAsync<string>(cs, "SHOW fsync"));
        var port = new NpgsqlConnectionStringBuilder(cs).Port;
        var dataDirectory = await ScalarAsync<string>(cs, "SHOW data_directory");

        await cluster.DisposeAsync();

        Assert.False(Directory.Exists(dataDirectory));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync<int>(
            new NpgsqlConnectionStringBuilder(cs) { Port = port, Pooling = false, Timeout = 3 }.ConnectionString, "SELECT 1"));
    }

    [Fact]
    public void FindServerPrograms_PrefersPath_ElseTheHighestDebianVersion()
    {
        var root = Directory.CreateTempSubdirectory("crmbot-pgbin-test").FullName;
        try
        {
            string Bin(string dir)
            {
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "initdb"), "");
                File.WriteAllText(Path.Combine(dir, "pg_ctl"), "");
                return dir;
            }
            var debian = Path.Combine(root, "lib");
            Bin(Path.Combine(debian, "9.6", "bin"));
            var v15 = Bin(Path.Combine(debian, "15", "bin"));
            Bin(Path.Combine(debian, "13", "bin"));
            Directory.CreateDirectory(Path.Combine(debian, "16", "bin"));   // no programs: not a candidate
            var onPath = Bin(Path.Combine(root, "path"));

            Assert.Equal(v15, PostgresCluster.FindServerPrograms(Path.Combine(root, "empty"), debian));
            Assert.Equal(onPath, PostgresCluster.FindServerPrograms(onPath, debian));
            Assert.Null(PostgresCluster.FindServerPrograms(null, Path.Combine(root, "none")));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
