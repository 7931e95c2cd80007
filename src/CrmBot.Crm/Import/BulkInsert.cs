using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CrmBot.Crm.Import;

/// <summary>
/// Inserts many rows of one entity type through one prepared command in the caller's transaction.
/// SaveChanges costs tens of microseconds per entity even with change detection off; an import of
/// 100,000 contacts plus their audit entries would spend most of its time there. The SQL comes from
/// the EF model (table, columns, value converters), so it follows the schema instead of repeating it.
/// </summary>
internal sealed class BulkInsert<T> : IDisposable where T : class
{
    private readonly DbCommand _command;
    private readonly (IClrPropertyGetter Getter, ValueConverter? Converter, DbParameter Parameter)[] _columns;
    private readonly IProperty _key;

    private readonly bool _returnKey;

    /// <param name="returnKey">Read back the generated key (contacts, companies); audit entries need not.</param>
    public BulkInsert(CrmDbContext db, IDbContextTransaction transaction, bool returnKey = true)
    {
        _returnKey = returnKey;
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        _key = entity.FindPrimaryKey()!.Properties.Single();
        var properties = entity.GetProperties().Where(p => p != _key && p.GetColumnName(table) is not null).ToArray();

        _command = db.Database.GetDbConnection().CreateCommand();
        _command.Transaction = transaction.GetDbTransaction();
        _columns = properties.Select(p =>
        {
            var parameter = _command.CreateParameter();
            parameter.ParameterName = "@" + p.Name;
            _command.Parameters.Add(parameter);
            return (p.GetGetter(), p.GetTypeMapping().Converter, parameter);
        }).ToArray();
        var columns = string.Join(", ", properties.Select(p => Quote(p.GetColumnName(table)!)));
        var values = string.Join(", ", properties.Select(p => "@" + p.Name));
        _command.CommandText = $"INSERT INTO {Quote(entity.GetTableName()!)} ({columns}) VALUES ({values})"
            + (returnKey ? $" RETURNING {Quote(_key.GetColumnName(table)!)};" : ";");
        _command.Prepare();
    }

    /// <summary>Inserts the entity and, when asked to, sets its generated key.</summary>
    public async Task InsertAsync(T item, CancellationToken ct)
    {
        foreach (var (getter, converter, parameter) in _columns)
        {
            var value = getter.GetClrValue(item);
            if (converter is not null && value is not null) value = converter.ConvertToProvider(value);
            parameter.Value = value ?? DBNull.Value;
        }
        if (!_returnKey)
        {
            await _command.ExecuteNonQueryAsync(ct);
            return;
        }
        var id = await _command.ExecuteScalarAsync(ct);
        _key.PropertyInfo!.SetValue(item, Convert.ChangeType(id, _key.ClrType, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public void Dispose() => _command.Dispose();
}
