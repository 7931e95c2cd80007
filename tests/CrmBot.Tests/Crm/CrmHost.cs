using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Tests.Crm;

/// <summary>
/// The CRM services as AddCrm registers them, over a <see cref="TestStore"/> (SQLite in memory unless
/// <c>provider</c> says PostgreSQL) and a <see cref="ManualClock"/>. Each <see cref="Turn"/> is a fresh scope
/// (new DbContext), as a chat turn is.
/// </summary>
public sealed class CrmHost : IDisposable
{
    private readonly ServiceProvider _provider;

    public CrmHost(ManualClock? clock = null, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null,
        StoreProvider provider = StoreProvider.Sqlite)
    {
        Clock = clock ?? new ManualClock();
        Store = TestStore.Create(provider);
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        // The engine AddCrm reads (StoreConnection) is the store's, so engine-specific choices follow it.
        if (Store.ConnectionString is { } connectionString)
            (all[StoreConnection.ProviderKey], all["ConnectionStrings:Crm"]) = (provider.ToString(), connectionString);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCrm(configuration);
        services.AddSingleton<TimeProvider>(Clock);
        services.AddScoped(_ => Store.NewContext(Clock));
        configure?.Invoke(services);
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public TestStore Store { get; }
    public ManualClock Clock { get; }

    public AsyncServiceScope Turn() => _provider.CreateAsyncScope();

    /// <summary>One-line setup: a member in a zone.</summary>
    public async Task<Member> MemberAsync(string name, string timeZone = "UTC", MemberRole? role = null)
    {
        await using var turn = Turn();
        var member = await turn.Get<MemberService>().ResolveAsync(new MemberIdentity("slack", "T1", "U-" + name, name, timeZone), default);
        if (role is { } r && member.Role != r)
        {
            var db = turn.Get<CrmDbContext>();
            member.Role = r;
            await db.SaveChangesAsync();
        }
        return member;
    }

    /// <summary>One-line setup: a contact, optionally at a company (created when new).</summary>
    public async Task<Contact> ContactAsync(string first, string last, string? company = null)
    {
        await using var turn = Turn();
        return await TestData.AddContactAsync(turn.Get<CrmDbContext>(), first, last, company);
    }

    /// <summary>One-line setup: a deal owned by a member.</summary>
    public async Task<Deal> DealAsync(string name, Member owner, string? stage = null, int? contactId = null, decimal amount = 1000m)
    {
        await using var turn = Turn();
        return await turn.Get<DealService>().CreateAsync(new NewDeal(name, amount, stage, ContactId: contactId), MemberService.ActorFor(owner, "slack"), default);
    }

    public async Task<List<AuditEntry>> AuditAsync()
    {
        await using var turn = Turn();
        return turn.Get<CrmDbContext>().AuditEntries.OrderBy(a => a.Id).ToList();
    }

    public void Dispose()
    {
        _provider.Dispose();
        Store.Dispose();
    }
}

internal static class ScopeExtensions
{
    public static T Get<T>(this AsyncServiceScope scope) where T : notnull => scope.ServiceProvider.GetRequiredService<T>();
}
