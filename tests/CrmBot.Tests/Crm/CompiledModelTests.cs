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

    [Fact]
    public void CheckedInCompiledModel_IsWhatTheCurrentModelGenerates()
    {
        using var store = new TestStore();
        using var db = store.NewContext();

        var services = new ServiceCollection();
        services.AddEntityFrameworkDesignTimeServices();
        services.AddDbContextDesignTimeServices(db);
        // The provider's design-time services, found the way the ef tool finds them.
        var provider = typeof(SqliteDbContextOptionsBuilderExtensions).Assembly.GetCustomAttribute<DesignTimeProviderServicesAttribute>()!;
        var providerServices = (IDesignTimeServices)Activator.CreateInstance(
            typeof(SqliteDbContextOptionsBuilderExtensions).Assembly.GetType(provider.TypeName, throwOnError: true)!)!;
        providerServices.ConfigureDesignTimeServices(services);
        using var sp = services.BuildServiceProvider();

        var options = new CompiledModelCodeGenerationOptions
        {
            ContextType = typeof(CrmDbContext),
            ModelNamespace = "CrmBot.Crm.CompiledModel",
            Language = "C#",
            UseNullableReferenceTypes = true,
            // As eng/regen-compiled-model.sh asks (--nativeaot): accessors and comparers generated, not compiled at run time.
            ForNativeAot = true,
        };
        var generated = sp.GetRequiredService<ICompiledModelCodeGeneratorSelector>().Select(options)
            .GenerateModel(db.GetService<IDesignTimeModel>().Model, options)
            .ToDictionary(f => f.Path, f => Normalize(f.Code));

        var dir = Path.Combine(RepoRoot(), "src", "CrmBot.Crm", "CompiledModel");
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
