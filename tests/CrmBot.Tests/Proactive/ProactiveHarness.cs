using System.Collections.Concurrent;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Proactive;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrmBot.Tests.Proactive;

/// <summary>
/// A store in a temp SQLite file (so several service providers, standing for several service
/// instances, can share it) plus a way to build one "instance": its own DI container, DbContexts
/// and dispatcher, over the same file and the same manual clock.
/// </summary>
public sealed class SharedFileStore : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"crmbot-proactive-{Guid.NewGuid():N}.db");
    private readonly List<ServiceProvider> _providers = [];

    public SharedFileStore()
    {
        using var db = NewContext();
        new StoreMigrator(db).MigrateAsync().GetAwaiter().GetResult();
    }

    public string ConnectionString => $"Data Source={_path}";

    /// <summary>Where the instances' logs go, when a test reads them.</summary>
    public ILoggerProvider? Logs { get; set; }

    public CrmDbContext NewContext()
    {
        var builder = new DbContextOptionsBuilder<CrmDbContext>();
        CrmServiceCollectionExtensions.ConfigureStore(builder, ConnectionString);
        return new CrmDbContext(builder.Options);
    }

    /// <summary>One service instance: the proactive services over this store, with the given senders.</summary>
    public ServiceProvider Instance(TimeProvider clock, Action<OutboxOptions>? outbox = null, params IProactiveSender[] senders)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => { if (Logs is { } logs) b.AddProvider(logs); });
        services.AddSingleton(clock);
        services.AddDbContext<CrmDbContext>(o => CrmServiceCollectionExtensions.ConfigureStore(o, ConnectionString));
        services.AddScoped<OutboxLeases>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddOptions<OutboxOptions>().Configure(o => outbox?.Invoke(o));
        foreach (var sender in senders) services.AddSingleton(sender);
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    public async Task<long> EnqueueAsync(TimeProvider clock, string channel = "slack", string? target = "C42", string text = "hello")
    {
        await using var db = NewContext();
        var row = ProactiveOutbox.Add(db, new ProactiveAddress(channel, Target: target), OutboxKinds.StageChange,
            ProactivePayload.TextOnly(text), clock);
        await db.SaveChangesAsync();
        return row.Id;
    }

    public async Task<OutboxMessage> RowAsync(long id)
    {
        await using var db = NewContext();
        return await db.Outbox.AsNoTracking().SingleAsync(o => o.Id == id);
    }

    public void Dispose()
    {
        foreach (var p in _providers) p.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(_path) + "*"))
        {
            try { File.Delete(f); } catch (IOException) { }
        }
    }
}

/// <summary>A sender that records what it delivered and replays scripted failures first.</summary>
public sealed class RecordingSender(string channel = "slack") : IProactiveSender
{
    private readonly ConcurrentQueue<SendResult> _script = new();

    public string Channel => channel;
    public ConcurrentBag<long> Delivered { get; } = [];
    public int Calls => _calls;
    private int _calls;

    /// <summary>Optional pause inside the send, to let concurrent dispatchers overlap.</summary>
    public TimeSpan Pause { get; set; }

    public RecordingSender ThenFail(int times, Func<SendResult> failure)
    {
        for (var i = 0; i < times; i++) _script.Enqueue(failure());
        return this;
    }

    private int _hangs;

    /// <summary>The next <paramref name="times"/> sends never answer (until the dispatcher's timeout cancels them).</summary>
    public RecordingSender ThenHang(int times)
    {
        _hangs = times;
        return this;
    }

    public async Task<SendResult> SendAsync(OutboxMessage message, ProactivePayload payload, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        if (Interlocked.Decrement(ref _hangs) >= 0) await Task.Delay(Timeout.Infinite, ct);
        if (Pause > TimeSpan.Zero) await Task.Delay(Pause, ct);
        if (_script.TryDequeue(out var scripted)) return scripted;
        Delivered.Add(message.Id);
        return SendResult.Delivered;
    }
}
