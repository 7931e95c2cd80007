using System.Globalization;
using System.Text.Json;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Surveys;
using CrmBot.Fakes.Postgres;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace CrmBot.Tests.Cli;

/// <summary>
/// `copy-store` as an operator runs it, in its own process: a SQLite store moved into an empty PostgreSQL database keeps
/// every row, value for value, the service then reads it there, and what cannot be moved is refused before anything is
/// written.
/// </summary>
public sealed class CopyStoreCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crmbot-copy-").FullName;
    private string DbPath => Path.Combine(_dir, "crm.db");

    private Task<CrmBotProcess.Result> CopyAsync(string to) => CrmBotProcess.RunAsync(DbPath, _dir, ["copy-store", "--to", to]);

    [Fact]
    public async Task DemoStore_WithASurvey_IsCopiedRowForRow_AndTheServiceReadsAndWritesItOnPostgres()
    {
        var seed = await CrmBotProcess.RunAsync(DbPath, _dir, ["seed-demo"]);
        Assert.True(seed.Exit == 0, seed.All);
        await using (var db = Sqlite())
        {
            // The survey tables too: random long ids, bytes, a JSON column, a date.
            var owner = await db.Members.FirstAsync();
            var survey = new Survey
            {
                Title = "How are we doing?", Questions = [new SurveyQuestion { Text = "Mood", Type = SurveyQuestionType.Rating }],
                Audience = SurveyAudience.AllMembers, ClosesOn = new DateOnly(2026, 12, 31), MinResponses = 3, CreatedById = owner.Id,
                CreatedAt = new DateTime(2026, 12, 1, 9, 30, 15, 123, 456, DateTimeKind.Utc),
            };
            db.Surveys.Add(survey);
            await db.SaveChangesAsync();
            db.SealedResponses.Add(new SealedResponse { Id = 7_301_234_567_890, SurveyId = survey.Id, Blob = [1, 2, 3, 0, 255] });
            db.SurveyParticipations.Add(new SurveyParticipation { Id = -42, SurveyId = survey.Id, Token = [9, 8, 7] });
            await db.SaveChangesAsync();
        }
        var target = await PostgresCluster.Shared.CreateDatabaseAsync();

        var copy = await CopyAsync(target);

        Assert.True(copy.Exit == 0, copy.All);
        Assert.Matches(@"Activities\s+[1-9][\d,]*\s+[1-9][\d,]*", copy.Out);
        Assert.Contains("Database:Provider=Postgres", copy.Out);
        Assert.Contains("ConnectionStrings:Crm=", copy.Out);
        await using (var sqlite = Sqlite())
        await using (var pg = Postgres(target))
        {
            foreach (var entity in pg.Model.GetEntityTypes())
            {
                var expected = Rows(sqlite, entity);
                Assert.Equal(expected, Rows(pg, entity));
                // The counts printed are the tables' own.
                Assert.Matches($@"(?m)^{entity.GetTableName()}\s+{expected.Count:N0}\s+{expected.Count:N0}\s*$", copy.Out.Replace("\r", ""));
            }
            Assert.NotEmpty(Rows(pg, pg.Model.FindEntityType(typeof(Activity))!));

            // Identities continue past the copied ids: a new row gets the next number, not a taken one.
            var lastCompany = await pg.Companies.MaxAsync(c => c.Id);
            pg.Companies.Add(new Company { Name = "Moved Inc", NormalizedName = "moved inc", CreatedAt = DateTime.UtcNow });
            await pg.SaveChangesAsync();
            Assert.Equal(lastCompany + 1, await pg.Companies.Where(c => c.Name == "Moved Inc").Select(c => c.Id).SingleAsync());
        }

        // The indexes and foreign keys set aside during the copy are back, as PostgreSQL's migrations make them.
        var migrated = await PostgresCluster.Shared.CreateDatabaseAsync();
        await using (var fresh = Postgres(migrated)) await new StoreMigrator(fresh).MigrateAsync();
        Assert.Equal(await SchemaAsync(migrated), await SchemaAsync(target));

        // The service, configured as the verb said, lists the same members on PostgreSQL as on SQLite.
        var onSqlite = await CrmBotProcess.RunAsync(DbPath, _dir, ["members", "list", "--json"]);
        var onPostgres = await CrmBotProcess.RunAsync(null, _dir, ["members", "list", "--json"],
            environment: new Dictionary<string, string> { ["Database__Provider"] = "Postgres", ["ConnectionStrings__Crm"] = target });
        Assert.True(onPostgres.Exit == 0, onPostgres.All);
        Assert.Contains("\"members\"", onSqlite.Out);
        Assert.Equal(onSqlite.Out, onPostgres.Out);
    }

    [Fact]
    public async Task ATargetThatHoldsRows_IsRefused_AndLeftAsItWas()
    {
        var seed = await CrmBotProcess.RunAsync(DbPath, _dir, ["seed-demo"]);
        Assert.True(seed.Exit == 0, seed.All);
        var target = await PostgresCluster.Shared.CreateDatabaseAsync();
        var first = await CopyAsync(target);
        Assert.True(first.Exit == 0, first.All);
        await using var pg = Postgres(target);
        var contacts = await pg.Contacts.CountAsync();

        var second = await CopyAsync(target);

        Assert.Equal(1, second.Exit);
        Assert.Contains("not empty", second.Err);
        Assert.Contains("Nothing was changed", second.Err);
        Assert.Equal(contacts, await pg.Contacts.CountAsync());
    }

    [Fact]
    public async Task AMissingSqliteStore_IsRefused_AndTheTargetIsNotTouched()
    {
        var target = await PostgresCluster.Shared.CreateDatabaseAsync();

        var copy = await CopyAsync(target);

        Assert.Equal(1, copy.Exit);
        Assert.Contains("There is no store", copy.Err);
        Assert.False(File.Exists(DbPath));
        Assert.Equal(0, await TablesAsync(target));
    }

    [Fact]
    public async Task APostgresSource_IsRefused_WithWhatToDo()
    {
        var source = await PostgresCluster.Shared.CreateDatabaseAsync();
        var target = await PostgresCluster.Shared.CreateDatabaseAsync();

        var copy = await CrmBotProcess.RunAsync(null, _dir, ["copy-store", "--to", target],
            environment: new Dictionary<string, string> { ["Database__Provider"] = "Postgres", ["ConnectionStrings__Crm"] = source });

        Assert.Equal(1, copy.Exit);
        Assert.Contains("PostgreSQL already", copy.Err);
        Assert.Equal(0, await TablesAsync(target));
    }

    [Fact]
    public async Task AValueLongerThanPostgresAllows_IsNamedByTableColumnAndRow_AndNothingIsWritten()
    {
        var seed = await CrmBotProcess.RunAsync(DbPath, _dir, ["seed-demo"]);
        Assert.True(seed.Exit == 0, seed.All);
        int surveyId;
        await using (var db = Sqlite())
        {
            // SQLite keeps the 201 characters that PostgreSQL's varchar(200) would refuse.
            var survey = new Survey
            {
                Title = new string('t', 201), Audience = SurveyAudience.AllMembers, ClosesOn = new DateOnly(2026, 12, 31), MinResponses = 3,
                CreatedById = (await db.Members.FirstAsync()).Id, CreatedAt = DateTime.UtcNow,
            };
            db.Surveys.Add(survey);
            await db.SaveChangesAsync();
            surveyId = survey.Id;
        }
        var target = await PostgresCluster.Shared.CreateDatabaseAsync();

        var copy = await CopyAsync(target);

        Assert.Equal(1, copy.Exit);
        Assert.Contains($"Surveys.Title of row {surveyId} is longer than the 200 characters", copy.Err);
        Assert.Contains("nothing was written", copy.Err);
        Assert.Equal(0, await TablesAsync(target));
    }

    [Fact]
    public async Task AnInvalidConnectionString_IsAnsweredWithUsage_NotAStackTrace()
    {
        var copy = await CopyAsync("this is not=a;connection string");

        Assert.Equal(2, copy.Exit);
        Assert.Contains("--to is not a PostgreSQL connection string", copy.Err);
        Assert.DoesNotContain("   at ", copy.Err);
    }

    [Fact]
    public void TheParticipationKeyFile_IsNamedAsTheSecretToSet_AndAConfiguredSecretIsToBeKept()
    {
        var keyFile = Path.Combine(_dir, "keys", "participation.key");
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        File.WriteAllText(keyFile, Convert.ToBase64String(new byte[32]));
        var store = StoreLocation.FromConnectionString($"Data Source={DbPath}");

        Assert.Contains($"Feedback:ParticipationKey = the content of {keyFile}",
            StoreCopy.ParticipationKeyAdvice(new FeedbackOptions { ParticipationKeyFile = keyFile }, store));
        Assert.Null(StoreCopy.ParticipationKeyAdvice(new FeedbackOptions { ParticipationKeyFile = keyFile + ".none" }, store));
        Assert.Contains("same secret",
            StoreCopy.ParticipationKeyAdvice(new FeedbackOptions { ParticipationKey = Convert.ToBase64String(new byte[32]) }, store));
    }

    [Fact]
    public void ThePasswordIsMasked_WhereTheSettingsArePrinted()
    {
        var shown = StoreCopy.Masked("Host=db;Database=crm;Username=crm;Password=s3cret");

        Assert.DoesNotContain("s3cret", shown);
        Assert.Contains("Database=crm", shown);
    }

    private CrmDbContext Sqlite() => Sqlite(DbPath);

    internal static CrmDbContext Sqlite(string path)
    {
        var options = CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), $"Data Source={path};Pooling=False")
            .Options;
        return new CrmDbContext((DbContextOptions<CrmDbContext>)options);
    }

    internal static CrmDbContext Postgres(string connectionString)
    {
        var options = CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(),
                new StoreConnection(StoreProvider.Postgres, connectionString))
            .UseModel(CrmServiceCollectionExtensions.CompiledModelOf(StoreProvider.Postgres)).Options;
        return new CrmDbContext((DbContextOptions<CrmDbContext>)options);
    }

    /// <summary>Every row of an entity as text, key order, each mapped property as the model reads it back.</summary>
    internal static List<string> Rows(CrmDbContext db, IEntityType entity) =>
        Rows(entity, (IQueryable<object>)typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!
            .MakeGenericMethod(entity.ClrType).Invoke(db, null)!);

    internal static List<string> Rows(IEntityType entity, IQueryable<object> query)
    {
        var properties = entity.GetProperties().Where(p => p.PropertyInfo is not null).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        var key = entity.FindPrimaryKey()!.Properties;
        return query.AsNoTracking().ToList()
            .OrderBy(row => string.Join("|", key.Select(k => Text(k.PropertyInfo!.GetValue(row)))), StringComparer.Ordinal)
            .Select(row => string.Join("; ", properties.Select(p => $"{p.Name}={Text(p.PropertyInfo!.GetValue(row))}")))
            .ToList();
    }

    /// <summary>A value as both engines hold it: PostgreSQL keeps instants to the microsecond, SQLite to the tick.</summary>
    private static string Text(object? value) => value switch
    {
        null => "null",
        DateTime t => new DateTime(t.Ticks - t.Ticks % 10, t.Kind).ToString("O", CultureInfo.InvariantCulture),
        decimal d => d.ToString("0.##########", CultureInfo.InvariantCulture),   // numeric(18,2) keeps two decimals, SQLite's text fewer
        byte[] b => Convert.ToHexString(b),
        string s => s,
        System.Collections.IEnumerable list => JsonSerializer.Serialize(list),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Every index and constraint of the database, as PostgreSQL would recreate it.</summary>
    private static async Task<List<string>> SchemaAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' UNION ALL " +
            "SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint " +
            "WHERE connamespace = 'public'::regnamespace ORDER BY 1", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var schema = new List<string>();
        while (await reader.ReadAsync()) schema.Add(reader.GetString(0));
        Assert.Contains(schema, s => s.Contains("FOREIGN KEY", StringComparison.Ordinal));
        return schema;
    }

    internal static async Task<long> TablesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", connection);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
