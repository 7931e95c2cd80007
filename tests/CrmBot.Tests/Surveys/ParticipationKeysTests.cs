using CrmBot.Crm.Surveys;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CrmBot.Tests.Surveys;

public sealed class ParticipationKeysTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crmbot-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ParticipationKeys Keys(FeedbackOptions options, StoreLocation store) =>
        new(Options.Create(options), store, NullLogger<ParticipationKeys>.Instance);

    [Fact]
    public void NoConfiguredKey_GeneratesOneFileBesideTheStore_OwnerOnly_AndReusesIt()
    {
        var store = StoreLocation.FromConnectionString($"Data Source={Path.Combine(_dir, "crm.db")}");
        var first = Keys(new FeedbackOptions(), store).TokenFor(1, 2);

        var file = Path.Combine(_dir, "crm.db.participation-key");
        Assert.True(File.Exists(file));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(first, Keys(new FeedbackOptions(), store).TokenFor(1, 2));   // after a restart: the same tokens
    }

    [Fact]
    public void ConfiguredKey_WinsOverTheFile_AndDifferentKeysGiveDifferentTokens()
    {
        var store = StoreLocation.FromConnectionString($"Data Source={Path.Combine(_dir, "crm.db")}");
        var a = Keys(new FeedbackOptions { ParticipationKey = Convert.ToBase64String(new byte[32]) }, store).TokenFor(1, 2);
        var b = Keys(new FeedbackOptions { ParticipationKey = Convert.ToBase64String(Enumerable.Repeat((byte)1, 32).ToArray()) }, store).TokenFor(1, 2);

        Assert.NotEqual(a, b);
        Assert.False(File.Exists(Path.Combine(_dir, "crm.db.participation-key")));
    }

    [Theory]
    [InlineData("Data Source=:memory:", true)]
    [InlineData("Data Source=shared;Mode=Memory;Cache=Shared", true)]
    [InlineData("Data Source=crm.db", false)]
    public void StoreLocation_KnowsAnInMemoryStore(string connectionString, bool inMemory) =>
        Assert.Equal(inMemory, StoreLocation.FromConnectionString(connectionString).IsInMemory);

    [Theory]
    [InlineData("too-short", false)]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", true)]
    public void Options_RefuseAKeyShorterThan32Bytes(string key, bool valid)
    {
        var results = new FeedbackOptions { ParticipationKey = key }.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object()));
        Assert.Equal(valid, !results.Any());
    }
}
