using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Pcrs.Grains.Hosting.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;

namespace Pcrs.Hosting.Tests;

/// <summary>
/// Issue 16 asks for trace ids in the logs and the scan's storage and number on every log line of a scan: the processes'
/// logger (<see cref="PcrsLogging.ConfigurePcrs"/>) ends such lines with <c>{storage=… scan=N trace=…}</c>, whether the
/// storage and scan come from the scanning grains' scope (<see cref="ScanLogScopeFilter"/>) or from the message itself
/// (a grain's timer or deactivation, outside any call).
/// </summary>
public sealed class LogContextTests
{
    private const string Storage = "ftp://peer@127.0.0.1:2121";

    [Fact]
    public void A_line_written_in_a_scanning_grains_scope_ends_with_its_storage_and_scan()
    {
        string context = Logged(log =>
        {
            using (log.BeginScope(new Dictionary<string, object?> { ["StorageKey"] = Storage, ["ScanNumber"] = 7L }))
                log.LogInformation("Directory {Path} listed", "/a/");
        });
        Assert.Equal($" {{storage={Storage} scan=7}}", context);
    }

    [Fact]
    public void A_line_naming_its_storage_and_scan_outside_any_scope_ends_with_them()
    {
        string context = Logged(log => log.LogDebug("Scan {ScanNumber} of {StorageKey}: {Reported} of {Roots} roots reported", 3L, Storage, 0, 1));
        Assert.Equal($" {{storage={Storage} scan=3}}", context);
    }

    [Fact]
    public void A_line_written_during_a_traced_operation_ends_with_its_trace_id()
    {
        using var operation = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();
        string context = Logged(log => log.LogWarning("Download of {Path} refused", "/a/t.tif"));
        Assert.Equal($" {{trace={operation.TraceId.ToHexString()}}}", context);
    }

    [Fact]
    public void A_line_with_neither_ends_with_nothing() =>
        Assert.Equal("", Logged(log => log.LogInformation("Started")));

    /// <summary>What the console template appends to the one line <paramref name="write"/> logs through the product's logger.</summary>
    private static string Logged(Action<Microsoft.Extensions.Logging.ILogger> write)
    {
        var sink = new CollectingSink();
        var configuration = new ConfigurationBuilder().Build();
        using (Logger serilog = new LoggerConfiguration().ConfigurePcrs(configuration).MinimumLevel.Debug().WriteTo.Sink(sink).CreateLogger())
        using (var factory = new SerilogLoggerFactory(serilog))
            write(factory.CreateLogger("Pcrs.Grains.Scanning.DirectoryGrain"));
        LogEvent logged = Assert.Single(sink.Events);
        return Assert.IsType<ScalarValue>(logged.Properties["Context"]).Value as string ?? "";
    }

    private sealed class CollectingSink : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }
}
