using Pcrs.Grains.Hosting.Logging;
using Serilog.Events;
using Serilog.Parsing;

namespace Pcrs.Hosting.Tests;

/// <summary>
/// Orleans' watchdog warns at every start that its participant check "has not completed for" the machine's uptime (it
/// measures from a timestamp it has not set yet). The filter drops exactly that impossible report and keeps real stalls.
/// </summary>
public sealed class ImpossibleStallFilterTests
{
    private const string Template =
        "Participant check thread has not completed for {TimeSinceLastTick}, potentially indicating lock contention or deadlock, CPU starvation, or another execution anomaly.";

    private static LogEvent Event(string template, TimeSpan stalled) =>
        new(DateTimeOffset.UtcNow, LogEventLevel.Warning, null, new MessageTemplateParser().Parse(template),
            [new LogEventProperty("TimeSinceLastTick", new ScalarValue(stalled))]);

    [Fact]
    public void A_stall_longer_than_the_process_has_run_is_dropped_and_a_real_one_kept()
    {
        // A process that started a minute ago.
        var filter = new ImpossibleStallFilter(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1), TimeProvider.System);

        Assert.False(filter.IsEnabled(Event(Template, TimeSpan.FromHours(5)))); // the machine's uptime
        Assert.True(filter.IsEnabled(Event(Template, TimeSpan.FromSeconds(2)))); // a stall inside this process's life
        Assert.True(filter.IsEnabled(Event(".NET Runtime Platform stalled for {TimeSinceLastTick}.", TimeSpan.FromHours(5))));
    }
}
