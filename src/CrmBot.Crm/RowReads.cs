using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CrmBot.Crm;

/// <summary>
/// Reads rows of a mapped entity with one prepared SELECT and fills them in by hand, untracked: for the
/// lookups every turn makes (its member, its stored flow, the contact named). Through EF each cost more than
/// the query: a compiled query still builds its shaper's delegates and starts tracking on every run
/// (docs/decisions/performance.md, finding 30). Like <see cref="RowInserts"/>, the column list and value converters come
/// from the EF model, so a row reads exactly as EF would read it and cannot drift from the schema.
/// A caller that goes on to change a row it read here attaches it first (<see cref="Track"/>).
/// Only the store layer writes WHERE clauses (<see cref="WhereAsync{T}"/> is internal); code outside it reads
/// by key or through a named read such as <see cref="ChatState.DialogStates"/>.
/// </summary>
public static class RowReads
{
    private sealed record Shape(string Select, string? ByKey, IProperty[] Key, IProperty[] Columns, Func<DbDataReader, int, object>[] Readers, ValueConverter?[] Converters);

    // Entity types belong to one model, so shapes of a test's model never serve another's.
    private static readonly ConcurrentDictionary<IEntityType, Shape> Shapes = new();

    /// <summary>
    /// Rows of <typeparamref name="T"/> matching <paramref name="where"/> (SQL over the table's quoted column
    /// names, with <paramref name="values"/> as @p0, @p1, …), in the order it gives. A row the context already
    /// tracks comes back as its tracked instance, as from an EF query; the others are not tracked.
    /// </summary>
    internal static async Task<List<T>> WhereAsync<T>(CrmDbContext db, string where, object?[] values, CancellationToken ct) where T : class
    {
        var shape = ShapeOf<T>(db);
        var rows = new List<T>();
        var opened = db.Database.GetDbConnection().State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = StatementCache.CreateCommand(db.Database.GetDbConnection(),
                db.Database.CurrentTransaction?.GetDbTransaction(), shape.Select + where, values);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var row = Materialize<T>(shape, reader);
                if (shape.Key is [{ ClrType: var keyType } key] && keyType == typeof(int)) Remember(db, typeof(T), (int)key.PropertyInfo!.GetValue(row)!, row);
                rows.Add(row);
            }
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
        if (db.ChangeTracker.Entries<T>().Any())
        {
            for (var i = 0; i < rows.Count; i++)
                if (db.Set<T>().Local.FindEntryUntyped(KeyValues(shape, rows[i])) is { } tracked) rows[i] = tracked.Entity;
        }
        return rows;
    }

    /// <summary>The first row <see cref="WhereAsync{T}"/> would give, or null.</summary>
    internal static async Task<T?> FirstAsync<T>(CrmDbContext db, string where, object?[] values, CancellationToken ct) where T : class =>
        (await WhereAsync<T>(db, where + " LIMIT 1", values, ct)) is [var first, ..] ? first : null;

    /// <summary>
    /// The <typeparamref name="T"/> with this key: the instance <paramref name="db"/> tracks when it tracks one
    /// (with any changes it holds); else the row read here earlier in this unit of work (a turn reads its member
    /// and its contact before it logs against them); else the stored row, untracked. What <c>DbSet.FindAsync</c>
    /// answers, less its cost. A row changed since its read went through tracking, which is asked first.
    /// </summary>
    public static async Task<T?> FindAsync<T>(CrmDbContext db, int id, CancellationToken ct) where T : class
    {
        if (db.Set<T>().Local.FindEntry(id) is { } tracked) return tracked.Entity;
        if (db.ReadRows.TryGetValue((typeof(T), id), out var read)) return (T)read;
        var shape = ShapeOf<T>(db);
        if (shape.Key.Length != 1) throw new InvalidOperationException($"{typeof(T).Name} has no single-column key to find by.");
        return await FirstAsync<T>(db, shape.ByKey!, [id], ct);
    }

    /// <summary>
    /// The <typeparamref name="T"/> with this key (its key columns in order; a composite key too), as
    /// <see cref="WhereAsync{T}"/> reads it: the tracked instance when the context tracks the row, else untracked.
    /// </summary>
    public static Task<T?> FindByKeyAsync<T>(CrmDbContext db, object?[] key, CancellationToken ct) where T : class
    {
        var shape = ShapeOf<T>(db);
        if (shape.ByKey is null || key.Length != shape.Key.Length)
            throw new ArgumentException($"{typeof(T).Name}'s key has {shape.Key.Length} columns, not {key.Length}.", nameof(key));
        return FirstAsync<T>(db, shape.ByKey, key, ct);
    }

    /// <summary>
    /// <paramref name="row"/> tracked by <paramref name="db"/>, unchanged, so that what the caller changes next is
    /// saved; when the context already tracks that row, its instance instead.
    /// </summary>
    public static T Track<T>(CrmDbContext db, T row) where T : class
    {
        if (db.Set<T>().Local.FindEntryUntyped(KeyValues(ShapeOf<T>(db), row)) is { } tracked) return tracked.Entity;
        db.Entry(row).State = EntityState.Unchanged;
        return row;
    }

    /// <summary>Rows kept per context. A turn reads a handful; a long pass (the digest planner's) must not keep them all.</summary>
    internal const int RowsKept = 64;

    private static void Remember(CrmDbContext db, Type type, int id, object row)
    {
        if (db.ReadRows.Count >= RowsKept) db.ReadRows.Clear();
        db.ReadRows[(type, id)] = row;
    }

    private static object?[] KeyValues(Shape shape, object row) => shape.Key.Select(p => p.PropertyInfo!.GetValue(row)).ToArray();

    private static T Materialize<T>(Shape shape, DbDataReader reader) where T : class
    {
        var row = Activator.CreateInstance<T>();
        for (var i = 0; i < shape.Columns.Length; i++)
        {
            object? value = null;
            if (!reader.IsDBNull(i))
            {
                value = shape.Readers[i](reader, i);
                if (shape.Converters[i] is { } converter) value = converter.ConvertFromProvider(value);
            }
            shape.Columns[i].PropertyInfo!.SetValue(row, value);
        }
        return row;
    }

    private static Shape ShapeOf<T>(CrmDbContext db) =>
        Shapes.GetOrAdd(db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped."), Build);

    private static Shape Build(IEntityType type)
    {
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var columns = type.GetProperties().ToArray();
        if (columns.FirstOrDefault(p => p.PropertyInfo is null) is { } shadow)
            throw new InvalidOperationException($"{type.DisplayName()}.{shadow.Name} has no CLR property to fill in.");
        var converters = columns.Select(p => p.GetTypeMapping().Converter).ToArray();
        var readers = columns.Select((p, i) => ReaderFor(converters[i]?.ProviderClrType ?? p.ClrType)).ToArray();
        var select = $"SELECT {string.Join(", ", columns.Select(p => Quote(p.GetColumnName(table)!)))} FROM {Quote(table.Name)} WHERE ";
        var key = type.FindPrimaryKey()?.Properties.ToArray() ?? [];
        var byKey = key.Length == 0 ? null : string.Join(" AND ", key.Select((p, i) => $"{Quote(p.GetColumnName(table)!)} = @p{i}"));
        return new Shape(select, byKey, key, columns, readers, converters);
    }

    // The typed getter for each type our model stores, as EF's SQLite mappings read them (also copy-store's reader of
    // a SQLite store: dates and decimals are text there, booleans integers).
    internal static Func<DbDataReader, int, object> ReaderFor(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) => (r, i) => r.GetInt32(i),
        var t when t == typeof(long) => (r, i) => r.GetInt64(i),
        var t when t == typeof(string) => (r, i) => r.GetString(i),
        var t when t == typeof(bool) => (r, i) => r.GetBoolean(i),
        var t when t == typeof(double) => (r, i) => r.GetDouble(i),
        var t when t == typeof(decimal) => (r, i) => r.GetDecimal(i),
        var t when t == typeof(DateTime) => (r, i) => r.GetDateTime(i),
        var t when t == typeof(DateTimeOffset) => (r, i) => r.GetFieldValue<DateTimeOffset>(i),
        var t when t == typeof(DateOnly) => (r, i) => r.GetFieldValue<DateOnly>(i),
        var t when t == typeof(TimeOnly) => (r, i) => r.GetFieldValue<TimeOnly>(i),
        var t when t == typeof(TimeSpan) => (r, i) => r.GetFieldValue<TimeSpan>(i),
        var t when t == typeof(Guid) => (r, i) => r.GetGuid(i),
        var t when t == typeof(byte[]) => (r, i) => r.GetFieldValue<byte[]>(i),
        var t when t == typeof(short) => (r, i) => r.GetInt16(i),
        var t when t == typeof(float) => (r, i) => r.GetFloat(i),
        var t => throw new NotSupportedException($"The store does not read {t.Name} columns yet."),
    };

    private static string Quote(string identifier) => RowInserts.Quote(identifier);
}
