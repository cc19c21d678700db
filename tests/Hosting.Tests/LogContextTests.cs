using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Orleans.Serialization.Invocation;
using Pcrs.Grains.Hosting.Logging;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;
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
    public async Task A_call_that_names_no_scan_is_logged_with_the_scan_its_grain_works_for()
    {
        // A lease call carries no scan number; the StorageGrain it reaches knows the scan it runs.
        string context = await LoggedAsync(async factory =>
        {
            var filter = new ScanLogScopeFilter(factory.CreateLogger<ScanLogScopeFilter>());
            var log = factory.CreateLogger("Pcrs.Grains.Scanning.StorageGrain");
            await filter.Invoke(FakeCall.Of(typeof(IConnectionLeaseGrain), nameof(IConnectionLeaseGrain.AcquireConnectionLease), new RunningScan(5),
                () => log.LogInformation("Connection leases of {Holders} went back", "silo/1")));
        });
        Assert.Equal($" {{storage={Storage} scan=5}}", context);
    }

    [Fact]
    public async Task A_call_that_names_its_scan_is_logged_with_that_scan()
    {
        string context = await LoggedAsync(async factory =>
        {
            var filter = new ScanLogScopeFilter(factory.CreateLogger<ScanLogScopeFilter>());
            var log = factory.CreateLogger("Pcrs.Grains.Scanning.StorageGrain");
            await filter.Invoke(FakeCall.Of(typeof(IStorageGrain), nameof(IStorageGrain.RootCompleted), new RunningScan(9),
                () => log.LogInformation("Root reported"), argument: 8L));
        });
        Assert.Equal($" {{storage={Storage} scan=8}}", context);
    }

    [Fact]
    public async Task A_batch_of_files_is_logged_with_their_scan()
    {
        var order = new FileAnalysisOrder(6, Size: 10, LastModified: null, ETag: null, Sidecars: [], SidecarSignature: "");
        string context = await LoggedAsync(async factory =>
        {
            var filter = new ScanLogScopeFilter(factory.CreateLogger<ScanLogScopeFilter>());
            var log = factory.CreateLogger("Pcrs.Grains.Scanning.FileGrain");
            await filter.Invoke(FakeCall.Of(typeof(IFileGrain), nameof(IFileGrain.AnalyseBatch), new object(),
                () => log.LogInformation("Reading {Path} was interrupted on this side", "/a/t.tif"),
                argument: new FileBatchItem[] { new("/a/t.tif", order), new("/a/u.tif", order) }));
        });
        Assert.Equal($" {{storage={Storage} scan=6}}", context);
    }

    /// <summary>
    /// Lines written outside any grain call (a directory's deactivation, the watchdog timer forgetting the leases of a
    /// silo that left) are not in the filter's scope: they name the scan themselves.
    /// </summary>
    [Theory]
    [InlineData(typeof(DirectoryGrain), "LogDeactivatedWhileRunning", new object[] { "/a/", 4L, "the silo stops" })]
    [InlineData(typeof(StorageGrain), "LogHoldersForgotten", new object[] { 4L, "silo/1", "0/4 held" })]
    [InlineData(typeof(StorageGrain), "LogTooManyConnections", new object[] { 4L, 3 })]
    public void A_line_outside_any_call_about_a_scans_work_names_the_scan(Type grain, string method, object[] rest)
    {
        var write = grain.GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{grain.Name}.{method} is gone: test the line that replaced it.");
        string context = Logged(log => write.Invoke(null, [log, Storage, .. rest]));
        Assert.Equal($" {{storage={Storage} scan=4}}", context);
    }

    [Fact]
    public void A_line_with_neither_ends_with_nothing() =>
        Assert.Equal("", Logged(log => log.LogInformation("Started")));

    /// <summary>What the console template appends to the one line <paramref name="write"/> logs through the product's logger.</summary>
    private static string Logged(Action<Microsoft.Extensions.Logging.ILogger> write) =>
        LoggedAsync(factory =>
        {
            write(factory.CreateLogger("Pcrs.Grains.Scanning.DirectoryGrain"));
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();

    /// <summary>The same, for loggers made by <paramref name="write"/> from the product's logger factory.</summary>
    private static async Task<string> LoggedAsync(Func<ILoggerFactory, Task> write)
    {
        var sink = new CollectingSink();
        var configuration = new ConfigurationBuilder().Build();
        using (Logger serilog = new LoggerConfiguration().ConfigurePcrs(configuration).MinimumLevel.Debug().WriteTo.Sink(sink).CreateLogger())
        using (var factory = new SerilogLoggerFactory(serilog))
            await write(factory);
        LogEvent logged = Assert.Single(sink.Events);
        return Assert.IsType<ScalarValue>(logged.Properties["Context"]).Value as string ?? "";
    }

    private sealed class RunningScan(long scan) : IScanLogContext
    {
        public long? ScanInProgress { get; } = scan;
    }

    /// <summary>
    /// A grain call as the silo hands it to its incoming filters: to <see cref="Storage"/>'s grain, of the given interface
    /// and method, whose grain is <c>grain</c>, and whose invocation runs <c>body</c>. Only what the filter reads answers.
    /// </summary>
    public class FakeCall : DispatchProxy
    {
        private Func<string, object?[]?, object?> _answer = (_, _) => null;

        public static IIncomingGrainCallContext Of(Type interfaceType, string method, object grain, Action body, object? argument = null)
        {
            var request = Create<IInvokable, FakeCall>();
            ((FakeCall)(object)request)._answer = (name, args) => name switch
            {
                nameof(IInvokable.GetInterfaceType) => interfaceType,
                nameof(IInvokable.GetMethodName) => method,
                nameof(IInvokable.GetArgumentCount) => argument is null ? 0 : 1,
                nameof(IInvokable.GetArgument) => argument,
                _ => throw new NotSupportedException($"The filter asked the request for {name}."),
            };
            var context = Create<IIncomingGrainCallContext, FakeCall>();
            ((FakeCall)(object)context)._answer = (name, _) => name switch
            {
                "get_" + nameof(IIncomingGrainCallContext.Request) => request,
                "get_" + nameof(IIncomingGrainCallContext.Grain) => grain,
                "get_" + nameof(IIncomingGrainCallContext.TargetId) => GrainId.Create("storage", Storage),
                nameof(IIncomingGrainCallContext.Invoke) => Run(body),
                _ => throw new NotSupportedException($"The filter asked the call for {name}."),
            };
            return context;
        }

        private static Task Run(Action body)
        {
            body();
            return Task.CompletedTask;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => _answer(targetMethod!.Name, args);
    }

    private sealed class CollectingSink : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }
}
