using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pcrs.Grains.Hosting.Telemetry;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Hosting.Logging;

/// <summary>
/// Puts the storage and the scan number on every log line written while a scanning grain handles a call, including the
/// background work it starts from there (the scope flows with the async context). One place for all three grains instead
/// of a scope in each method. The scan is the one the call carries, else the one the grain works for
/// (<see cref="IScanLogContext"/>: a lease call, a reminder). Lines written outside any call (timers, deactivation) name
/// their storage and scan in the message itself. When traces are exported, each such call is also a span of
/// <see cref="PcrsTelemetry.ScanActivitySource"/> tagged <c>pcrs.storage</c> and <c>pcrs.scan</c>, in the trace of the call.
/// </summary>
public sealed class ScanLogScopeFilter(ILogger<ScanLogScopeFilter> logger) : IIncomingGrainCallFilter
{
    private static readonly ActivitySource Spans = new(PcrsTelemetry.ScanActivitySource);

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Type type = context.Request.GetInterfaceType();
        var grain = context.Grain as IScanLogContext;
        if (grain is null && type != typeof(IStorageGrain) && type != typeof(IDirectoryGrain) && type != typeof(IFileGrain))
        {
            await context.Invoke();
            return;
        }
        string key = context.TargetId.Key.ToString() ?? "";
        int bar = key.IndexOf('|', StringComparison.Ordinal);
        string storage = bar < 0 ? key : key[..bar];
        long? scan = ScanNumberOf(context) ?? grain?.ScanInProgress;
        var scope = new Dictionary<string, object?>(2, StringComparer.Ordinal)
        {
            ["StorageKey"] = storage,
        };
        if (scan is not null)
            scope["ScanNumber"] = scan;
        // Null unless a tracer listens (OTLP configured): no cost otherwise.
        using var span = Spans.StartActivity($"{type.Name}.{context.Request.GetMethodName()}");
        span?.SetTag("pcrs.storage", storage);
        if (scan is not null)
            span?.SetTag("pcrs.scan", scan.Value);
        using (logger.BeginScope(scope))
            await context.Invoke();
    }

    private static long? ScanNumberOf(IIncomingGrainCallContext context)
    {
        if (context.Request.GetArgumentCount() == 0)
            return null;
        return context.Request.GetArgument(0) switch
        {
            DirectoryScanOrder order => order.ScanNumber,
            FileAnalysisOrder order => order.ScanNumber,
            // A batch is one directory's files of one scan.
            FileBatchItem[] { Length: > 0 } batch => batch[0].Order.ScanNumber,
            long number when context.Request.GetMethodName() is nameof(IStorageGrain.ReportProgress) or nameof(IStorageGrain.RootCompleted)
                or nameof(IDirectoryGrain.ChildCompleted) => number,
            _ => null,
        };
    }
}
