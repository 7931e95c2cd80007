using System.Reflection;
using System.Text.RegularExpressions;
using CrmBot.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Scaffolding;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Tests.Crm;

/// <summary>
/// The service starts on the generated EF compiled model (src/CrmBot.Crm/CompiledModel), not on a model
/// built from OnModelCreating at start-up. Generated code goes stale silently when the model changes, so
/// this regenerates it in memory, exactly as `dotnet ef dbcontext optimize` would, and compares.
/// </summary>
public partial class CompiledModelTests
{
    private const string Fix = "The EF compiled model is out of date: run eng/regen-compiled-model.sh.";

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public void CheckedInCompiledModel_IsWhatTheCurrentModelGenerates(StoreProvider engine)
    {
        using var db = DesignTimeContext(engine);

        var services = new ServiceCollection();
        services.AddEntityFrameworkDesignTimeServices();
        services.AddDbContextDesignTimeServices(db);
        // The provider's design-time services, found the way the ef tool finds them.
        var providerAssembly = engine == StoreProvider.Sqlite
            ? typeof(SqliteDbContextOptionsBuilderExtensions).Assembly
            : typeof(NpgsqlDbContextOptionsBuilderExtensions).Assembly;
        var provider = providerAssembly.GetCustomAttribute<DesignTimeProviderServicesAttribute>()!;
        var providerServices = (IDesignTimeServices)Activator.CreateInstance(providerAssembly.GetType(provider.TypeName, throwOnError: true)!)!;
        providerServices.ConfigureDesignTimeServices(services);
        using var sp = services.BuildServiceProvider();

        var (project, modelNamespace) = engine == StoreProvider.Sqlite
            ? ("CrmBot.Crm", "CrmBot.Crm.CompiledModel")
            : ("CrmBot.Crm.Postgres", "CrmBot.Crm.Postgres.CompiledModel");
        var options = new CompiledModelCodeGenerationOptions
        {
            ContextType = typeof(CrmDbContext),
            ModelNamespace = modelNamespace,
            Language = "C#",
            UseNullableReferenceTypes = true,
            // As eng/regen-compiled-model.sh asks (--nativeaot): accessors and comparers generated, not compiled at run time.
            ForNativeAot = true,
        };
        var generated = sp.GetRequiredService<ICompiledModelCodeGeneratorSelector>().Select(options)
            .GenerateModel(db.GetService<IDesignTimeModel>().Model, options)
            .ToDictionary(f => f.Path, f => Normalize(f.Code));

        var dir = Path.Combine(RepoRoot(), "src", project, "CompiledModel");
        var onDisk = Directory.GetFiles(dir, "*.cs").ToDictionary(f => Path.GetFileName(f), f => Normalize(File.ReadAllText(f)));

        Assert.True(generated.Keys.Order().SequenceEqual(onDisk.Keys.Order()),
            $"{Fix} Generated: {string.Join(", ", generated.Keys.Order())}; on disk: {string.Join(", ", onDisk.Keys.Order())}");
        foreach (var (name, code) in generated)
        {
            if (code == onDisk[name]) continue;
            var fresh = Path.Combine(Path.GetTempPath(), "crmbot-compiled-model-" + name);
            File.WriteAllText(fresh, code);
            Assert.Fail($"{Fix} {name} differs from what the model generates now (written to {fresh}).");
        }
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public void Model_HasNoChangesMissingAMigration(StoreProvider engine)
    {
        // The store no longer asks this at every start (EF's PendingModelChangesWarning is ignored for
        // cold start), so a model change without a new migration must fail here instead, for each engine's migrations.
        using var db = DesignTimeContext(engine);
        Assert.False(db.Database.HasPendingModelChanges(), $"The model has changed: regenerate {engine}'s migration (eng/regen-migration.sh).");
    }

    [Fact]
    public void PostgresContexts_RunOnPostgresCompiledModel_NotSqlites()
    {
        var options = CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(),
            new StoreConnection(StoreProvider.Postgres, "Host=127.0.0.1;Database=unused")).Options;
        using var db = new CrmDbContext((DbContextOptions<CrmDbContext>)options);
        Assert.IsType<CrmBot.Crm.Postgres.CompiledModel.CrmDbContextModel>(db.Model);
    }

    /// <summary>A context on the model built from OnModelCreating, as `dotnet ef` sees it; nothing connects.</summary>
    private static CrmDbContext DesignTimeContext(StoreProvider engine)
    {
        var store = engine == StoreProvider.Sqlite
            ? new StoreConnection(engine, "Data Source=:memory:")
            : new StoreConnection(engine, "Host=127.0.0.1;Database=unused");
        var options = CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), store, compiledModel: false).Options;
        return new CrmDbContext((DbContextOptions<CrmDbContext>)options);
    }

    [Fact]
    public void Contexts_RunOnTheCompiledModel()
    {
        using var store = new TestStore();
        using var db = store.NewContext();
        // Nothing selects it by hand: the generated assembly attribute does, for every options set.
        Assert.IsType<CrmBot.Crm.CompiledModel.CrmDbContextModel>(db.Model);
    }

    // The model id is a fresh Guid on every generation; everything else must match.
    private static string Normalize(string code) =>
        ModelId().Replace(code.TrimStart('\uFEFF').ReplaceLineEndings("\n"), "modelId: new Guid(\"…\")");

    [GeneratedRegex("""modelId: new Guid\("[0-9a-f-]{36}"\)""")]
    private static partial Regex ModelId();

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CrmBot.sln"))) return dir.FullName;
        throw new InvalidOperationException("CrmBot.sln not found above " + AppContext.BaseDirectory);
    }
}
