namespace CrmBot.Hosting;

/// <summary>
/// Where the service and every verb read their settings files: the folder CrmBot.dll is in, whatever folder they are
/// started from, so a service manager or a shell elsewhere still gets the appsettings.json shipped beside it (without
/// it the log levels fall back to Information and every SQL statement is logged). DOTNET_CONTENTROOT (for the service
/// also ASPNETCORE_CONTENTROOT or --contentRoot) names another folder. Relative paths inside the settings, such as the
/// store's Data Source, still resolve against the working directory, as they always have: moving them to the app
/// folder would start an existing installation on a new, empty store.
/// </summary>
internal static partial class AppFolder
{
    public static string ContentRoot =>
        Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT") is { Length: > 0 } dotnet ? dotnet
        : Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT") is { Length: > 0 } aspnet ? aspnet
        : AppContext.BaseDirectory;

    /// <summary>
    /// Names each settings file in the working directory that is not the one read. Versions before this one read
    /// settings from the working directory, so an operator who kept them there must hear that they no longer apply
    /// (and how to keep them) rather than find the service running on other settings, or another store.
    /// </summary>
    public static void WarnAboutUnreadSettings(IServiceProvider services)
    {
        var environment = services.GetRequiredService<IHostEnvironment>();
        foreach (var name in (string[])["appsettings.json", $"appsettings.{environment.EnvironmentName}.json"])
        {
            var here = Path.GetFullPath(name);
            if (!File.Exists(here)) continue;
            // The same content (the working directory is the app folder, or holds a copy) changes nothing.
            var read = Path.Combine(environment.ContentRootPath, name);
            if (File.Exists(read) && File.ReadAllBytes(read).AsSpan().SequenceEqual(File.ReadAllBytes(here))) continue;
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AppFolder))
                .SettingsNotRead(here, environment.ContentRootPath, Path.GetDirectoryName(here)!);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{File} is not read: settings come from {ContentRoot}. " +
        "Move them there, or set DOTNET_CONTENTROOT={WorkingDirectory} to read them where they are")]
    private static partial void SettingsNotRead(this ILogger logger, string file, string contentRoot, string workingDirectory);
}
