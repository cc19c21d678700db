using Microsoft.Extensions.Logging;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Scanning;

/// <summary>An administrator's settings (pause, connection limit, rescan period), read from <see cref="IStorageOperationsStore"/>.</summary>
public sealed partial class StorageGrain
{
    public const string PausedError = "Scanning of this storage was paused by an administrator; the scan was stopped.";

    /// <summary>
    /// Reads the settings again and applies them: a pause stops the running scan at once (its directories see it and stop)
    /// and keeps new ones from starting; a resume starts the scan a pause stopped; the limit and the rescan period hold from now.
    /// </summary>
    public async Task<StorageScanView> ApplyOperations()
    {
        _operations = await operationsStore.GetAsync(Key);
        // A new connection limit holds for the running scan too: waiters are served under a higher one, holders give
        // connections back down to a lower one.
        _connectionLeases?.LimitChanged();
        if (_row is null)
            return View();
        if (_operations.IsPaused)
        {
            if (IsRunning)
            {
                await StopRunningScanAsync(PausedError);
                LogPaused(logger, Key, _row.ScanNumber);
            }
            return View();
        }
        await EnsureRescanReminderAsync();
        if (_row.Status == ScanStatus.Failed && _row.LastError == PausedError)
            return await StartOrJoinScanAsync(forceNew: false);
        return View();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scan {ScanNumber} of {StorageKey} stopped: scanning paused by an administrator")]
    private static partial void LogPaused(ILogger logger, string storageKey, long scanNumber);
}
