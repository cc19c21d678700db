using Microsoft.Extensions.Logging;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Hosting.Logging;

/// <summary>
/// Puts the storage (and, when the call carries it, the scan number) on every log line written while a scanning grain
/// handles a call, including the background work it starts from there (the scope flows with the async context). One
/// place for all three grains instead of a scope in each method.
/// </summary>
public sealed class ScanLogScopeFilter(ILogger<ScanLogScopeFilter> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Type type = context.Request.GetInterfaceType();
        if (type != typeof(IStorageGrain) && type != typeof(IDirectoryGrain) && type != typeof(IFileGrain))
        {
            await context.Invoke();
            return;
        }
        string key = context.TargetId.Key.ToString() ?? "";
        int bar = key.IndexOf('|', StringComparison.Ordinal);
        var scope = new Dictionary<string, object?>(2, StringComparer.Ordinal)
        {
            ["StorageKey"] = bar < 0 ? key : key[..bar],
        };
        if (ScanNumberOf(context) is long scan)
            scope["ScanNumber"] = scan;
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
            long number when context.Request.GetMethodName() is nameof(IStorageGrain.ReportProgress) or nameof(IStorageGrain.RootCompleted)
                or nameof(IDirectoryGrain.ChildCompleted) => number,
            _ => null,
        };
    }
}
