using CrmBot.Crm.Surveys;
using Microsoft.Extensions.Logging.Abstractions;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CrmBot.Tests.Crm.Surveys;

public sealed class ParticipationKeysTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crmbot-keys-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static ParticipationKeys Keys(FeedbackOptions options, StoreLocation store) =>
        new(Options.Create(options), store, NullLogger<ParticipationKeys>.Instance);

    [Fact]
    public void NoConfiguredKey_GeneratesOneFileInTheUsersDataFolder_NotBesideTheStore_OwnerOnly_AndReusesIt()
    {
        var store = StoreLocation.FromConnectionString($"Data Source={Path.Combine(_dir, "crm.db")}");
        var first = Keys(new FeedbackOptions(), store).TokenFor(1, 2);

        var file = ParticipationKeys.DefaultKeyFile()!;
        Assert.StartsWith(TestEnvironment.UserDataFolder, file);   // the test run's own folder, not this machine's home
        Assert.True(File.Exists(file));
        Assert.Empty(Directory.GetFiles(_dir));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(first, Keys(new FeedbackOptions(), store).TokenFor(1, 2));   // after a restart: the same tokens
    }

    private WebApplication Host(params string[] args) =>
        CrmBotApp.Build([$"--ConnectionStrings:Crm=Data Source={Path.Combine(_dir, "crm.db")}", "--environment=Testing", .. args]);

    [Theory]
    [InlineData("survey.key")]
    [InlineData("keys/survey.key")]   // a copy of the folder takes its sub-folders along
    public async Task TheService_RefusesToStart_WithTheKeyFileInTheStoresFolder(string file)
    {
        await using var app = Host($"--Feedback:ParticipationKeyFile={Path.Combine(_dir, file)}");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Feedback:ParticipationKeyFile", error.Message);
        Assert.Contains("outside that folder", error.Message);
        Assert.False(File.Exists(Path.Combine(_dir, file)));
    }

    [Fact]
    public async Task OnPostgres_TheService_RefusesToStart_WithoutAConfiguredKey_AndStartsWithOne()
    {
        string[] postgres = ["--Database:Provider=Postgres", "--ConnectionStrings:Crm=Host=127.0.0.1;Port=1;Database=unused;Timeout=1"];
        await using var app = Host(postgres);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("On PostgreSQL every instance must use one survey participation key", error.Message);
        Assert.Contains("Feedback:ParticipationKey", error.Message);

        // With the key configured, the same settings pass the check (and fail only later, on the unreachable server).
        await using var configured = Host([.. postgres, $"--Feedback:ParticipationKey={Convert.ToBase64String(new byte[32])}"]);
        var later = await Assert.ThrowsAnyAsync<Exception>(() => configured.StartAsync());
        Assert.IsNotType<OptionsValidationException>(later);
    }

    [Fact]
    public async Task AnOldStore_WithItsKeyBesideIt_IsRefused_WithHowToMoveTheKey_AndNoNewKeyIsMade()
    {
        // A new key would forget who already answered, and let them answer again.
        var old = Path.Combine(_dir, "crm.db.participation-key");
        await File.WriteAllTextAsync(old, Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray()));
        await using var app = Host();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains($"Move that file to {ParticipationKeys.DefaultKeyFile()}", error.Message);
        Assert.Contains("Feedback__ParticipationKey", error.Message);
        Assert.True(File.Exists(old));
        var fresh = ParticipationKeys.DefaultKeyFile()!;
        Assert.False(File.Exists(fresh) && File.ReadAllText(fresh) == File.ReadAllText(old));
    }

    [Fact]
    public async Task TheOldKey_MovedWhereTheMessageSays_KeepsEveryToken()
    {
        var old = Path.Combine(_dir, "crm.db.participation-key");
        await File.WriteAllTextAsync(old, Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray()));
        var before = Keys(new FeedbackOptions { ParticipationKeyFile = old }, new StoreLocation(null, true)).TokenFor(1, 2);
        var moved = Path.Combine(_dir + "-moved", "participation.key");
        Directory.CreateDirectory(Path.GetDirectoryName(moved)!);
        File.Move(old, moved);
        try
        {
            await using var app = Host($"--Feedback:ParticipationKeyFile={moved}");

            Assert.Equal(moved, app.Services.GetRequiredService<IOptions<FeedbackOptions>>().Value.ParticipationKeyFile);   // validated
            Assert.Equal(before, app.Services.GetRequiredService<ParticipationKeys>().TokenFor(1, 2));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(moved)!, recursive: true);
        }
    }

    [Fact]
    public async Task ACopyOfTheStoresFolder_HoldsNoKey_FromWhichATokenCanBeRecomputed()
    {
        // The attacker: copies the folder (database, WAL and all) after members answered, and tries
        // every 32-byte run and every base64 text in it as the key of the tokens stored there.
        var members = new List<Member>();
        await using (var app = Host())
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<StoreMigrator>().MigrateAsync(CancellationToken.None);
            var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
            var admin = new Member { Channel = "terminal", TenantId = "local", UserId = "admin", DisplayName = "Ada", Role = MemberRole.Admin };
            db.Members.Add(admin);
            for (var i = 0; i < 6; i++)
                members.Add(db.Members.Add(new Member { Channel = "terminal", TenantId = "local", UserId = $"rep-{i}", DisplayName = $"Rep {i}" }).Entity);
            await db.SaveChangesAsync();
            var surveys = scope.ServiceProvider.GetRequiredService<SurveyService>();
            var survey = await surveys.CreateAsync(new SurveyDraft("Pulse", [new QuestionDraft("Ease", SurveyQuestionType.Rating)],
                DateOnly.FromDateTime(DateTime.UtcNow).AddDays(7)), admin, CancellationToken.None);
            foreach (var member in members)
                Assert.Equal(SubmitStatus.Recorded, (await surveys.SubmitAsync(survey.Id, member, [new AnswerInput(0, Rating: 4)], CancellationToken.None)).Status);

            var copy = Directory.CreateTempSubdirectory("crmbot-stolen-").FullName;
            try
            {
                foreach (var file in Directory.GetFiles(_dir))
                    File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
                var key = Convert.FromBase64String(await File.ReadAllTextAsync(ParticipationKeys.DefaultKeyFile()!));
                var real = app.Services.GetRequiredService<ParticipationKeys>().TokenFor(survey.Id, members[0].Id);

                var candidates = new List<byte[]>();
                foreach (var file in Directory.GetFiles(copy))
                {
                    var bytes = await File.ReadAllBytesAsync(file);
                    Assert.True(bytes.AsSpan().IndexOf(key) < 0, $"{Path.GetFileName(file)} holds the key");
                    Assert.DoesNotContain(Convert.ToBase64String(key), System.Text.Encoding.Latin1.GetString(bytes));
                    for (var at = 0; at + 32 <= bytes.Length; at++)
                        candidates.Add(bytes[at..(at + 32)]);
                    if (ParticipationKeys.TryDecode(System.Text.Encoding.Latin1.GetString(bytes)) is { } decoded)
                        candidates.Add(decoded);
                }
                Assert.NotEmpty(candidates);
                var unconfigured = new StoreLocation(null, true);
                Assert.DoesNotContain(candidates, c =>
                    Keys(new FeedbackOptions { ParticipationKey = Convert.ToBase64String(c) }, unconfigured).TokenFor(survey.Id, members[0].Id).AsSpan().SequenceEqual(real));
            }
            finally
            {
                Directory.Delete(copy, recursive: true);
            }
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
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
