using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json.Nodes;
using CrmBot.Channels.Teams;
using CrmBot.Cli;

namespace CrmBot.Tests.Channels.Teams;

/// <summary>
/// The app package against the Teams app manifest schema v1.24 (MicrosoftTeams.schema.json: required
/// fields, lengths, formats, bot scopes and command lists) and the icon rules (192×192 colour,
/// 32×32 white outline on a transparent background).
/// </summary>
public class TeamsAppPackageTests
{
    private const string AppId = "6f2c1a0e-4b7d-4c1e-9a55-0d3f2b8e7c11";
    private static string Template => TeamsAppPackage.TemplateDirectory;

    private static JsonObject Manifest() => JsonNode.Parse(File.ReadAllText(Path.Combine(Template, "manifest.json")))!.AsObject();

    [Fact]
    public void Manifest_HasTheSchemasRequiredFields_InTheirFormats()
    {
        var m = Manifest();

        Assert.Equal("1.24", m["manifestVersion"]!.GetValue<string>());
        Assert.Equal("https://developer.microsoft.com/json-schemas/teams/v1.24/MicrosoftTeams.schema.json", m["$schema"]!.GetValue<string>());
        Assert.Matches(@"^\d+\.\d+\.\d+$", m["version"]!.GetValue<string>());
        Assert.Equal(TeamsAppPackage.AppIdPlaceholder, m["id"]!.GetValue<string>());
        var developer = m["developer"]!;
        Assert.InRange(developer["name"]!.GetValue<string>().Length, 1, 32);
        foreach (var url in new[] { "websiteUrl", "privacyUrl", "termsOfUseUrl" })
            Assert.StartsWith("https://", developer[url]!.GetValue<string>());
        Assert.InRange(m["name"]!["short"]!.GetValue<string>().Length, 1, 30);
        Assert.InRange(m["name"]!["full"]!.GetValue<string>().Length, 1, 100);
        Assert.InRange(m["description"]!["short"]!.GetValue<string>().Length, 1, 80);
        Assert.InRange(m["description"]!["full"]!.GetValue<string>().Length, 1, 4000);
        Assert.NotEqual(m["description"]!["short"]!.GetValue<string>(), m["description"]!["full"]!.GetValue<string>());
        Assert.Matches("^#[0-9a-fA-F]{6}$", m["accentColor"]!.GetValue<string>());
        Assert.Equal("color.png", m["icons"]!["color"]!.GetValue<string>());
        Assert.Equal("outline.png", m["icons"]!["outline"]!.GetValue<string>());
    }

    [Fact]
    public void Manifest_BotInAllThreeScopes_WithTheCommandList()
    {
        var bots = Manifest()["bots"]!.AsArray();

        var bot = Assert.Single(bots)!;   // the schema allows one bot
        Assert.Equal(TeamsAppPackage.AppIdPlaceholder, bot["botId"]!.GetValue<string>());
        Assert.Equal(["personal", "team", "groupChat"], bot["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        var lists = bot["commandLists"]!.AsArray();
        Assert.InRange(lists.Count, 1, 3);
        var commands = lists.SelectMany(l => l!["commands"]!.AsArray()).ToList();
        Assert.Equal(["help", "log", "follow-ups", "contact", "move", "pipeline", "win rate", "feedback"], commands.Select(c => c!["title"]!.GetValue<string>()));
        Assert.All(lists, l =>
        {
            Assert.InRange(l!["commands"]!.AsArray().Count, 1, 10);
            Assert.All(l["scopes"]!.AsArray(), s => Assert.Contains(s!.GetValue<string>(), new[] { "personal", "team", "groupChat" }));
        });
        Assert.All(commands, c =>
        {
            Assert.InRange(c!["title"]!.GetValue<string>().Length, 1, 32);
            Assert.InRange(c["description"]!.GetValue<string>().Length, 1, 128);
        });
    }

    [Fact]
    public void ColorIcon_Is192Square_PngWithAlphaChannel()
    {
        var png = Png.Read(Path.Combine(Template, "color.png"));

        Assert.Equal((192, 192), (png.Width, png.Height));
    }

    [Fact]
    public void OutlineIcon_Is32Square_WhiteOnTransparent()
    {
        var png = Png.Read(Path.Combine(Template, "outline.png"));

        Assert.Equal((32, 32), (png.Width, png.Height));
        Assert.Equal(0, png.Pixel(0, 0).A);
        // Teams tints the outline itself: only white (any opacity) or fully transparent pixels.
        Assert.All(png.Pixels(), p => Assert.True(p.A == 0 || (p.R, p.G, p.B) == (255, 255, 255)));
        Assert.Contains(png.Pixels(), p => p.A == 255);
    }

    [Fact]
    public void Package_FillsPlaceholders_ZipsManifestAndIconsAtTheRoot()
    {
        using var buffer = new MemoryStream();

        TeamsAppPackage.Write(Template, AppId, "https://crm.example.com/api/messages", buffer);

        using var zip = new ZipArchive(new MemoryStream(buffer.ToArray()));
        Assert.Equal(["color.png", "manifest.json", "outline.png"], zip.Entries.Select(e => e.FullName).Order());
        using var reader = new StreamReader(zip.GetEntry("manifest.json")!.Open());
        var text = reader.ReadToEnd();
        Assert.DoesNotContain("{{", text);
        var manifest = JsonNode.Parse(text)!;
        Assert.Equal(AppId, manifest["id"]!.GetValue<string>());
        Assert.Equal(AppId, manifest["bots"]![0]!["botId"]!.GetValue<string>());
        Assert.Equal("crm.example.com", manifest["validDomains"]![0]!.GetValue<string>());
        Assert.Equal("https://crm.example.com/privacy", manifest["developer"]!["privacyUrl"]!.GetValue<string>());
        Assert.Equal(File.ReadAllBytes(Path.Combine(Template, "outline.png")), ReadAll(zip.GetEntry("outline.png")!));
    }

    [Theory]
    [InlineData("not-a-guid", "crm.example.com")]
    [InlineData(AppId, "crm example com")]
    [InlineData(AppId, "localhost")]
    [InlineData(AppId, "ftp://crm.example.com")]
    public void Package_RefusesWhatTeamsWouldRefuse(string appId, string host) =>
        Assert.Throws<ArgumentException>(() => TeamsAppPackage.Write(Template, appId, host, new MemoryStream()));

    [Fact]
    public async Task CliVerb_WritesTheZip()
    {
        var output = Path.Combine(Path.GetTempPath(), $"crmbot-teams-{Guid.NewGuid():N}.zip");
        try
        {
            var exit = await CrmCommandLine.InvokeAsync(["package-teams", "--app-id", AppId, "--host", "abc123.devtunnels.ms", "--output", output]);

            Assert.Equal(0, exit);
            using var zip = ZipFile.OpenRead(output);
            Assert.Equal(3, zip.Entries.Count);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task CliVerb_BadAppId_FailsWithoutWriting()
    {
        var output = Path.Combine(Path.GetTempPath(), $"crmbot-teams-{Guid.NewGuid():N}.zip");

        var exit = await CrmCommandLine.InvokeAsync(["package-teams", "--app-id", "nope", "--host", "crm.example.com", "--output", output]);

        Assert.NotEqual(0, exit);
        Assert.False(File.Exists(output));
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Just enough of PNG to check icons: 8-bit RGBA, non-interlaced, filters undone.</summary>
    private sealed class Png
    {
        public int Width { get; private init; }
        public int Height { get; private init; }
        private byte[] _rgba = [];

        public (byte R, byte G, byte B, byte A) Pixel(int x, int y)
        {
            var i = (y * Width + x) * 4;
            return (_rgba[i], _rgba[i + 1], _rgba[i + 2], _rgba[i + 3]);
        }

        public IEnumerable<(byte R, byte G, byte B, byte A)> Pixels()
        {
            for (var y = 0; y < Height; y++)
                for (var x = 0; x < Width; x++)
                    yield return Pixel(x, y);
        }

        public static Png Read(string path)
        {
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
            int width = 0, height = 0;
            using var idat = new MemoryStream();
            for (var pos = 8; pos < bytes.Length;)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(pos));
                var type = System.Text.Encoding.ASCII.GetString(bytes, pos + 4, 4);
                var data = bytes.AsSpan(pos + 8, length);
                if (type == "IHDR")
                {
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    Assert.Equal(8, data[8]);    // bit depth
                    Assert.Equal(6, data[9]);    // colour type: truecolour with alpha
                    Assert.Equal(0, data[12]);   // not interlaced
                }
                else if (type == "IDAT") idat.Write(data);
                pos += 12 + length;
            }
            using var inflated = new MemoryStream();
            using (var z = new ZLibStream(new MemoryStream(idat.ToArray()), CompressionMode.Decompress)) z.CopyTo(inflated);
            return new Png { Width = width, Height = height, _rgba = Unfilter(inflated.ToArray(), width, height) };
        }

        private static byte[] Unfilter(byte[] raw, int width, int height)
        {
            var stride = width * 4;
            var output = new byte[stride * height];
            for (var y = 0; y < height; y++)
            {
                var filter = raw[y * (stride + 1)];
                for (var x = 0; x < stride; x++)
                {
                    var value = raw[y * (stride + 1) + 1 + x];
                    int a = x >= 4 ? output[y * stride + x - 4] : 0;
                    int b = y > 0 ? output[(y - 1) * stride + x] : 0;
                    int c = x >= 4 && y > 0 ? output[(y - 1) * stride + x - 4] : 0;
                    output[y * stride + x] = (byte)(value + filter switch
                    {
                        0 => 0,
                        1 => a,
                        2 => b,
                        3 => (a + b) / 2,
                        4 => Paeth(a, b, c),
                        _ => throw new InvalidDataException("unknown PNG filter"),
                    });
                }
            }
            return output;
        }

        private static int Paeth(int a, int b, int c)
        {
            int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
    }
}
