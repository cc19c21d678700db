using Microsoft.Extensions.Logging;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Scanning;

/// <summary>Revocation and detachment stop the running scan at once (see <see cref="DirectoryGrain"/>'s stop check).</summary>
public sealed partial class StorageGrain
{
    public const string StoppedError = "The storage was revoked or detached from its last deliverable; its scan was stopped.";

    /// <summary>
    /// When no deliverable is attached any more, the running scan ends now as failed: the watchdog stops re-sending orders,
    /// no reminder or restart resumes it, and every directory still crawling sees it within seconds and stops.
    /// </summary>
    private async Task StopScanWhenUnattachedAsync()
    {
        if (_row is null || !IsRunning || (await catalogue.ListDeclarationsAsync(Key)).Any(d => d.IsProven))
            return;
        await StopRunningScanAsync(StoppedError);
        LogScanStopped(logger, Key, _row.ScanNumber);
    }

    /// <summary>Ends the running scan now as failed with <paramref name="error"/>; its directories see it and stop.</summary>
    private async Task StopRunningScanAsync(string error)
    {
        if (_row is null || !IsRunning)
            return;
        var now = DateTimeOffset.UtcNow;
        var counts = _progress.Total;
        _row = _row with { Status = ScanStatus.Failed, LastError = error, Progress = counts };
        _progressDirty = false;
        _rootReports.Clear();
        _watchdogTimer?.Dispose();
        _watchdogTimer = null;
        await catalogue.SaveStorageAsync(_row);
        await catalogue.RecordScanAsync(new ScanRow(Key, _row.ScanNumber, _row.ScanStartedAt ?? now, now, ScanStatus.Failed, counts, error));
        await UnregisterReminderAsync(WatchdogReminder);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scan {ScanNumber} of {StorageKey} stopped: no deliverable is attached any more")]
    private static partial void LogScanStopped(ILogger logger, string storageKey, long scanNumber);
}
