using CrmBot.Conversations;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Proactive;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Tests.Proactive;

/// <summary>
/// One service instance as the app composes it (AddCrm, AddConversations, AddProactiveMessages, AddProactiveDelivery) over a
/// shared store file and a manual clock, without the web host: background services do not run,
/// tests drive planning and dispatch passes themselves.
/// </summary>
public sealed class ProactiveHost : IDisposable
{
    private readonly ServiceProvider _provider;

    public ProactiveHost(SharedFileStore store, ManualClock clock, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null)
    {
        Clock = clock;
        var all = new Dictionary<string, string?> { ["ConnectionStrings:Crm"] = store.ConnectionString };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddCrm(configuration);
        services.AddConversations(configuration);
        services.AddProactiveMessages(configuration);
        services.AddProactiveDelivery();
        configure?.Invoke(services);
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public ManualClock Clock { get; }

    public IServiceProvider Services => _provider;

    public AsyncServiceScope Scope() => _provider.CreateAsyncScope();

    public async Task<int> PlanAsync()
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<DigestPlanner>().PlanDueAsync(default);
    }

    public async Task<Member> MemberAsync(string name, string timeZone, string channel = "slack")
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<MemberService>()
            .ResolveAsync(new MemberIdentity(channel, "T1", "U" + name.ToUpperInvariant(), name, timeZone), default);
    }

    public async Task<Member> UpdateMemberAsync(int id, Action<Member> change)
    {
        await using var scope = Scope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        var member = await db.Members.FindAsync(id) ?? throw new InvalidOperationException("no member");
        change(member);
        await db.SaveChangesAsync();
        return member;
    }

    /// <summary>A contact and a follow-up for <paramref name="member"/> due on <paramref name="due"/> (their local date).</summary>
    public async Task<FollowUp> FollowUpAsync(Member member, string title, DateOnly due)
    {
        await using var scope = Scope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        var contact = new Contact { FirstName = "Jane", LastName = title };
        db.Contacts.Add(contact);
        await db.SaveChangesAsync();
        return await scope.ServiceProvider.GetRequiredService<FollowUpService>()
            .CreateAsync(new NewFollowUp(title, due), contact.Id, null, MemberService.ActorFor(member, member.Channel), default);
    }

    public void Dispose() => _provider.Dispose();
}

