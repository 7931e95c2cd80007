using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CrmBot.IntegrationTests.Infrastructure;

/// <summary>One line the service logged, as a log sink would receive it.</summary>
public sealed record LogEntry(LogLevel Level, string Category, EventId EventId, string Message, Exception? Exception, string? Tag)
{
    /// <summary>True when a sink would print more than one line for it (an exception's stack trace, a multi-line message).</summary>
    public bool IsMultiLine => Exception is not null || Message.Contains('\n') || Message.Contains("   at ", StringComparison.Ordinal);

    public override string ToString() => $"{Level} {Category}[{EventId.Id}] {Message}{(Exception is null ? "" : " + " + Exception.GetType().Name)}{(Tag is null ? "" : " (" + Tag + ")")}";
}

/// <summary>
/// Records everything the service logs (register as an <see cref="ILoggerProvider"/>). <see cref="Tag"/>, when set, is
/// asked at each entry (e.g. which test cases are in flight) so a line can be traced to what caused it.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public Func<string?>? Tag { get; set; }

    public IReadOnlyList<LogEntry> Entries => _entries.ToArray();

    public void Clear() => _entries.Clear();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new LogEntry(logLevel, category, eventId, formatter(state, exception), exception, owner.Tag?.Invoke()));
    }
}
