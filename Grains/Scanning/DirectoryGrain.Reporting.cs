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
        LogReporting(logger, _storageKey, _path, _scan, result.Directories, result.Files, _deactivating.IsCancellationRequested);
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
        _ownProgress = _ownProgress.Add(delta);
        _progressUnreported = true;
        _filesSinceFlush += (int)(delta.Analysed + delta.Unchanged);
    }

    private Task FlushProgressIfDueAsync() =>
        _filesSinceFlush >= ProgressFlushFiles || DateTime.UtcNow - _lastFlush >= ProgressFlushInterval
            ? FlushProgressAsync()
            : Task.CompletedTask;

    /// <summary>
    /// Sends this directory's counts so far (a total, see <see cref="LiveProgress"/>); one report in flight at a time, so
    /// the StorageGrain receives them in order (a total overtaken by an older one, or by the final one, would count wrong).
    /// </summary>
    private async Task FlushProgressAsync(bool final = false)
    {
        if (!_progressUnreported && !final)
            return;
        await _reporting.WaitAsync();
        try
        {
            if (!_progressUnreported && !final)
                return;
            var total = _ownProgress;
            _progressUnreported = false;
            _filesSinceFlush = 0;
            _lastFlush = DateTime.UtcNow;
            await GrainFactory.GetGrain<IStorageGrain>(_storageKey).ReportProgress(_scan, _path, total, final);
        }
        catch (Exception e)
        {
            // Progress is informative; final counts come from the catalogue.
            LogReportFailed(logger, _storageKey, _path, e.GetType().Name);
        }
        finally
        {
            _reporting.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Directory {StorageKey} {Path} reports scan {ScanNumber}: {Directories} directories, {Files} files (deactivated: {Deactivated})")]
    private static partial void LogReporting(ILogger logger, string storageKey, string path, long scanNumber, long directories, long files, bool deactivated);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Report of {StorageKey} {Path} failed ({Error})")]
    private static partial void LogReportFailed(ILogger logger, string storageKey, string path, string error);
}
