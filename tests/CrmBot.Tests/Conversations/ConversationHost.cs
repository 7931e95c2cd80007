using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrmBot.Tests.Conversations;

/// <summary>
/// The engine as the app registers it, over a real (in-memory) SQLite store and a manual clock.
/// Every turn runs in a fresh DI scope (new engine, new DbContext), as a channel runs it;
/// <see cref="Restart"/> throws the whole container away and builds a new one over the same store.
/// </summary>
public sealed class ConversationHost : IDisposable
{
    private readonly Action<IServiceCollection>? _configure;
    private ServiceProvider _provider;
    private int _turns;

    public ConversationHost(Action<IServiceCollection>? configure = null)
    {
        _configure = configure;
        _provider = Build();
    }

    public TestStore Store { get; } = new();

    /// <summary>The container the turns run in (replaced by <see cref="Restart"/>).</summary>
    public IServiceProvider Services => _provider;
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 25, 15, 0, 0, TimeSpan.Zero));   // a Wednesday
    public ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> Logs { get; } = new();

    public ChatUser Rep { get; set; } = new("slack", "T1", "U-rita", "Rita Rep", "UTC");
    public string ConversationId { get; set; } = "D-rita";

    public void Restart()
    {
        _provider.Dispose();
        _provider = Build();
    }

    public Task<IReadOnlyList<Reply>> SayAsync(string text) => TurnAsync(text, null);

    public Task<IReadOnlyList<Reply>> ClickAsync(JsonObject data) => TurnAsync(null, data);

    /// <summary>Clicks the action of a card reply whose title is <paramref name="title"/> (the n-th such), merging <paramref name="inputs"/>.</summary>
    public Task<IReadOnlyList<Reply>> ClickAsync(CardReply card, string title, int nth = 0, JsonObject? inputs = null)
    {
        var action = Actions(card.Card).Where(a => a["title"]?.GetValue<string>() == title).ElementAtOrDefault(nth)
            ?? throw new Xunit.Sdk.XunitException($"No action \"{title}\" #{nth} on card {card.CardName}: {card.Card.ToJsonString()}");
        var data = (JsonObject)action["data"]!.DeepClone();
        foreach (var (k, v) in inputs ?? []) data[k] = v?.DeepClone();
        return ClickAsync(data);
    }

    public static IEnumerable<JsonObject> Actions(JsonNode? node) => node switch
    {
        JsonObject o when o["type"]?.GetValue<string>() is "Action.Submit" => [o],
        JsonObject o => o.SelectMany(p => Actions(p.Value)),
        JsonArray a => a.SelectMany(Actions),
        _ => [],
    };

    public async Task<IReadOnlyList<Reply>> TurnAsync(string? text, JsonObject? value)
    {
        await using var scope = _provider.CreateAsyncScope();
        var bot = scope.ServiceProvider.GetRequiredService<IBot>();
        var turn = new Turn($"turn-{++_turns}", Rep, ConversationId, ConversationKind.Personal, text, value);
        return await bot.OnTurnAsync(turn, CancellationToken.None);
    }

    public async Task<T> WithDbAsync<T>(Func<CrmDbContext, Task<T>> work)
    {
        await using var db = Store.NewContext(Clock);
        return await work(db);
    }

    public async Task<Contact> ContactAsync(string first, string last, string? company = null)
    {
        await using var db = Store.NewContext(Clock);
        return await TestData.AddContactAsync(db, first, last, company);
    }

    public async Task<Member> MeAsync()
    {
        await using var scope = _provider.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MemberService>().ResolveAsync(
            new MemberIdentity(Rep.Channel, Rep.TenantId, Rep.UserId, Rep.DisplayName, Rep.TimeZone), default);
    }

    /// <summary>The demo workspace, owned by and assigned to <see cref="Rep"/>, as `chat --seed` makes it.</summary>
    public async Task SeedDemoAsync()
    {
        var me = await MeAsync();
        await using var scope = _provider.CreateAsyncScope();
        Xunit.Assert.True(await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(me, default));
    }

    public async Task<Deal> DealAsync(string name, string? stage = null)
    {
        var me = await MeAsync();
        await using var scope = _provider.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DealService>().CreateAsync(new NewDeal(name, 1000m, stage), MemberService.ActorFor(me, "slack"), default);
    }

    private ServiceProvider Build()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new ListLoggerProvider(Logs)));
        services.AddSingleton<TimeProvider>(Clock);
        services.AddCrm(configuration);
        services.AddConversations(configuration);
        services.AddScoped(_ => Store.NewContext(Clock));
        _configure?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public void Dispose()
    {
        _provider.Dispose();
        Store.Dispose();
    }

    private sealed class ListLoggerProvider(ConcurrentQueue<(LogLevel, string, Exception?)> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(sink);
        public void Dispose() { }

        private sealed class ListLogger(ConcurrentQueue<(LogLevel, string, Exception?)> sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Enqueue((logLevel, formatter(state, exception), exception));
        }
    }
}

internal static class ReplyExtensions
{
    public static CardReply Card(this IReadOnlyList<Reply> replies, string name) =>
        replies.OfType<CardReply>().SingleOrDefault(c => c.CardName == name)
        ?? throw new Xunit.Sdk.XunitException($"No {name} card in: {Describe(replies)}");

    public static string Text(this IReadOnlyList<Reply> replies) => Describe(replies);

    public static string Describe(IReadOnlyList<Reply> replies) => string.Join(" | ", replies.Select(r => r switch
    {
        TextReply t => t.Text,
        CardReply c => $"[{c.CardName}] {c.FallbackText}",
        FieldErrorsReply f => $"[errors] {string.Join(", ", f.Errors.Select(e => $"{e.Key}: {e.Value}"))}",
        _ => r.ToString(),
    }));
}
