using Microsoft.Extensions.Configuration;

namespace CrmBot.Crm;

/// <summary>The engine under the store: one SQLite file by default, PostgreSQL for several instances.</summary>
public enum StoreProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Which engine and where, read once from <c>Database:Provider</c> and <c>ConnectionStrings:Crm</c>; every
/// engine-specific choice (options, migrations, search, error codes) follows <see cref="Provider"/>.
/// </summary>
public sealed record StoreConnection(StoreProvider Provider, string ConnectionString)
{
    public const string ProviderKey = "Database:Provider";
    public const string DefaultSqlite = "Data Source=crmbot.db";

    /// <summary>The assembly that holds PostgreSQL's migrations and compiled model (generated code, eng/).</summary>
    public const string PostgresAssembly = "CrmBot.Crm.Postgres";

    public bool IsSqlite => Provider == StoreProvider.Sqlite;

    public static StoreConnection From(IConfiguration configuration)
    {
        var provider = ParseProvider(configuration[ProviderKey]);
        var connectionString = configuration.GetConnectionString("Crm");
        if (string.IsNullOrWhiteSpace(connectionString))
            connectionString = provider == StoreProvider.Sqlite
                ? DefaultSqlite
                : throw new StoreSettingsException(
                    $"{ProviderKey} is Postgres but ConnectionStrings:Crm is not set. Give it as Host=…;Database=…;Username=…;Password=….");
        return new StoreConnection(provider, connectionString);
    }

    public static StoreProvider ParseProvider(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "sqlite" => StoreProvider.Sqlite,
        "postgres" or "postgresql" or "npgsql" => StoreProvider.Postgres,
        _ => throw new StoreSettingsException($"{ProviderKey} is '{value}'; it must be Sqlite (the default) or Postgres."),
    };
}
