using System.Buffers.Binary;
using System.Text;
using Microsoft.Data.Sqlite;

namespace CrmBot.IntegrationTests.Surveys;

/// <summary>
/// What an attacker holds after copying the store's folder: the database file and its WAL, byte for byte.
/// Reads the WAL as SQLite wrote it: frames of one page each, grouped into commits (a frame with a non-zero
/// database size ends one). Frames left from before the WAL last restarted carry other salts and are ignored.
/// </summary>
public sealed class StoreCopy
{
    public sealed record Frame(uint Page, byte[] Data);

    public byte[] Database { get; }
    public byte[] Wal { get; }
    public IReadOnlyList<IReadOnlyList<Frame>> Commits { get; }
    /// <summary>Every frame slot in the WAL file, stale ones too: what lies in the file, whether SQLite would read it or not.</summary>
    public IReadOnlyList<Frame> AllFrames { get; }
    public int PageSize { get; }

    private StoreCopy(byte[] database, byte[] wal)
    {
        Database = database;
        Wal = wal;
        PageSize = database.Length >= 18 ? PageSizeAt(database, 16, 1) : 4096;
        Commits = ReadCommits(wal);
        AllFrames = ReadAllFrames(wal);
    }

    /// <summary>Copies db, -wal and -shm of <paramref name="dbPath"/> into <paramref name="folder"/> and reads them.</summary>
    public static StoreCopy Take(string dbPath, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            if (File.Exists(dbPath + suffix)) File.Copy(dbPath + suffix, Path.Combine(folder, "crm.db" + suffix), overwrite: true);
        var wal = Path.Combine(folder, "crm.db-wal");
        return new StoreCopy(File.ReadAllBytes(Path.Combine(folder, "crm.db")), File.Exists(wal) ? File.ReadAllBytes(wal) : []);
    }

    /// <summary>The database file's path from the service's connection string.</summary>
    public static string DbPath(string connectionString) => new SqliteConnectionStringBuilder(connectionString).DataSource;

    public static int Count(byte[] haystack, string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        var count = 0;
        for (var at = haystack.AsSpan().IndexOf(needle); at >= 0;)
        {
            count++;
            var next = haystack.AsSpan(at + 1).IndexOf(needle);
            at = next < 0 ? -1 : at + 1 + next;
        }
        return count;
    }

    public static bool Holds(byte[] page, string text) => page.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    /// <summary>Page numbers (1-based) of the database file whose bytes hold <paramref name="text"/>.</summary>
    public IEnumerable<uint> DatabasePagesHolding(string text)
    {
        for (var i = 0; (i + 1) * PageSize <= Database.Length; i++)
            if (Holds(Database.AsSpan(i * PageSize, PageSize).ToArray(), text)) yield return (uint)(i + 1);
    }

    private static int PageSizeAt(byte[] bytes, int offset, int multiplier)
    {
        var size = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(offset)) * multiplier;
        return size == 1 ? 65536 : size;
    }

    private static List<Frame> ReadAllFrames(byte[] wal)
    {
        var frames = new List<Frame>();
        if (wal.Length < 32) return frames;
        var pageSize = (int)BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(8));
        for (var at = 32; at + 24 + pageSize <= wal.Length; at += 24 + pageSize)
            frames.Add(new Frame(BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(at)), wal.AsSpan(at + 24, pageSize).ToArray()));
        return frames;
    }

    /// <summary>
    /// What the files become when the last connection closes (SQLite then checkpoints the WAL into the database
    /// and removes it): the copy in <paramref name="folder"/> is opened and closed that way.
    /// </summary>
    public static StoreCopy Stopped(string folder)
    {
        var path = Path.Combine(folder, "crm.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }
        var wal = path + "-wal";
        return new StoreCopy(File.ReadAllBytes(path), File.Exists(wal) ? File.ReadAllBytes(wal) : []);
    }

    /// <summary>The first page of a table's b-tree: while the table is small its rows live there.</summary>
    public static uint RootPage(string folder, string table)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "crm.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", table);
        return Convert.ToUInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static List<IReadOnlyList<Frame>> ReadCommits(byte[] wal)
    {
        var commits = new List<IReadOnlyList<Frame>>();
        if (wal.Length < 32) return commits;
        var pageSize = (int)BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(8));
        var salt1 = BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(16));
        var salt2 = BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(20));
        var current = new List<Frame>();
        for (var at = 32; at + 24 + pageSize <= wal.Length; at += 24 + pageSize)
        {
            var header = wal.AsSpan(at, 24);
            if (BinaryPrimitives.ReadUInt32BigEndian(header[8..]) != salt1 || BinaryPrimitives.ReadUInt32BigEndian(header[12..]) != salt2) break;
            current.Add(new Frame(BinaryPrimitives.ReadUInt32BigEndian(header), wal.AsSpan(at + 24, pageSize).ToArray()));
            if (BinaryPrimitives.ReadUInt32BigEndian(header[4..]) != 0)
            {
                commits.Add(current);
                current = [];
            }
        }
        return commits;
    }
}
