using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm.Surveys;

/// <summary>
/// The key of the participation hash, kept out of the store and out of the store's folder on
/// purpose: whoever copies that folder (a backup, the database with its WAL and what lies beside
/// it) cannot recompute HMAC(member, survey) for each member and so cannot tell who took part.
/// Nothing links a participation to an answer in any case; the key protects who answered, and
/// (through <see cref="AnswerKey"/>) what the answers not yet released say.
/// Either Feedback:ParticipationKey (the environment's Feedback__ParticipationKey, or the platform's
/// secret store through configuration; needed when several instances share a server database),
/// Feedback:ParticipationKeyFile, or a file generated once in the service user's own data folder
/// (<see cref="DefaultKeyFile"/>). An in-memory store gets a key that lives as long.
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

    /// <summary>
    /// The dedupe key of one member's reminder: keyed like the participation token but with its own
    /// label, so it cannot be turned back into a member without the key, nor matched against the
    /// token the member leaves on answering later.
    /// </summary>
    public string ReminderKey(int surveyId, int memberId) =>
        $"survey-reminder:{surveyId}:" + Convert.ToHexStringLower(
            HMACSHA256.HashData(_key.Value, Encoding.UTF8.GetBytes($"crmbot/survey-reminder/v1:{surveyId}:{memberId}")));

    /// <summary>
    /// The AES-256 key that seals one survey's answers until their release: derived from the same
    /// secret with its own label, so it opens nothing else and the sealed rows are unreadable to
    /// whoever holds only the store's folder.
    /// </summary>
    public byte[] AnswerKey(int surveyId) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key.Value, 32, salt: null,
            info: Encoding.UTF8.GetBytes($"crmbot/survey-answers/v1:{surveyId}"));

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

    /// <summary>
    /// The service user's own data folder ($XDG_DATA_HOME or ~/.local/share on Linux, %LOCALAPPDATA%
    /// on Windows), never the store's: a folder copied with the store would carry its key along.
    /// </summary>
    /// <returns>Null when the user has none (no HOME): a relative path could land in the store's folder.</returns>
    public static string? DefaultKeyFile() =>
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify) is { Length: > 0 } folder
            && Path.IsPathRooted(folder)
            ? Path.Combine(folder, "crmbot", "participation.key")
            : null;

    /// <summary>The file a key would be read from or generated into; null when the key is configured or in memory.</summary>
    internal static string? KeyFile(FeedbackOptions options, StoreLocation store)
    {
        if (!string.IsNullOrWhiteSpace(options.ParticipationKey))
            return null;
        if (!string.IsNullOrWhiteSpace(options.ParticipationKeyFile))
            return Path.GetFullPath(options.ParticipationKeyFile);
        return store.IsInMemory ? null : DefaultKeyFile()
            ?? throw new InvalidOperationException("No user data folder for the survey participation key: set Feedback:ParticipationKey or Feedback:ParticipationKeyFile.");
    }

    private static byte[] Load(FeedbackOptions options, StoreLocation store, ILogger logger)
    {
        if (!string.IsNullOrWhiteSpace(options.ParticipationKey))
            return TryDecode(options.ParticipationKey)!;
        if (KeyFile(options, store) is not { } file)
        {
            Log.EphemeralParticipationKey(logger);
            return RandomNumberGenerator.GetBytes(32);
        }
        return ReadOrCreate(file, logger);
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
                if (Path.GetDirectoryName(path) is { Length: > 0 } folder && !Directory.Exists(folder))
                {
                    if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
                    else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
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
    /// <summary>A store on a database server: no file of ours to keep anything beside.</summary>
    public static readonly StoreLocation Server = new(null, false);

    /// <summary>The folder an attacker copies along with the database and its WAL; null when not a local file.</summary>
    public string? Folder => FilePath is { } file ? Path.GetDirectoryName(file) : null;

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
