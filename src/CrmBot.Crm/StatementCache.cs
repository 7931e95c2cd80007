using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrmBot.Crm;

/// <summary>
/// Prepared statements kept on a long-lived connection (a <see cref="StoreSessions"/> context's), keyed by
/// their SQL. Microsoft.Data.Sqlite keeps a compiled statement only as long as its SqliteCommand, and EF
/// (and <see cref="RowInserts"/>) make a new command for every execution, so SQLite parsed and planned the
/// same few statements on every turn: more of a log turn than running them (docs/decisions/performance.md, finding 18;
/// upstream: dotnet/efcore#14044). Commands created on a connection with a cache are
/// <see cref="CachedCommand"/>s, which run on the cache's command for their text.
/// </summary>
internal sealed class StatementCache(SqliteConnection connection)
{
    /// <summary>Distinct statements kept per connection; beyond this, commands are prepared and dropped as before.</summary>
    public const int Capacity = 256;

    private static readonly ConditionalWeakTable<SqliteConnection, StatementCache> Caches = new();

    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly HashSet<SqliteCommand> _inUse = [];

    public SqliteConnection Connection { get; } = connection;

    /// <summary>Gives <paramref name="connection"/> a cache, for as long as it lives.</summary>
    public static void Attach(SqliteConnection connection) => Caches.AddOrUpdate(connection, new StatementCache(connection));

    public static bool TryGet(DbConnection? connection, [NotNullWhen(true)] out StatementCache? cache)
    {
        cache = null;
        return connection is SqliteConnection sqlite && Caches.TryGetValue(sqlite, out cache);
    }

    /// <summary>A command on <paramref name="connection"/>: a cached one when it has a cache, else a plain one.</summary>
    public static DbCommand CreateCommand(DbConnection connection) =>
        TryGet(connection, out var cache) ? new CachedCommand(cache) : connection.CreateCommand();

    /// <summary>
    /// A command (cached as above) for <paramref name="sql"/> in <paramref name="transaction"/>, with
    /// <paramref name="values"/> bound in order to @p0, @p1, … (null as NULL): the one way our own statements,
    /// written beside EF's, are run.
    /// </summary>
    public static DbCommand CreateCommand(DbConnection connection, DbTransaction? transaction, string sql, object?[] values)
    {
        var command = CreateCommand(connection);
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < values.Length; i++)
        {
            // Made by the command, not as a SqliteParameter: the same statements run on a command of another engine.
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@p" + i;
            parameter.Value = values[i] ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    /// <summary>
    /// The cache's command for <paramref name="sql"/>, reserved until <see cref="Release"/>; or a new command
    /// the caller owns (Owned) when that one is busy (a reader still open on it) or the cache is full.
    /// A connection is used by one turn at a time, so no lock: the dictionary is this connection's alone.
    /// </summary>
    public (SqliteCommand Command, bool Owned) Take(string sql)
    {
        if (_commands.TryGetValue(sql, out var command))
        {
            if (_inUse.Add(command)) return (command, false);
        }
        else if (_commands.Count < Capacity)
        {
            command = New(sql);
            _commands.Add(sql, command);
            _inUse.Add(command);
            return (command, false);
        }
        return (New(sql), true);
    }

    private SqliteCommand New(string sql)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    public void Release(SqliteCommand command)
    {
        // Values bound last time are not kept alive by the cache.
        command.Parameters.Clear();
        command.Transaction = null;
        _inUse.Remove(command);
    }

    /// <summary>Statements cached so far (tests).</summary>
    public int Count => _commands.Count;
}

/// <summary>
/// A DbCommand that collects its text and parameters like any other and, when executed, runs them on the
/// <see cref="StatementCache"/>'s prepared command for that text. It starts on the cache's connection, as
/// one from <c>CreateCommand</c> would (EF sets everything on a command it is handed but its connection).
/// </summary>
internal sealed class CachedCommand : DbCommand
{
    private readonly StatementCache _cache;
    // Holds the parameters until execution: a SqliteParameterCollection cannot be created on its own.
    private readonly SqliteCommand _parameters = new();
    private SqliteCommand? _running;
    private bool _owned;

    public CachedCommand(StatementCache cache)
    {
        _cache = cache;
        DbConnection = cache.Connection;
    }

    [AllowNull]
    public override string CommandText { get; set; } = "";
    public override int CommandTimeout { get; set; } = 30;
    public override CommandType CommandType
    {
        get => CommandType.Text;
        set { if (value != CommandType.Text) throw new ArgumentException("SQLite runs text commands only.", nameof(value)); }
    }
    public override UpdateRowSource UpdatedRowSource { get; set; }
    public override bool DesignTimeVisible { get; set; }
    protected override DbConnection? DbConnection { get; set; }
    protected override DbTransaction? DbTransaction { get; set; }
    protected override DbParameterCollection DbParameterCollection => _parameters.Parameters;

    protected override DbParameter CreateDbParameter() => new SqliteParameter();

    public override void Cancel() => _running?.Cancel();

    public override void Prepare() => Begin().Prepare();

    public override int ExecuteNonQuery() => Begin().ExecuteNonQuery();

    public override object? ExecuteScalar() => Begin().ExecuteScalar();

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => Begin().ExecuteReader(behavior);

    /// <summary>The prepared command for this text, with this execution's transaction, timeout and values.</summary>
    private SqliteCommand Begin()
    {
        End();
        if (!ReferenceEquals(DbConnection, _cache.Connection))
            throw new InvalidOperationException("A cached command runs only on the connection it was created for.");
        (_running, _owned) = _cache.Take(CommandText);
        _running.Transaction = (SqliteTransaction?)DbTransaction;
        _running.CommandTimeout = CommandTimeout;
        foreach (SqliteParameter parameter in _parameters.Parameters) _running.Parameters.Add(parameter);
        return _running;
    }

    /// <summary>Gives the cache's command back (the reader, if any, was disposed before this command).</summary>
    private void End()
    {
        if (_running is null) return;
        if (_owned) _running.Dispose();
        else _cache.Release(_running);
        _running = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            End();
            _parameters.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>Makes EF create <see cref="CachedCommand"/>s on connections that have a <see cref="StatementCache"/>.</summary>
internal sealed class StatementCacheInterceptor : DbCommandInterceptor
{
    public override InterceptionResult<DbCommand> CommandCreating(CommandCorrelatedEventData eventData, InterceptionResult<DbCommand> result) =>
        StatementCache.TryGet(eventData.Connection, out var cache)
            ? InterceptionResult<DbCommand>.SuppressWithResult(new CachedCommand(cache))
            : result;
}
