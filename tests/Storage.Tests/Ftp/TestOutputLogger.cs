using Microsoft.Extensions.Logging;

namespace Pcrs.Storage.Tests.Ftp;

/// <summary>Writes the client's log (including the protocol trace) to the current test's output, shown when a test fails.</summary>
internal sealed class TestOutputLogger : ILogger
{
    public static TestOutputLogger Instance { get; } = new();

    /// <summary>Every line written, for tests that check what was (not) logged.</summary>
    public List<string> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string line = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel}: {formatter(state, exception)}";
        lock (Lines)
            Lines.Add(line);
        try
        {
            TestContext.Current.TestOutputHelper?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // Logged after the test ended (background pruning).
        }
    }
}
