using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using CrmBot.Crm;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.IntegrationTests.Infrastructure;

/// <summary>
/// The real service in memory, on a store of its own (so background work and requests share it as in production):
/// a SQLite file, or a PostgreSQL database on the tests' cluster. Settings are passed as configuration, exactly as an
/// operator would.
/// </summary>
public class CrmBotFactory : WebApplicationFactory<Program>
{
    /// <summary>
    /// The engine a test gets unless it names one: SQLite, or PostgreSQL when this code is compiled with the POSTGRES
    /// constant (the PostgreSQL run of the integration tests).
    /// </summary>
    public static StoreProvider DefaultProvider =>
#if POSTGRES
        StoreProvider.Postgres;
#else
        StoreProvider.Sqlite;
#endif

    private readonly string? _dbPath;
    private readonly bool _ownsStore;
    private readonly Dictionary<string, string?> _settings = new();

    public CrmBotFactory() : this(null)
    {
    }

    /// <summary>
    /// Over the store at <paramref name="store"/> (a SQLite file's path, or a PostgreSQL connection string), left in
    /// place on Dispose, so a test can stop the service and start it again (with other settings) on the same store;
    /// null: a fresh store of its own (a SQLite file is deleted on Dispose).
    /// </summary>
    public CrmBotFactory(string? store) : this(DefaultProvider, store)
    {
    }

    public CrmBotFactory(StoreProvider provider, string? store)
    {
        Provider = provider;
        _ownsStore = store is null;
        if (provider == StoreProvider.Sqlite)
        {
            _dbPath = store ?? Path.Combine(Path.GetTempPath(), $"crmbot-it-{Guid.NewGuid():N}.db");
            ConnectionString = $"Data Source={_dbPath}";
        }
        else
        {
            // The cluster drops its databases when the test process ends.
            ConnectionString = store ?? PostgresStores.NewAsync().GetAwaiter().GetResult();
        }
    }

    public StoreProvider Provider { get; }

    /// <summary>The store's connection string, in its engine's format.</summary>
    public string ConnectionString { get; }

    /// <summary>A unit of work on the service's store from outside the service: what a test arranges or checks there.</summary>
    public CrmDbContext OpenStore() => OpenStore(Provider, ConnectionString);

    /// <summary>A unit of work on any store, opened as the service opens it (no service needed).</summary>
    public static CrmDbContext OpenStore(StoreProvider provider, string connectionString) => new((DbContextOptions<CrmDbContext>)
        CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), new StoreConnection(provider, connectionString)).Options);

    /// <summary>Set before the first request (or CreateClient).</summary>
    public CrmBotFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>The Bot settings of an Azure Bot registration, pointed at a loopback token issuer and Connector.</summary>
    public CrmBotFactory WithBotRegistration(string appId, string appPassword, CrmBot.Fakes.Teams.BotFrameworkTokenIssuer issuer,
        CrmBot.Fakes.Teams.FakeConnector connector) => this
        .With("Bot:MicrosoftAppId", appId)
        .With("Bot:MicrosoftAppPassword", appPassword)
        .With("Bot:MicrosoftAppTenantId", issuer.TenantId)
        .With("Bot:OpenIdMetadataUrl", issuer.MetadataUrl)
        .With("Bot:TokenEndpoint", issuer.TokenEndpoint)
        .With("Bot:TrustedServiceUrlHosts:0", connector.HostAndPort)
        .With("Bot:ConnectorRetryDelay", "00:00:00.010");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting(StoreConnection.ProviderKey, Provider.ToString());
        builder.UseSetting("ConnectionStrings:Crm", ConnectionString);
        // PostgreSQL needs the participation key configured; instances on one database share it, as in production.
        if (Provider == StoreProvider.Postgres)
            builder.UseSetting("Feedback:ParticipationKey", Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(
                System.Text.Encoding.UTF8.GetBytes(ConnectionString))));
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (_dbPath is null) return;
        if (_ownsStore) DeleteStore(_dbPath);
        else SqliteConnection.ClearAllPools();
    }

    /// <summary>The store file at <paramref name="dbPath"/> and its WAL and shared-memory files.</summary>
    public static void DeleteStore(string dbPath)
    {
        SqliteConnection.ClearAllPools();
        foreach (var f in Directory.GetFiles(Path.GetDirectoryName(dbPath)!, Path.GetFileName(dbPath) + "*"))
        {
            try { File.Delete(f); } catch (IOException) { }
        }
    }
}
