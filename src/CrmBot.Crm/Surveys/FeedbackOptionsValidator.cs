using Microsoft.Extensions.Options;

namespace CrmBot.Crm.Surveys;

/// <summary>
/// Refuses to start with the participation key in the store's folder: whoever copies that folder
/// would have the key with the data and could tell who took part in every survey. An old store
/// whose key was generated beside it is refused too, with how to move the key; generating a new
/// key instead would let everyone who already answered answer again.
/// On a database server the key must be configured: the server is what several instances share, and a key generated
/// per host would let a member answer once per instance and leave each instance unable to open the others' sealed
/// answers (and a container's generated key is gone with the container).
/// </summary>
internal sealed class FeedbackOptionsValidator(StoreLocation store, StoreConnection connection) : IValidateOptions<FeedbackOptions>
{
    public ValidateOptionsResult Validate(string? name, FeedbackOptions options)
    {
        if (!connection.IsSqlite && string.IsNullOrWhiteSpace(options.ParticipationKey) && string.IsNullOrWhiteSpace(options.ParticipationKeyFile))
            return ValidateOptionsResult.Fail("On PostgreSQL every instance must use one survey participation key, kept out of the database: " +
                "set the secret Feedback:ParticipationKey (base64 of 32 random bytes, e.g. from `openssl rand -base64 32`; " +
                "the environment variable Feedback__ParticipationKey) to the same value on every instance.");
        if (store.Folder is not { } folder)
            return ValidateOptionsResult.Success;
        var errors = new List<string>();
        var legacy = store.FilePath + ".participation-key";
        if (string.IsNullOrWhiteSpace(options.ParticipationKey) && string.IsNullOrWhiteSpace(options.ParticipationKeyFile)
            && ParticipationKeys.DefaultKeyFile() is null)
            return ValidateOptionsResult.Fail("The service user has no data folder (HOME or XDG_DATA_HOME) to keep the survey participation key in: " +
                "set Feedback:ParticipationKey (the environment variable Feedback__ParticipationKey) or Feedback:ParticipationKeyFile.");
        var keyFile = ParticipationKeys.KeyFile(options, store);
        if (File.Exists(legacy) && !SamePath(legacy, keyFile))
        {
            var target = keyFile ?? ParticipationKeys.DefaultKeyFile() ?? "a file outside that folder";
            errors.Add(string.IsNullOrWhiteSpace(options.ParticipationKey)
                ? $"The survey participation key {legacy} lies beside the store, so a copy of the store's folder shows who took part in surveys. " +
                  $"Move that file to {target} (or set Feedback:ParticipationKeyFile to a path outside {folder}, " +
                  "or put its content into the secret Feedback:ParticipationKey, e.g. the environment variable Feedback__ParticipationKey) and start again."
                : $"The old survey participation key {legacy} still lies beside the store. Feedback:ParticipationKey is set, so once it holds that file's content, delete the file and start again.");
        }
        else if (keyFile is not null && InFolder(keyFile, folder))
        {
            errors.Add($"The survey participation key file {keyFile} is in the store's folder {folder}, so a copy of that folder would show who took part in surveys. " +
                "Set Feedback:ParticipationKeyFile to a file outside that folder, " +
                "or set the secret Feedback:ParticipationKey (the environment variable Feedback__ParticipationKey).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>In the folder or anywhere below it: a copy of a folder usually takes its sub-folders along.</summary>
    private static bool InFolder(string file, string folder)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(file).StartsWith(root, PathComparison);
    }

    private static bool SamePath(string? a, string? b) =>
        a is not null && b is not null &&
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)),
            PathComparison);

    private static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
}
