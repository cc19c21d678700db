using Microsoft.Extensions.Logging;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// A directory stops its crawl as soon as the storage's scan it works for no longer runs (revoked, detached, or replaced
/// by a newer scan): it asks the StorageGrain before listing and every few seconds while it hands out file reads, and
/// then ends this activation's work the way a replaced activation does (no listing, no new file read, no child order).
/// </summary>
public sealed partial class DirectoryGrain
{
    private static readonly TimeSpan StopCheckInterval = TimeSpan.FromSeconds(2);
    private long _nextStopCheck;

    private async Task StopIfScanEndedAsync(bool now = false)
    {
        long tick = Environment.TickCount64;
        if (!now && tick < _nextStopCheck)
            return;
        _nextStopCheck = tick + (long)StopCheckInterval.TotalMilliseconds;
        StorageScanView view;
        try
        {
            view = await GrainFactory.GetGrain<IStorageGrain>(_storageKey).GetStatus();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return; // cannot tell: go on (the storage grain is moving to another silo)
        }
        if (view.ScanNumber == _scan && view.Status is ScanStatus.Listing or ScanStatus.Analysing)
            return;
        LogStopped(logger, _storageKey, _path, _scan, view.Status.ToString(), view.ScanNumber);
        _running = false;
        _deactivating.Cancel();
        DeactivateOnIdle();
        throw new OperationCanceledException(_deactivating.Token);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Directory {StorageKey} {Path} stops scan {ScanNumber}: the storage's scan is {Status} (scan {Current})")]
    private static partial void LogStopped(ILogger logger, string storageKey, string path, long scanNumber, string status, long current);
}
