using Microsoft.Extensions.Logging;

namespace Pcrs.Grains.Scanning;

/// <summary>What keeps a scan going without callers: the watchdog and progress timers, the watchdog and rescan reminders.</summary>
public sealed partial class StorageGrain
{
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        switch (reminderName)
        {
            case WatchdogReminder when IsRunning:
                await ResendToPendingRootsAsync();
                break;
            case WatchdogReminder:
                await UnregisterReminderAsync(WatchdogReminder);
                break;
            case RescanReminder:
                await StartOrJoinScanAsync(forceNew: false);
                break;
        }
    }

    private void StartWatchdogTimer(TimeSpan dueTime)
    {
        _watchdogTimer?.Dispose();
        _watchdogTimer = this.RegisterGrainTimer(async _ =>
        {
            if (IsRunning)
            {
                ForgetDeadSilos();
                LogScanState(logger, Key, _row!.ScanNumber, _rootReports.Count, _row.ScanRoots.Count, ConnectionLeases.Describe());
                await ResendToPendingRootsAsync();
            }
        }, new GrainTimerCreationOptions(dueTime, _options.WatchdogPeriod) { KeepAlive = true, Interleave = true });
        // One progress timer per activation, however many scans it starts.
        _progressTimer ??= this.RegisterGrainTimer(_ => SaveProgressIfDirtyAsync(),
            new GrainTimerCreationOptions(ProgressSaveInterval, ProgressSaveInterval) { KeepAlive = false, Interleave = true });
    }

    private async Task SaveProgressIfDirtyAsync()
    {
        if (_row is null || !_progressDirty || !IsRunning)
            return;
        _progressDirty = false;
        // Only the finished directories' counts: a restarted StorageGrain adds the running ones' totals to them again.
        _row = _row with { Progress = _progress.Finished };
        await catalogue.SaveStorageAsync(_row);
    }

    private async Task EnsureRescanReminderAsync()
    {
        if (_row is null || _row.CrawlCredential is null)
            return;
        var wanted = _operations.RescanDays is { } days ? TimeSpan.FromDays(days) : _row.RescanPeriod;
        var period = wanted > LongestReminderPeriod ? LongestReminderPeriod : wanted;
        await RegisterReminderAsync(RescanReminder, period);
    }

    private async Task RegisterReminderAsync(string name, TimeSpan period)
    {
        try
        {
            await this.RegisterOrUpdateReminder(name, period, period);
        }
        catch (Exception e)
        {
            // No reminder service (or it is down): the scan still runs; only automatic resumption/rescans are lost.
            LogReminderFailed(logger, e, Key, name);
        }
    }

    private async Task UnregisterReminderAsync(string name)
    {
        try
        {
            var reminder = await this.GetReminder(name);
            if (reminder is not null)
                await this.UnregisterReminder(reminder);
        }
        catch (Exception e)
        {
            LogReminderFailed(logger, e, Key, name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {Name} of {StorageKey} could not be changed")]
    private static partial void LogReminderFailed(ILogger logger, Exception exception, string storageKey, string name);
}
