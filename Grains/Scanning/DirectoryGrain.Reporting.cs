using Microsoft.Extensions.Logging;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Scanning;

/// <summary>What a directory tells the storage and its parent: progress in batches, then its subtree's counts once.</summary>
public sealed partial class DirectoryGrain
{
    private async Task ReportAsync()
    {
        var result = _result;
        if (result is null)
            return;
        try
        {
            if (_parentPath is null)
                await GrainFactory.GetGrain<IStorageGrain>(_storageKey).RootCompleted(_scan, _path, result);
            else
                await GrainFactory.GetGrain<IDirectoryGrain>(ScanKeys.Directory(_storageKey, _parentPath)).ChildCompleted(_scan, _path, result);
        }
        catch (Exception e)
        {
            // The parent will ask again (watchdog), and this directory answers from the catalogue.
            LogReportFailed(logger, _storageKey, _path, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private void AddProgress(ScanProgress delta)
    {
        _pendingProgress = _pendingProgress.Add(delta);
        _filesSinceFlush += (int)(delta.Analysed + delta.Unchanged);
    }

    private Task FlushProgressIfDueAsync() =>
        _filesSinceFlush >= ProgressFlushFiles || DateTime.UtcNow - _lastFlush >= ProgressFlushInterval
            ? FlushProgressAsync()
            : Task.CompletedTask;

    private async Task FlushProgressAsync()
    {
        if (_pendingProgress == ScanProgress.Zero)
            return;
        var delta = _pendingProgress;
        _pendingProgress = ScanProgress.Zero;
        _filesSinceFlush = 0;
        _lastFlush = DateTime.UtcNow;
        try
        {
            await GrainFactory.GetGrain<IStorageGrain>(_storageKey).ReportProgress(_scan, delta);
        }
        catch (Exception e)
        {
            // Progress is informative; final counts come from the catalogue.
            LogReportFailed(logger, _storageKey, _path, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Report of {StorageKey} {Path} failed ({Error})")]
    private static partial void LogReportFailed(ILogger logger, string storageKey, string path, string error);
}
