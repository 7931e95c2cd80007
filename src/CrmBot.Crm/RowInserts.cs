using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CrmBot.Crm;

/// <summary>
/// Appends rows with plain INSERTs, bypassing change tracking: the few rows of every turn
/// (<see cref="InsertAsync{T}"/>) and the many of an import (<see cref="Prepare{T}"/>). Logging a call through
/// SaveChanges (twice: the audit rows need the new ids) cost several times the SQLite work, and an import
/// would spend most of its time in SaveChanges (docs/decisions/store-access.md). The statement is built from
/// the EF model, columns and value converters included, so it writes exactly what SaveChanges would and
/// cannot drift from the schema. Runs in the context's current transaction (callers open one); the entity
/// is not tracked afterwards.
/// </summary>
public static class RowInserts
{
    internal sealed record Statement(string Sql, string SqlWithoutKey, IProperty Key, (IClrPropertyGetter Getter, ValueConverter? Converter)[] Columns);

    // Entity types belong to one model, so statements of a test's model never serve another's.
    private static readonly ConcurrentDictionary<IEntityType, Statement> Statements = new();

    /// <summary>Inserts <paramref name="entity"/> and sets its generated key.</summary>
    public static async Task InsertAsync<T>(CrmDbContext db, T entity, CancellationToken ct = default) where T : class
    {
        var statement = StatementFor<T>(db);
        var values = new object?[statement.Columns.Length];
        for (var i = 0; i < values.Length; i++) values[i] = ProviderValue(statement.Columns[i], entity);
        await using var command = StatementCache.CreateCommand(db.Database.GetDbConnection(), TransactionOf(db), statement.Sql, values);
        SetKey(statement.Key, entity, await command.ExecuteScalarAsync(ct));
    }

    /// <summary>
    /// One prepared INSERT for many rows of <typeparamref name="T"/> (an import), in the context's current
    /// transaction. <paramref name="returnKey"/>: read back each generated key (rows others will point at).
    /// </summary>
    internal static Batch<T> Prepare<T>(CrmDbContext db, bool returnKey = true) where T : class =>
        new(StatementFor<T>(db), db.Database.GetDbConnection(), TransactionOf(db), returnKey);

    /// <summary>A prepared INSERT of <typeparamref name="T"/>, run once per row.</summary>
    internal sealed class Batch<T> : IDisposable where T : class
    {
        private readonly Statement _statement;
        private readonly DbCommand _command;
        private readonly DbParameter[] _parameters;
        private readonly bool _returnKey;
        private bool _prepared;

        internal Batch(Statement statement, DbConnection connection, DbTransaction transaction, bool returnKey)
        {
            (_statement, _returnKey) = (statement, returnKey);
            _command = connection.CreateCommand();
            _command.Transaction = transaction;
            _command.CommandText = returnKey ? statement.Sql : statement.SqlWithoutKey;
            _parameters = new DbParameter[statement.Columns.Length];
            for (var i = 0; i < _parameters.Length; i++)
            {
                _parameters[i] = _command.CreateParameter();
                _parameters[i].ParameterName = "@p" + i;
                _command.Parameters.Add(_parameters[i]);
            }
        }

        /// <summary>Inserts <paramref name="entity"/> and, when the batch reads keys back, sets its generated key.</summary>
        public async Task InsertAsync(T entity, CancellationToken ct)
        {
            for (var i = 0; i < _parameters.Length; i++) _parameters[i].Value = ProviderValue(_statement.Columns[i], entity) ?? DBNull.Value;
            // Prepared once the first row is bound: PostgreSQL takes the parameters' types from their values.
            if (!_prepared)
            {
                await _command.PrepareAsync(ct);
                _prepared = true;
            }
            if (_returnKey) SetKey(_statement.Key, entity, await _command.ExecuteScalarAsync(ct));
            else await _command.ExecuteNonQueryAsync(ct);
        }

        public void Dispose() => _command.Dispose();
    }

    private static Statement StatementFor<T>(CrmDbContext db) =>
        Statements.GetOrAdd(db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped."), Build);

    private static DbTransaction TransactionOf(CrmDbContext db) =>
        db.Database.CurrentTransaction?.GetDbTransaction() ?? throw new InvalidOperationException("RowInserts runs inside the caller's transaction.");

    private static object? ProviderValue((IClrPropertyGetter Getter, ValueConverter? Converter) column, object entity)
    {
        var value = column.Getter.GetClrValue(entity);
        return value is not null && column.Converter is { } converter ? converter.ConvertToProvider(value) : value;
    }

    private static void SetKey(IProperty key, object entity, object? id) =>
        key.PropertyInfo!.SetValue(entity, Convert.ChangeType(id ?? throw new InvalidOperationException("INSERT returned no key."),
            key.ClrType, System.Globalization.CultureInfo.InvariantCulture));

    private static Statement Build(IEntityType type)
    {
        var key = type.FindPrimaryKey()?.Properties is [var single] && single.ValueGenerated == ValueGenerated.OnAdd
            ? single
            : throw new InvalidOperationException($"{type.DisplayName()} needs one generated key to be appended.");
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var columns = type.GetProperties().Where(p => p != key && p.GetColumnName(table) is not null).ToArray();
        var names = string.Join(", ", columns.Select(p => Quote(p.GetColumnName(table)!)));
        var values = string.Join(", ", columns.Select((_, i) => "@p" + i));
        var insert = $"INSERT INTO {Quote(table.Name)} ({names}) VALUES ({values})";
        return new Statement($"{insert} RETURNING {Quote(key.GetColumnName(table)!)}", insert, key,
            columns.Select(p => (p.GetGetter(), p.GetTypeMapping().Converter)).ToArray());
    }

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
