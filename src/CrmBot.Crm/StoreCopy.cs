using System.Data;
using CrmBot.Crm.Surveys;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace CrmBot.Crm;

/// <summary>
/// Moves a team from its SQLite store to an empty PostgreSQL database (the `copy-store` verb): every table of the model,
/// principals before dependents, each with one binary COPY, all in one transaction so a failed copy leaves the target
/// empty. The tables and columns come from the two engines' models, so an entity added later is copied without a change
/// here; SQLite's own search tables are not in the model and PostgreSQL needs none.
/// </summary>
public sealed class StoreCopy
{
    private readonly string _sqlite;
    private readonly string _postgres;
    private readonly IModel _sqliteModel;

    /// <param name="sqliteConnectionString">The source store; it must exist and be migrated.</param>
    /// <param name="sqliteModel">The source's runtime model (a SQLite context's <c>Model</c>).</param>
    public StoreCopy(string sqliteConnectionString, IModel sqliteModel, string postgresConnectionString)
    {
        _sqlite = sqliteConnectionString;
        _sqliteModel = sqliteModel;
        _postgres = postgresConnectionString;
    }

    /// <summary>One table's outcome: rows read from SQLite, rows PostgreSQL holds after the copy.</summary>
    public sealed record TableCount(string Table, long Source, long Target);

    /// <summary>Refused or failed for a reason the operator can act on; the target is left as it was (or empty).</summary>
    public sealed class CopyRefused(string message) : Exception(message);

    public async Task<IReadOnlyList<TableCount>> RunAsync(Action<string>? progress = null, CancellationToken ct = default)
    {
        var target = new StoreConnection(StoreProvider.Postgres, _postgres);
        var options = CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), target)
            .UseModel(CrmServiceCollectionExtensions.CompiledModelOf(StoreProvider.Postgres)).Options;
        await using var pg = new CrmDbContext((DbContextOptions<CrmDbContext>)options);
        var tables = Plan(pg.Model);

        await using var source = new SqliteConnection(_sqlite);
        await source.OpenAsync(ct);
        // One read transaction: every table is read from the same moment even if the service is still writing.
        await using var snapshot = (SqliteTransaction)await source.BeginTransactionAsync(ct);
        await CheckLengthsAsync(snapshot, tables, ct);

        // Before migrating, so a database that holds rows is not touched at all.
        await using (var probe = new NpgsqlConnection(_postgres))
        {
            await probe.OpenAsync(ct);
            await RefuseRowsAsync(probe, tables, migrated: false, ct);
        }
        progress?.Invoke("Creating the schema (PostgreSQL's migrations)…");
        await new StoreMigrator(pg).MigrateAsync(ct);

        // No command timeout: one table's COPY of a large store runs longer than a chat turn's statement is allowed to.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_postgres) { CommandTimeout = 0 }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await RefuseRowsAsync(connection, tables, migrated: true, ct);
        var deferred = await DropIndexesAndForeignKeysAsync(connection, tables, ct);
        var counts = new List<TableCount>();
        foreach (var table in tables)
        {
            progress?.Invoke($"Copying {table.Name}…");
            var copied = await CopyTableAsync(snapshot, connection, table, ct);
            await SetIdentityAsync(connection, table, ct);
            counts.Add(new TableCount(table.Name, copied, 0));
        }
        progress?.Invoke("Building the indexes and checking the foreign keys…");
        foreach (var statement in deferred) await ExecuteAsync(connection, statement, ct);
        for (var i = 0; i < counts.Count; i++)
            counts[i] = counts[i] with { Target = await ScalarAsync(connection, $"SELECT count(*) FROM {Quote(counts[i].Table)}", ct) };
        if (counts.FirstOrDefault(c => c.Source != c.Target) is { } wrong)
            throw new CopyRefused($"{wrong.Table}: {wrong.Source} rows read but {wrong.Target} in PostgreSQL; nothing was kept.");
        await tx.CommitAsync(ct);
        return counts;
    }

    private sealed record Column(string Name, string SourceName, Type SourceType, ValueMap? FromSource, ValueMap? ToTarget,
        string TargetType, int? MaxLength);

    private sealed record Table(string Name, IReadOnlyList<Column> Columns, string? KeyColumn, string? IdentityColumn);

    private delegate object? ValueMap(object value);

    /// <summary>
    /// The tables in foreign-key order, each with its columns as both engines name and type them. A table refers to
    /// itself only through a nullable key (a member's manager); PostgreSQL checks that at the end of the COPY, so row
    /// order within the table does not matter.
    /// </summary>
    private IReadOnlyList<Table> Plan(IModel postgresModel)
    {
        var relational = postgresModel.GetRelationalModel();
        var byName = relational.Tables.ToDictionary(t => t.Name);
        var ordered = new List<ITable>();
        var state = new Dictionary<string, bool>();   // false: being visited, true: done
        void Visit(ITable table)
        {
            if (state.TryGetValue(table.Name, out var done))
            {
                if (!done) throw new InvalidOperationException($"The model's foreign keys form a cycle through {table.Name}.");
                return;
            }
            state[table.Name] = false;
            foreach (var fk in table.ForeignKeyConstraints.Where(fk => fk.PrincipalTable.Name != table.Name).OrderBy(fk => fk.PrincipalTable.Name, StringComparer.Ordinal))
                Visit(byName[fk.PrincipalTable.Name]);
            state[table.Name] = true;
            ordered.Add(table);
        }
        foreach (var table in relational.Tables.OrderBy(t => t.Name, StringComparer.Ordinal)) Visit(table);
        return ordered.Select(PlanTable).ToList();
    }

    private Table PlanTable(ITable table)
    {
        var columns = new List<Column>();
        foreach (var column in table.Columns)
        {
            var property = column.PropertyMappings.First().Property;
            var sourceProperty = _sqliteModel.FindEntityType(property.DeclaringType.Name)?.FindProperty(property.Name)
                ?? throw new InvalidOperationException($"{table.Name}.{column.Name} has no property in the SQLite model.");
            var sourceEntity = (IEntityType)sourceProperty.DeclaringType;
            var sourceStore = StoreObjectIdentifier.Table(sourceEntity.GetTableName()!, sourceEntity.GetSchema());
            var sourceMapping = (RelationalTypeMapping)sourceProperty.GetRelationalTypeMapping();
            var targetMapping = (RelationalTypeMapping)property.GetRelationalTypeMapping();
            var sourceConverter = sourceMapping.Converter ?? sourceProperty.GetValueConverter();
            var targetConverter = targetMapping.Converter ?? property.GetValueConverter();
            columns.Add(new Column(
                column.Name,
                sourceProperty.GetColumnName(sourceStore)!,
                Nullable.GetUnderlyingType(sourceConverter?.ProviderClrType ?? sourceProperty.ClrType) ?? (sourceConverter?.ProviderClrType ?? sourceProperty.ClrType),
                sourceConverter is null ? null : v => sourceConverter.ConvertFromProvider(v),
                targetConverter is null ? null : v => targetConverter.ConvertToProvider(v),
                targetMapping.StoreTypeNameBase,
                targetMapping.StoreTypeNameBase == "character varying" ? column.MaxLength : null));
        }
        var key = table.PrimaryKey?.Columns is [var only] ? only : null;
        var identity = key is not null && key.ProviderClrType is var t && (t == typeof(int) || t == typeof(long))
            && key.PropertyMappings.First().Property.ValueGenerated != ValueGenerated.Never ? key.Name : null;
        return new Table(table.Name, columns, key?.Name, identity);
    }

    /// <summary>
    /// SQLite never enforced varchar(n); PostgreSQL does. Asked of the source before anything is written, so a value that
    /// would not fit is named (table, column, row) and the target stays untouched. SQLite's length() counts characters,
    /// as PostgreSQL's limit does.
    /// </summary>
    private static async Task CheckLengthsAsync(SqliteTransaction source, IReadOnlyList<Table> tables, CancellationToken ct)
    {
        foreach (var table in tables)
        {
            var limited = table.Columns.Where(c => c.MaxLength is not null).ToList();
            if (limited.Count == 0) continue;
            var which = string.Join(" ", limited.Select((c, i) => $"WHEN length({Quote(c.SourceName)}) > {c.MaxLength} THEN {i}"));
            var where = string.Join(" OR ", limited.Select(c => $"length({Quote(c.SourceName)}) > {c.MaxLength}"));
            var key = table.KeyColumn is { } k ? Quote(table.Columns.First(c => c.Name == k).SourceName) : "rowid";
            await using var cmd = source.Connection!.CreateCommand();
            cmd.Transaction = source;
            cmd.CommandText = $"SELECT {key}, CASE {which} END FROM {Quote(table.Name)} WHERE {where} LIMIT 1";
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) continue;
            var column = limited[reader.GetInt32(1)];
            throw new CopyRefused($"{table.Name}.{column.Name} of row {reader.GetValue(0)} is longer than the {column.MaxLength} characters " +
                "PostgreSQL allows there (SQLite did not enforce it). Shorten it in the SQLite store and copy again; nothing was written.");
        }
    }

    private static async Task RefuseRowsAsync(NpgsqlConnection connection, IReadOnlyList<Table> tables, bool migrated, CancellationToken ct)
    {
        foreach (var table in tables)
        {
            if (!migrated && await ScalarAsync(connection, $"SELECT count(*) FROM pg_class WHERE oid = to_regclass('{Quote(table.Name)}')", ct) == 0)
                continue;
            if (await ScalarAsync(connection, $"SELECT count(*) FROM (SELECT 1 FROM {Quote(table.Name)} LIMIT 1) r", ct) > 0)
                throw new CopyRefused($"The target database is not empty ({table.Name} holds rows); copy-store only fills an empty one. Nothing was changed.");
        }
    }

    private static async Task<long> CopyTableAsync(SqliteTransaction source, NpgsqlConnection target, Table table, CancellationToken ct)
    {
        await using var read = source.Connection!.CreateCommand();
        read.Transaction = source;
        read.CommandText = $"SELECT {string.Join(", ", table.Columns.Select(c => Quote(c.SourceName)))} FROM {Quote(table.Name)}";
        await using var reader = await read.ExecuteReaderAsync(ct);
        var copy = $"COPY {Quote(table.Name)} ({string.Join(", ", table.Columns.Select(c => Quote(c.Name)))}) FROM STDIN (FORMAT BINARY)";
        await using var writer = await target.BeginBinaryImportAsync(copy, ct);
        var columns = table.Columns;
        long rows = 0;
        while (await reader.ReadAsync(ct))
        {
            await writer.StartRowAsync(ct);
            for (var i = 0; i < columns.Count; i++)
            {
                var column = columns[i];
                if (reader.IsDBNull(i))
                {
                    await writer.WriteNullAsync(ct);
                    continue;
                }
                object? value = RowReads.ReaderFor(column.SourceType)(reader, i);
                if (column.FromSource is { } from) value = from(value);
                if (column.ToTarget is { } to && value is not null) value = to(value);
                if (value is null)
                {
                    await writer.WriteNullAsync(ct);
                    continue;
                }
                if (value is string text && text.Contains('\0'))
                    throw new CopyRefused($"{table.Name}.{column.Name} of row {RowId(reader, table)} holds a NUL character, which PostgreSQL " +
                        "cannot store. Remove it in the SQLite store and copy again; nothing was kept.");
                await writer.WriteAsync(value, column.TargetType, ct);
            }
            rows++;
        }
        await writer.CompleteAsync(ct);
        return rows;
    }

    private static object? RowId(SqliteDataReader reader, Table table) =>
        table.KeyColumn is { } key ? reader.GetValue(table.Columns.ToList().FindIndex(c => c.Name == key)) : "?";

    /// <summary>The identity's next value past the copied ids, so the next insert does not collide with a copied row.</summary>
    private static async Task SetIdentityAsync(NpgsqlConnection connection, Table table, CancellationToken ct)
    {
        if (table.IdentityColumn is not { } id) return;
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT setval(s, (SELECT coalesce(max({Quote(id)}), 0) + 1 FROM {Quote(table.Name)}), false) " +
                          $"FROM pg_get_serial_sequence('{Quote(table.Name)}', '{id}') s WHERE s IS NOT NULL";
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// As a restore does it: the rows go into tables without their secondary indexes and foreign keys, which are then built
    /// once each (a sorted index build, one join per key) instead of being kept up row by row. Their definitions are read
    /// back from the migrated database, so they are exactly what the migrations made; all of it happens in the copy's
    /// transaction, so a failed copy rolls the drops back too. Returns the statements that put them back, indexes first.
    /// </summary>
    private static async Task<List<string>> DropIndexesAndForeignKeysAsync(NpgsqlConnection connection, IReadOnlyList<Table> tables, CancellationToken ct)
    {
        var names = string.Join(", ", tables.Select(t => $"'{Quote(t.Name)}'::regclass"));
        var foreignKeys = await ReadPairsAsync(connection,
            $"SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname), " +
            $"format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) " +
            $"FROM pg_constraint WHERE contype = 'f' AND conrelid IN ({names})", ct);
        var indexes = await ReadPairsAsync(connection,
            $"SELECT format('DROP INDEX %s', indexrelid::regclass), pg_get_indexdef(indexrelid) " +
            $"FROM pg_index WHERE NOT indisprimary AND indrelid IN ({names}) " +
            $"AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = indexrelid)", ct);
        foreach (var (drop, _) in foreignKeys.Concat(indexes)) await ExecuteAsync(connection, drop, ct);
        // Index builds sort in memory up to this, in this transaction only.
        await ExecuteAsync(connection, "SET LOCAL maintenance_work_mem = '256MB'", ct);
        return [.. indexes.Select(i => i.Create), .. foreignKeys.Select(f => f.Create)];
    }

    private static async Task<List<(string Drop, string Create)>> ReadPairsAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var pairs = new List<(string, string)>();
        while (await reader.ReadAsync(ct)) pairs.Add((reader.GetString(0), reader.GetString(1)));
        return pairs;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
    }

    private static string Quote(string name) => RowInserts.Quote(name);

    /// <summary>The connection string as it may be shown: the password masked.</summary>
    public static string Masked(string postgresConnectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(postgresConnectionString);
        if (!string.IsNullOrEmpty(builder.Password)) builder.Password = "****";
        return builder.ConnectionString;
    }

    /// <summary>
    /// What the moved store needs of the survey participation key, or null when nothing: the tokens and sealed answers
    /// copied are keyed with it, so a PostgreSQL instance with another key would let members answer again and could
    /// not open answers not yet released. On a server database the key is not found beside any file, so every instance
    /// needs the secret set unless it runs as the same user on this machine (which reads the same generated file).
    /// </summary>
    public static string? ParticipationKeyAdvice(FeedbackOptions options, StoreLocation store)
    {
        if (!string.IsNullOrWhiteSpace(options.ParticipationKey))
            return "Feedback:ParticipationKey is set: give every PostgreSQL instance the same secret.";
        var legacy = store.FilePath is { } path ? path + ".participation-key" : null;
        var file = legacy is not null && File.Exists(legacy) ? legacy : ParticipationKeys.KeyFile(options, store);
        if (file is null || !File.Exists(file)) return null;   // no key made yet: no token or sealed answer depends on one
        return $"Feedback:ParticipationKey = the content of {file} (the survey participation key), on every PostgreSQL instance, " +
               "e.g. the environment variable Feedback__ParticipationKey. Without it an instance makes a new key: members could " +
               "answer running surveys again and answers not yet released could not be read.";
    }
}
