using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace CrmBot.IntegrationTests.Infrastructure;

/// <summary>
/// The real service in memory, on its own SQLite file (so background work and requests share it
/// as in production). Settings are passed as configuration, exactly as an operator would.
/// </summary>
public class CrmBotFactory : WebApplicationFactory<Program>
{
    private readonly string _dbPath;
    private readonly bool _ownsStore;
    private readonly Dictionary<string, string?> _settings = new();

    public CrmBotFactory() : this(null)
    {
    }

    /// <summary>
    /// Over the store file at <paramref name="dbPath"/>, left in place on Dispose, so a test can stop the service and
    /// start it again (with other settings) on the same store; null: a fresh store of its own, deleted on Dispose.
    /// </summary>
    public CrmBotFactory(string? dbPath)
    {
        _ownsStore = dbPath is null;
        _dbPath = dbPath ?? Path.Combine(Path.GetTempPath(), $"crmbot-it-{Guid.NewGuid():N}.db");
    }

    public string ConnectionString => $"Data Source={_dbPath}";

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
        builder.UseSetting("ConnectionStrings:Crm", ConnectionString);
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
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
