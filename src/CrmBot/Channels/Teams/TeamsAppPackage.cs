using System.IO.Compression;
using System.Text.RegularExpressions;

namespace CrmBot.Channels.Teams;

/// <summary>
/// The Teams app package: manifests/teams/manifest.json with the bot's app id and public host filled in,
/// zipped with its two icons at the root, ready for "Upload a custom app" or the Teams admin center.
/// </summary>
public static partial class TeamsAppPackage
{
    public const string AppIdPlaceholder = "{{MICROSOFT_APP_ID}}";
    public const string HostPlaceholder = "{{HOST}}";
    public static readonly string[] Files = ["manifest.json", "color.png", "outline.png"];

    /// <summary>Shipped next to the executable (see CrmBot.csproj).</summary>
    public static string TemplateDirectory => Path.Combine(AppContext.BaseDirectory, "manifests", "teams");

    /// <summary>Writes the zip to <paramref name="output"/>. Throws ArgumentException for an id or host Teams would refuse.</summary>
    public static void Write(string templateDirectory, string appId, string host, Stream output)
    {
        if (!Guid.TryParse(appId, out var id))
            throw new ArgumentException("The app id must be the Azure Bot's Microsoft App ID (a GUID).", nameof(appId));
        var hostName = NormalizeHost(host);

        var manifest = File.ReadAllText(Path.Combine(templateDirectory, "manifest.json"))
            .Replace(AppIdPlaceholder, id.ToString("D"), StringComparison.Ordinal)
            .Replace(HostPlaceholder, hostName, StringComparison.Ordinal);
        if (manifest.Contains("{{", StringComparison.Ordinal))
            throw new InvalidOperationException("manifest.json still holds a placeholder after filling in the app id and host.");

        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        using (var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open()))
            writer.Write(manifest);
        foreach (var icon in Files.Skip(1))
        {
            using var entry = zip.CreateEntry(icon).Open();
            using var file = File.OpenRead(Path.Combine(templateDirectory, icon));
            file.CopyTo(entry);
        }
    }

    /// <summary>
    /// The public host name the endpoint is reached at (validDomains wants a bare host). A full URL
    /// such as https://crm.example.com/api/messages is accepted and reduced to its host.
    /// </summary>
    public static string NormalizeHost(string host)
    {
        var value = host.Trim();
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
            value = uri.IsDefaultPort ? uri.Host : uri.Authority;
        if (!HostPattern().IsMatch(value))
            throw new ArgumentException($"'{host}' is not a host name (e.g. crm.example.com or abc123.devtunnels.ms).", nameof(host));
        return value.ToLowerInvariant();
    }

    [GeneratedRegex(@"^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}(:\d{1,5})?$")]
    private static partial Regex HostPattern();
}
