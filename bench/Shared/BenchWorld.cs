using Microsoft.Data.Sqlite;

namespace CrmBot.Bench.Shared;

/// <summary>A chat user of the generated store, with a contact they own whose name is unique (so "log call with X" needs no "which one?").</summary>
internal sealed record BenchUser(int MemberId, string Channel, string TenantId, string UserId, string DisplayName, string TimeZone,
    int ContactId, string ContactName);

/// <summary>The members and contacts the bench turns are sent as and about (the load tool, `stages`), read from the store.</summary>
internal static class BenchWorld
{
    public static List<BenchUser> Users(string store, string channel, int max = 5000)
    {
        using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        // One uniquely named contact per member: the lowest id among the member's contacts with a name no one else has.
        cmd.CommandText = """
            WITH unique_names AS (SELECT SearchName FROM Contacts GROUP BY SearchName HAVING count(*) = 1)
            SELECT m.Id, m.Channel, m.TenantId, m.UserId, m.DisplayName, m.TimeZone,
                   (SELECT c.Id || '|' || c.FirstName || ' ' || c.LastName FROM Contacts c
                    WHERE c.OwnerId = m.Id AND c.SearchName IN (SELECT SearchName FROM unique_names) ORDER BY c.Id LIMIT 1)
            FROM Members m WHERE m.Channel = $channel ORDER BY m.Id LIMIT $max
            """;
        cmd.Parameters.AddWithValue("$channel", channel);
        cmd.Parameters.AddWithValue("$max", max);
        using var reader = cmd.ExecuteReader();
        var users = new List<BenchUser>();
        while (reader.Read())
        {
            if (reader.IsDBNull(6)) continue;
            var contact = reader.GetString(6).Split('|', 2);
            users.Add(new BenchUser(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), int.Parse(contact[0], System.Globalization.CultureInfo.InvariantCulture), contact[1]));
        }
        if (users.Count == 0) throw new InvalidOperationException($"The store has no {channel} members with a uniquely named contact; was it made by `generate`?");
        return users;
    }

    /// <summary>Rows in a table (activities written by log turns are counted from the store after a run).</summary>
    public static long Count(string store, string table)
    {
        using var connection = new SqliteConnection($"Data Source={store};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM \"{table}\"";
        return (long)cmd.ExecuteScalar()!;
    }
}
