using CrmBot.Crm;
using Microsoft.Data.Sqlite;

namespace CrmBot.Tests.Crm;

public sealed class StoreErrorsTests
{
    private static Exception Failure(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Assert.ThrowsAny<SqliteException>(() => command.ExecuteNonQuery());
    }

    [Fact]
    public void ALostInsertRace_IsAUniqueViolation_OtherConstraintsAreNot()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL UNIQUE, n INTEGER CHECK (n > 0));" +
                                 "INSERT INTO t (id, k, n) VALUES (1, 'a', 1);";
            create.ExecuteNonQuery();
        }

        Assert.True(StoreErrors.IsUniqueViolation(Failure(connection, "INSERT INTO t (id, k, n) VALUES (2, 'a', 1)")));
        Assert.True(StoreErrors.IsUniqueViolation(Failure(connection, "INSERT INTO t (id, k, n) VALUES (1, 'b', 1)")));
        // As EF wraps it.
        Assert.True(StoreErrors.IsUniqueViolation(new Microsoft.EntityFrameworkCore.DbUpdateException("save",
            Failure(connection, "INSERT INTO t (id, k, n) VALUES (3, 'a', 1)"))));
        Assert.False(StoreErrors.IsUniqueViolation(Failure(connection, "INSERT INTO t (id, k, n) VALUES (4, NULL, 1)")));
        Assert.False(StoreErrors.IsUniqueViolation(Failure(connection, "INSERT INTO t (id, k, n) VALUES (5, 'c', 0)")));
        Assert.False(StoreErrors.IsMissingStore(Failure(connection, "INSERT INTO t (id, k, n) VALUES (6, 'a', 1)")));
    }

    [Fact]
    public void AReadOnlyOpenOfAFileThatIsNotThere_IsAMissingStore()
    {
        var path = Path.Combine(Path.GetTempPath(), $"crmbot-missing-{Guid.NewGuid():N}.db");
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly");
        var e = Assert.ThrowsAny<SqliteException>(connection.Open);
        Assert.True(StoreErrors.IsMissingStore(e));
        Assert.False(StoreErrors.IsUniqueViolation(e));
        Assert.False(File.Exists(path));
    }
}
