using System.Diagnostics;
using Serilog.Core;
using Serilog.Events;

namespace Pcrs.Grains.Hosting.Logging;

/// <summary>
/// Drops Orleans' "Participant check thread has not completed for {TimeSinceLastTick}" warning when the stall it reports
/// is longer than this process has been running. Orleans' watchdog starts its platform thread before it stamps the
/// component check's start, so the first check measures from the machine's boot and warns of a "deadlock" as long as the
/// machine's uptime at every start. A real stall is shorter than the process's life and still gets through.
/// </summary>
public sealed class ImpossibleStallFilter : ILogEventFilter
{
    private const string StallTemplate = "Participant check thread has not completed for";
    private readonly DateTimeOffset _processStart;
    private readonly TimeProvider _time;

    public ImpossibleStallFilter()
        : this(new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime()), TimeProvider.System)
    {
    }

    /// <param name="processStart">When this process started.</param>
    /// <param name="time">The clock that says how long it has run.</param>
    public ImpossibleStallFilter(DateTimeOffset processStart, TimeProvider time)
    {
        _processStart = processStart;
        _time = time;
    }

    public bool IsEnabled(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        if (!logEvent.MessageTemplate.Text.StartsWith(StallTemplate, StringComparison.Ordinal))
            return true;
        if (!logEvent.Properties.TryGetValue("TimeSinceLastTick", out var value) || value is not ScalarValue { Value: TimeSpan stalled })
            return true;
        return stalled <= _time.GetUtcNow() - _processStart;
    }
}
