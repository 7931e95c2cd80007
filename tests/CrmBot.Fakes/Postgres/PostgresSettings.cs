namespace CrmBot.Fakes.Postgres;

/// <summary>Server settings (postgresql.conf entries) for a cluster <see cref="PostgresCluster"/> starts itself.</summary>
public sealed class PostgresSettings
{
    public IReadOnlyDictionary<string, string> Parameters { get; }

    public PostgresSettings(IReadOnlyDictionary<string, string> parameters) => Parameters = parameters;

    /// <summary>
    /// For tests: nothing survives a crash anyway, so durability is switched off; enough connections
    /// for many test hosts that each keep their own pool.
    /// </summary>
    public static PostgresSettings Throwaway { get; } = new(new Dictionary<string, string>
    {
        ["fsync"] = "off",
        ["synchronous_commit"] = "off",
        ["full_page_writes"] = "off",
        ["max_connections"] = "300",
        ["shared_buffers"] = "64MB",
    });

    /// <summary>
    /// PostgreSQL's durable defaults (fsync on), for measurements that should mean something in
    /// production; only the connection limit is raised for several service instances.
    /// </summary>
    public static PostgresSettings Durable { get; } = new(new Dictionary<string, string>
    {
        ["max_connections"] = "300",
        ["shared_buffers"] = "128MB",
    });
}
