using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CrmBot.Crm;

/// <summary>
/// Appends a row with one INSERT … RETURNING, bypassing change tracking, for the writes of every turn.
/// Logging a call through SaveChanges (twice: the audit rows need the new ids) cost 2 ms of EF work around
/// 0.4 ms of SQLite (docs/decisions/performance.md, finding 8). The statement is built from the EF model, columns and value
/// converters included, so it writes exactly what SaveChanges would, and cannot drift from the schema.
/// Runs in the context's current transaction (callers open one); the entity is not tracked afterwards.
/// </summary>
public static class RowInserts
{
    private sealed record Statement(string Sql, IProperty Key, IProperty[] Columns);

    // Entity types belong to one model, so statements of a test's model never serve another's.
    private static readonly ConcurrentDictionary<IEntityType, Statement> Statements = new();

    /// <summary>Inserts <paramref name="entity"/> and sets its generated key.</summary>
    public static async Task InsertAsync<T>(CrmDbContext db, T entity, CancellationToken ct = default) where T : class
    {
        var type = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped.");
        var statement = Statements.GetOrAdd(type, Build);
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("RowInserts runs inside the caller's transaction.");

        var values = new object?[statement.Columns.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var property = statement.Columns[i];
            var value = property.GetGetter().GetClrValue(entity);
            values[i] = value is not null && property.GetTypeMapping().Converter is { } converter ? converter.ConvertToProvider(value) : value;
        }
        await using var command = StatementCache.CreateCommand(db.Database.GetDbConnection(), transaction, statement.Sql, values);
        var id = await command.ExecuteScalarAsync(ct) ?? throw new InvalidOperationException("INSERT returned no key.");
        var key = statement.Key;
        key.PropertyInfo!.SetValue(entity, Convert.ChangeType(id, key.ClrType, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Statement Build(IEntityType type)
    {
        var key = type.FindPrimaryKey()?.Properties is [var single] && single.ValueGenerated == ValueGenerated.OnAdd
            ? single
            : throw new InvalidOperationException($"{type.DisplayName()} needs one generated key to be appended.");
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var columns = type.GetProperties().Where(p => p != key).ToArray();
        var names = string.Join(", ", columns.Select(p => Quote(p.GetColumnName(table)!)));
        var values = string.Join(", ", columns.Select((_, i) => "@p" + i));
        return new Statement($"INSERT INTO {Quote(table.Name)} ({names}) VALUES ({values}) RETURNING {Quote(key.GetColumnName(table)!)}",
            key, columns);
    }

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}
