using System.Net;
using System.Net.Sockets;
using CrmBot.Fakes.Postgres;
using Npgsql;

namespace CrmBot.Tests.Cli;

/// <summary>
/// Store settings that cannot work get a sentence naming the setting to fix and exit 1, from the service and every
/// verb alike, never a stack trace as the last word.
/// </summary>
public class StoreSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crmbot-storesettings-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<CrmBotProcess.Result> RunAsync(Dictionary<string, string> environment, params string[] args) =>
        CrmBotProcess.RunAsync(null, _dir, args, environment: environment);

    [Fact]
    public async Task AnUnknownEngine_IsNamed_AndNothingIsCreated()
    {
        var result = await RunAsync(new() { ["Database__Provider"] = "Oracle", ["ConnectionStrings__Crm"] = $"Data Source={Path.Combine(_dir, "crm.db")}" },
            "migrate");

        Assert.Equal(1, result.Exit);
        Assert.EndsWith("Database:Provider is 'Oracle'; it must be Sqlite (the default) or Postgres.", result.Err.Trim());
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task Postgres_WithoutAConnectionString_SaysWhichSettingIsMissing()
    {
        var result = await RunAsync(new() { ["Database__Provider"] = "Postgres" }, "members", "list");

        Assert.Equal(1, result.Exit);
        Assert.Contains("ConnectionStrings:Crm is not set", result.Err);
    }

    [Fact]
    public async Task Postgres_NoServerListening_SaysToCheckHostAndPort()
    {
        var result = await RunAsync(new()
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Crm"] = $"Host=127.0.0.1;Port={ClosedPort()};Username=crm;Database=crm;Timeout=5",
        }, "members", "list");

        Assert.Equal(1, result.Exit);
        Assert.EndsWith("Is it running, and are Host and Port in ConnectionStrings:Crm right?", result.Err.Trim());
    }

    [Fact]
    public async Task Postgres_ADatabaseThatDoesNotExist_IsNamedByAVerbThatReads_AndMigrateCreatesIt()
    {
        var server = new NpgsqlConnectionStringBuilder(await PostgresCluster.Shared.ServerConnectionStringAsync())
        {
            Database = $"crmbot_{Guid.NewGuid():N}",
        };
        var environment = new Dictionary<string, string> { ["Database__Provider"] = "Postgres", ["ConnectionStrings__Crm"] = server.ConnectionString };

        var read = await RunAsync(environment, "members", "list");
        Assert.Equal(1, read.Exit);
        Assert.Contains("The PostgreSQL database in ConnectionStrings:Crm does not exist", read.Err);
        Assert.EndsWith("Create it first (README: Running on PostgreSQL).", read.Err.Trim());

        // A user allowed to create databases gets one from `migrate` (and from the service's start), as SQLite makes its file.
        var migrate = await RunAsync(environment, "migrate");
        Assert.Equal(0, migrate.Exit);
        var readAgain = await RunAsync(environment, "members", "list");
        Assert.Equal(0, readAgain.Exit);

        // Not made by the cluster, so not dropped with it on a shared server (CRMBOT_TEST_POSTGRES).
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(await PostgresCluster.Shared.ServerConnectionStringAsync());
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE \"{server.Database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
