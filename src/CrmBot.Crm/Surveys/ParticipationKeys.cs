using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm.Surveys;

/// <summary>
/// The key of the participation hash, kept out of the store on purpose: whoever holds only a copy
/// of the database (a backup, a read-only look with sqlite3) cannot recompute HMAC(member, survey)
/// for each member and so cannot tell who took part. Nothing links a participation to an answer in
/// any case; the key protects who answered, not what (that needs no key, there is no link).
/// Either Feedback:ParticipationKey (needed when several instances share a server database) or a
/// file generated once beside the SQLite file; an in-memory store gets a key that lives as long.
/// </summary>
public sealed class ParticipationKeys
{
    private readonly Lazy<byte[]> _key;

    public ParticipationKeys(IOptions<FeedbackOptions> options, StoreLocation store, ILogger<ParticipationKeys> logger)
    {
        _key = new Lazy<byte[]>(() => Load(options.Value, store, logger), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>HMAC-SHA256 of survey and member: a different, unlinkable token per survey for the same person.</summary>
    public byte[] TokenFor(int surveyId, int memberId) =>
        HMACSHA256.HashData(_key.Value, Encoding.UTF8.GetBytes($"crmbot/survey-participation/v1:{surveyId}:{memberId}"));

    internal static byte[]? TryDecode(string value)
    {
        try
        {
            var bytes = Convert.FromBase64String(value.Trim());
            return bytes.Length >= 32 ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static byte[] Load(FeedbackOptions options, StoreLocation store, ILogger logger)
    {
        if (!string.IsNullOrWhiteSpace(options.ParticipationKey))
            return TryDecode(options.ParticipationKey)!;

        var file = options.ParticipationKeyFile;
        if (string.IsNullOrWhiteSpace(file))
        {
            if (store.IsInMemory)
            {
                Log.EphemeralParticipationKey(logger);
                return RandomNumberGenerator.GetBytes(32);
            }
            file = store.FilePath is { } db ? db + ".participation-key"
                : throw new InvalidOperationException(
                    "Set Feedback:ParticipationKey (base64, 32 bytes) or Feedback:ParticipationKeyFile: the store is not a local SQLite file.");
        }
        return ReadOrCreate(Path.GetFullPath(file), logger);
    }

    private static byte[] ReadOrCreate(string path, ILogger logger)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (File.Exists(path))
            {
                return TryDecode(File.ReadAllText(path))
                    ?? throw new InvalidOperationException($"The participation key file {path} is not base64 of at least 32 bytes.");
            }
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using (var stream = new FileStream(path, options))
                using (var writer = new StreamWriter(stream))
                    writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
                Log.ParticipationKeyCreated(logger, path);
            }
            catch (IOException) when (attempt == 0 && File.Exists(path))
            {
                // Another instance created it first: read theirs.
            }
        }
    }
}

/// <summary>Where the SQLite store is, as SQLite itself resolves it (relative paths from the working directory).</summary>
public sealed record StoreLocation(string? FilePath, bool IsInMemory)
{
    public static StoreLocation FromConnectionString(string connectionString)
    {
        try
        {
            var builder = new SqliteConnectionStringBuilder(connectionString);
            var source = builder.DataSource;
            if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(source) || source == ":memory:")
                return new StoreLocation(null, true);
            if (source.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
                return new StoreLocation(null, false);
            return new StoreLocation(Path.GetFullPath(source), false);
        }
        catch (ArgumentException)
        {
            return new StoreLocation(null, false);   // not a SQLite connection string (a server database)
        }
    }
}
