using CrmBot.Crm.Services;
using CrmBot.Crm.Import;
using CrmBot.Crm.Surveys;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm;

public static class CrmServiceCollectionExtensions
{
    public const string DefaultConnectionString = StoreConnection.DefaultSqlite;

    /// <summary>The store, the options and the CRM services.</summary>
    public static IServiceCollection AddCrm(this IServiceCollection services, IConfiguration configuration)
    {
        // Read here only: the store and the survey keys' location (beside the store) follow the same setting.
        var store = StoreConnection.From(configuration);
        services.AddSingleton(store);
        services.AddOptions<CrmOptions>().Bind(configuration.GetSection(CrmOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<CrmOptions>, CrmOptionsValidator>();
        // TryAdd: a test host may have put a fake clock in first.
        services.TryAddSingleton(TimeProvider.System);

        // Options built once, not per scope, and the compiled model named outright: EF would otherwise
        // rebuild the options and find the model by reflection (ProductInfo, custom attributes) for every
        // DbContext, i.e. every chat turn (docs/decisions/performance.md, finding 14).
        // Where a WalCheckpointer runs (the service), the store's connections leave checkpoints to it.
        services.AddDbContext<CrmDbContext>(
            (sp, o) => ConfigureStore(o, store,
                sp.GetRequiredService<IServiceProviderIsService>().IsService(typeof(WalCheckpointer)) ? WalCheckpointer.TurnAutoCheckpointPages : null),
            optionsLifetime: ServiceLifetime.Singleton);

        services.AddScoped<StoreMigrator>();
        services.AddScoped<InboundDeliveries>();
        services.AddSingleton<InboundDeliveries.InFlight>();
        services.AddScoped<MemberService>();
        services.AddScoped<ActivityService>();
        services.AddScoped<FollowUpService>();
        services.AddScoped<DealService>();
        services.AddScoped<PipelineReports>();
        services.AddScoped<TeamReports>();
        services.AddScoped<ReportAccess>();
        services.AddScoped<UndoService>();
        services.AddScoped<CrmSearch>();
        services.AddScoped<ContactService>();
        services.AddScoped<DemoSeeder>();
        services.AddContactImport();
        services.AddSurveys(configuration, store.IsSqlite ? StoreLocation.FromConnectionString(store.ConnectionString) : StoreLocation.Server);
        return services;
    }

    /// <summary>
    /// For the long-running service: each scope borrows a context, with its connection already open, instead
    /// of building one (<see cref="StoreSessions"/>), and WAL checkpoints run in the background instead of in
    /// turns (<see cref="WalCheckpointer"/>). Not for the CLI's one-shot verbs, where opening the connection up
    /// front would create a store file that a dry run must not leave behind, and nothing would checkpoint.
    /// </summary>
    public static IServiceCollection AddStoreSessions(this IServiceCollection services)
    {
        services.AddSingleton<StoreSessions>();
        services.Replace(ServiceDescriptor.Scoped(sp => sp.GetRequiredService<StoreSessions>().Rent()));
        // Checkpoints are a SQLite file's; a database server does its own (AddCrm has registered the store by now).
        if (services.Select(d => d.ImplementationInstance).OfType<StoreConnection>().LastOrDefault() is null or { IsSqlite: true })
        {
            services.AddSingleton<WalCheckpointer>();
            services.AddHostedService(sp => sp.GetRequiredService<WalCheckpointer>());
        }
        return services;
    }

    /// <summary>
    /// One place that says how the store is opened (service, CLI, tests, benchmarks), on either engine, on the engine's
    /// compiled model. Named outright: CrmBot.Crm's generated assembly attribute would otherwise hand SQLite's model
    /// to every context, PostgreSQL's too. <paramref name="compiledModel"/> false: the model built from
    /// OnModelCreating (design time, when the compiled model is being regenerated).
    /// </summary>
    public static DbContextOptionsBuilder ConfigureStore(DbContextOptionsBuilder options, StoreConnection store, int? autoCheckpointPages = null,
        bool compiledModel = true)
    {
        switch (store.Provider)
        {
            case StoreProvider.Sqlite:
                ConfigureStore(options, store.ConnectionString, autoCheckpointPages);
                break;
            case StoreProvider.Postgres:
                // No connection set-up, statement cache or checkpoints: those are SQLite's (Npgsql prepares and pools itself).
                Common(options.UseNpgsql(store.ConnectionString, o => o.MigrationsAssembly(StoreConnection.PostgresAssembly)));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(store));
        }
        return compiledModel ? options.UseModel(CompiledModelOf(store.Provider)) : options;
    }

    /// <summary>A SQLite store (the default engine) at <paramref name="connectionString"/>.</summary>
    public static DbContextOptionsBuilder ConfigureStore(DbContextOptionsBuilder options, string connectionString, int? autoCheckpointPages = null) =>
        Common(options.UseSqlite(connectionString).AddInterceptors(new SqliteConnectionSetup(autoCheckpointPages), new StatementCacheInterceptor()));

    /// <summary>The same, over a connection the caller keeps open (in-memory stores in tests).</summary>
    public static DbContextOptionsBuilder ConfigureStore(DbContextOptionsBuilder options, System.Data.Common.DbConnection connection) =>
        Common(options.UseSqlite(connection).AddInterceptors(new SqliteConnectionSetup(null), new StatementCacheInterceptor()));

    /// <summary>
    /// The generated model of <paramref name="provider"/>'s store (column types differ by engine). PostgreSQL's lives
    /// with its migrations in an assembly that references this one, so it is found by name.
    /// </summary>
    public static Microsoft.EntityFrameworkCore.Metadata.IModel CompiledModelOf(StoreProvider provider) => provider switch
    {
        StoreProvider.Sqlite => CompiledModel.CrmDbContextModel.Instance,
        _ => PostgresModel.Value,
    };

    private static readonly Lazy<Microsoft.EntityFrameworkCore.Metadata.IModel> PostgresModel = new(() =>
    {
        const string name = "CrmBot.Crm.Postgres.CompiledModel.CrmDbContextModel, " + StoreConnection.PostgresAssembly;
        var type = Type.GetType(name) ?? throw new InvalidOperationException(
            $"{StoreConnection.PostgresAssembly} is missing: the PostgreSQL store needs it beside CrmBot.Crm (the app references it).");
        return (Microsoft.EntityFrameworkCore.Metadata.IModel)type.GetProperty("Instance")!.GetValue(null)!;
    });

    private static DbContextOptionsBuilder Common(DbContextOptionsBuilder options) =>
        options.AddInterceptors(new Diagnostics.CommitTiming(), new DeferredWrites.Interceptor())
            // Migrate() would otherwise build the migrations snapshot's model and the design-time model and
            // diff them on every start, to warn about a forgotten migration: a third of a second of cold start
            // (docs/decisions/performance.md, finding 10). That is a build-time question; StoreTests asserts it instead.
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
}
