using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pcrs.Cluster.Tests.Infrastructure;

/// <summary>Keeps every log entry of the silos it is registered in (Warning and above), for tests that look for errors.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                owner._entries.Enqueue(new LogEntry(DateTime.UtcNow, logLevel, category, formatter(state, exception), exception?.ToString()));
        }
    }
}

/// <summary>One captured log entry.</summary>
public sealed record LogEntry(DateTime At, LogLevel Level, string Category, string Message, string? Exception)
{
    public bool Mentions(string text) =>
        Message.Contains(text, StringComparison.Ordinal) || (Exception?.Contains(text, StringComparison.Ordinal) ?? false);

    public override string ToString() => $"{At:HH:mm:ss.fff} {Level} {Category}: {Message}{(Exception is null ? "" : " | " + Exception.Split('\n')[0])}";
}
