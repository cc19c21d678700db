using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Hosting.Logging;
using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning.Placement;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// One storage: its declarations (each proven before it is attached: StorageGrain.Declarations.cs), scan life cycle and
/// connection leases. Its state lives in the catalogue (not in the activation), so a re-activation on another silo resumes
/// a running scan (the watchdog re-sends the scan order to the roots that have not reported, and every directory order is
/// idempotent) and the proofs of declarations still verifying. Storages spread over the silos by hash of their key, and
/// each storage's directories and file shards run on its silo (<see cref="StoragePlacementDirector"/>).
/// </summary>
[StoragePlacement]
public sealed partial class StorageGrain(
    ICatalogue catalogue,
    ISecretProtector protector,
    DeclarationProver prover,
    IOptions<ScanningOptions> scanningOptions,
    IOptions<StorageAccessOptions> accessOptions,
    IClusterMembershipService membership,
    IStorageOperationsStore operationsStore,
    ILogger<StorageGrain> logger) : Grain, IStorageGrain, IConnectionLeaseGrain, IRemindable, IScanLogContext
{
    private const string WatchdogReminder = "watchdog";
    private const string RescanReminder = "rescan";
    private static readonly TimeSpan ProgressSaveInterval = TimeSpan.FromSeconds(5);
    /// <summary>Orleans reminder periods are limited to about 49 days (milliseconds in 32 bits).</summary>
    private static readonly TimeSpan LongestReminderPeriod = TimeSpan.FromDays(45);
    /// <summary>Longest time a lease call waits here; Orleans' default call timeout is 30 s.</summary>
    private static readonly TimeSpan LongestLeaseWait = TimeSpan.FromSeconds(10);

    private readonly ScanningOptions _options = scanningOptions.Value;
    private readonly Dictionary<string, SubtreeReport> _rootReports = new(StringComparer.Ordinal);
    private ConnectionLeaseTable? _connectionLeases;
    private StorageRow? _row;
    private ScanSummary? _lastSummary;
    private readonly LiveProgress _progress = new();
    private bool _progressDirty;
    private bool _finishing;
    private IGrainTimer? _watchdogTimer;
    private StorageOperations _operations = StorageOperations.None;
    private IGrainTimer? _progressTimer;
    private int _reducedLimit;
    private DateTime _reducedUntil;

    private string Key => this.GetPrimaryKeyString();

    private ConnectionLeaseTable ConnectionLeases => _connectionLeases ??= new ConnectionLeaseTable(EffectiveLimit);

    private bool IsRunning => _row?.Status is ScanStatus.Listing or ScanStatus.Analysing;

    /// <summary>The scan running now, for log lines (<see cref="IScanLogContext"/>); null between scans.</summary>
    private long? RunningScan => IsRunning ? _row!.ScanNumber : null;

    long? IScanLogContext.ScanInProgress => RunningScan;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _row = await catalogue.GetStorageAsync(Key, cancellationToken);
        if (_row is null)
            return;
        _operations = await operationsStore.GetAsync(Key, cancellationToken);
        await ResumeProofsAsync(cancellationToken);
        _lastSummary = ParseSummary(_row.LastSummaryJson);
        if (IsRunning)
        {
            // Re-activated in the middle of a scan (its previous silo died, or it was collected): the reports the roots
            // sent before are lost, so ask them again right away; completed roots answer from the catalogue.
            // What was saved is the finished directories' counts: the running ones report their totals again.
            _progress.Reset(_row.Progress);
            // The leases the previous activation granted are still held on the surviving silos: learn them first.
            ConnectionLeases.HoldGrantsForSurvivors();
            StartWatchdogTimer(TimeSpan.FromMilliseconds(200));
            ScanMetrics.ScanStarted(Key);
        }
    }

    public Task<StorageScanView> RequestScan() => StartOrJoinScanAsync(forceNew: false);

    public Task<StorageScanView> GetStatus() => Task.FromResult(View());

    public Task ReportProgress(long scanNumber, string directoryPath, ScanProgress total, bool final)
    {
        if (_row is not null && scanNumber == _row.ScanNumber && IsRunning)
        {
            _progress.Report(directoryPath, total, final);
            _progressDirty |= final;
            if (_row.Status == ScanStatus.Listing && (total.Analysed > 0 || total.Unchanged > 0))
                _row = _row with { Status = ScanStatus.Analysing };
        }
        return Task.CompletedTask;
    }

    public Task RootCompleted(long scanNumber, string rootPath, SubtreeReport report)
    {
        if (_row is null || scanNumber != _row.ScanNumber || !IsRunning || !_row.ScanRoots.Contains(rootPath, StringComparer.Ordinal))
            return Task.CompletedTask;
        _rootReports[rootPath] = report;
        if (!_finishing && _row.ScanRoots.All(_rootReports.ContainsKey))
        {
            _finishing = true;
            // Finish outside this (interleaving) call: the root that reported must not wait for the summary queries.
            _ = FinishScanAsync(scanNumber);
        }
        return Task.CompletedTask;
    }

    /// <param name="forceNew">Start a new scan even while one runs, unless it crawls the same roots (then join it).</param>
    /// <param name="newCredential">The crawl credential changed: a running scan's connections use the old one, so always start anew.</param>
    private async Task<StorageScanView> StartOrJoinScanAsync(bool forceNew, bool newCredential = false)
    {
        if (_row is null || _row.CrawlCredential is null)
            return View();
        if (IsRunning && !forceNew && !newCredential)
            return View();
        // Read at every start, not cached: an administrator's pause holds whichever silo this activation lives on.
        _operations = await operationsStore.GetAsync(Key);
        if (_operations.IsPaused)
            return View();
        var attached = (await catalogue.ListDeclarationsAsync(Key)).Where(d => d.IsProven).ToList();
        if (attached.Count == 0)
            return View();
        var roots = ScanRoots.Minimal(attached.Select(a => a.StartPath));
        if (IsRunning && !newCredential && roots.SequenceEqual(_row.ScanRoots, StringComparer.Ordinal))
            return View(); // a declaration under the running scan's roots joins it

        long scanNumber = _row.ScanNumber + 1;
        var now = DateTimeOffset.UtcNow;
        _row = _row with { ScanNumber = scanNumber, ScanRoots = roots, Status = ScanStatus.Listing, ScanStartedAt = now, Progress = ScanProgress.Zero };
        ScanMetrics.ScanStarted(Key);
        _progress.Reset(ScanProgress.Zero);
        _progressDirty = false;
        _rootReports.Clear();
        _finishing = false;
        await catalogue.SaveStorageAsync(_row);
        await catalogue.RecordScanAsync(new ScanRow(Key, scanNumber, now, null, null, ScanProgress.Zero, null));
        LogScanStarted(logger, Key, scanNumber, string.Join(", ", roots));
        await RegisterReminderAsync(WatchdogReminder, _options.WatchdogPeriod);
        StartWatchdogTimer(_options.WatchdogPeriod);
        await ResendToPendingRootsAsync();
        return View();
    }

    private async Task ResendToPendingRootsAsync()
    {
        if (_row is null || !IsRunning)
            return;
        long scanNumber = _row.ScanNumber;
        var pending = _row.ScanRoots.Where(root => !_rootReports.ContainsKey(root)).ToList();
        var orders = pending.Select(async root =>
        {
            try
            {
                await GrainFactory.GetGrain<IDirectoryGrain>(ScanKeys.Directory(Key, root)).Scan(new DirectoryScanOrder(scanNumber, null));
            }
            catch (Exception e)
            {
                // The next watchdog tick tries again.
                LogResendFailed(logger, e, Key, scanNumber, root);
            }
        });
        await Task.WhenAll(orders);
        await SaveProgressIfDirtyAsync();
    }

    private async Task FinishScanAsync(long scanNumber)
    {
        try
        {
            if (_row is null || _row.ScanNumber != scanNumber)
                return;
            var now = DateTimeOffset.UtcNow;
            var reports = _row.ScanRoots.Select(root => _rootReports[root]).ToList();
            var total = reports.Aggregate(SubtreeReport.Zero, (sum, r) => sum.Add(r));
            // A root that could not be listed at all is a start path that is missing or refused. When no root could be
            // listed, the storage is unreachable or refuses the login: the scan failed and the last good summary stays.
            // When some could, the scan succeeded: the deliverables of the listed roots get fresh summaries, the failed
            // root's error (it names the path) is the scan's error, and the deliverables under it show it (DeliverableScanState).
            var failedRoots = reports.Where(IsWhollyFailed).ToList();
            bool unreachable = failedRoots.Count > 0 && failedRoots.Count == reports.Count;
            var parts = new List<CatalogueSummary>();
            long analysed = 0, bytesRead = 0, unreadable = 0;
            foreach (var root in _row.ScanRoots)
            {
                parts.Add(await catalogue.SummarizeAsync(Key, root));
                var reads = await catalogue.CountScanReadsAsync(Key, root, scanNumber);
                (analysed, bytesRead, unreadable) = (analysed + reads.Files, bytesRead + reads.BytesRead, unreadable + reads.Unreadable);
            }
            var summary = ScanSummaries.Build(ScanSummaries.Merge(parts), now);
            // Exact counts from the catalogue, not from the live progress: progress reports of a dead silo's directories are
            // lost, and a directory redone on a survivor reports its files again (as unchanged, their rows being written).
            var counts = new ScanProgress(total.Directories, total.Files, analysed, Math.Max(0, total.DataFiles - analysed),
                total.Errors, bytesRead);
            if (_row.ScanNumber != scanNumber)
                return;
            if (unreachable)
            {
                _row = _row with { Status = ScanStatus.Failed, LastError = failedRoots[0].FirstError ?? "The storage could not be listed.", Progress = counts };
            }
            else
            {
                _lastSummary = summary;
                // The server failing for part of the scan (it vanished, timed out, answered 5xx) is never a success: the
                // scan is "partial", its error says how much could not be read, and those are read again next scan. So
                // is a tree that a crawl bound or a loop cut short: what lies past the bound was not read.
                string? partial = ScanOutcome.PartialError(unreadable, total.UnreadableListings, total.FirstError, total.BoundedListings);
                _row = _row with
                {
                    Status = partial is null ? ScanStatus.Succeeded : ScanStatus.Partial,
                    LastSuccessAt = now,
                    LastSummaryJson = JsonSerializer.Serialize(summary),
                    LastError = partial ?? failedRoots.FirstOrDefault()?.FirstError ?? total.FirstError,
                    Progress = counts,
                };
            }
            _progress.Reset(counts);
            _progressDirty = false;
            await catalogue.SaveStorageAsync(_row);
            ScanMetrics.ScanEnded(Key);
            await catalogue.RecordScanAsync(new ScanRow(Key, scanNumber, _row.ScanStartedAt ?? now, now, _row.Status, counts, _row.LastError));
            LogScanFinished(logger, Key, scanNumber, ScanStatusText.ToText(_row.Status), total.Directories, total.Files, total.Errors);
            _watchdogTimer?.Dispose();
            _watchdogTimer = null;
            await UnregisterReminderAsync(WatchdogReminder);
            foreach (var declaration in await catalogue.ListDeclarationsAsync(Key))
                GrainFactory.GetGrain<IDeliverableGrain>(declaration.DeliverableId).SummaryChanged(scanNumber).Ignore();
            if (unreachable)
                _ = RecheckAfterFailedScanAsync(scanNumber);
            else
                await StartUncoveredAsync();
        }
        catch (Exception e)
        {
            // Leave the scan running: the watchdog re-sends to the roots, they re-report, and finishing is tried again.
            _rootReports.Clear();
            LogFinishFailed(logger, e, Key, scanNumber);
        }
        finally
        {
            _finishing = false;
        }
    }

    /// <summary>Not one directory of the subtree could be listed (for a root: its own listing failed, so nothing below was visited).</summary>
    private static bool IsWhollyFailed(SubtreeReport report) => report.FailedListings > 0 && report.FailedListings == report.Directories;

    private StorageScanView View()
    {
        if (_row is null)
            return StorageScanView.None;
        return new StorageScanView(_row.Status, IsRunning ? _progress.Total : _row.Progress, _lastSummary, _row.LastSuccessAt, _row.LastError, _row.ScanNumber);
    }

    /// <summary>Builds the location a declaration names; throws a clear <see cref="ArgumentException"/> for a bad one.</summary>
    public static StorageLocation LocationOf(StorageDeclaration declaration)
    {
        try
        {
            string scheme = declaration.Scheme.ToLowerInvariant();
            string path = string.IsNullOrEmpty(declaration.StartPath) ? "/" : declaration.StartPath;
            if (!path.StartsWith('/'))
                path = "/" + path;
            string url = scheme == "file"
                ? "file://" + Uri.EscapeDataString(path).Replace("%2F", "/", StringComparison.Ordinal)
                : $"{scheme}://{(declaration.Host.Contains(':') ? $"[{declaration.Host}]" : declaration.Host)}{(declaration.Port > 0 ? ":" + declaration.Port : "")}"
                  + Uri.EscapeDataString(path).Replace("%2F", "/", StringComparison.Ordinal);
            var location = StorageLocation.Parse(url, out _);
            return scheme == "file" ? location : location with { UserName = string.IsNullOrEmpty(declaration.UserName) ? null : declaration.UserName };
        }
        catch (StorageException e)
        {
            throw new ArgumentException(e.Message, nameof(declaration), e);
        }
    }

    private static ScanSummary? ParseSummary(string? json)
    {
        if (json is null)
            return null;
        try
        {
            return JsonSerializer.Deserialize<ScanSummary>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scan {ScanNumber} of {StorageKey} started; roots {Roots}")]
    private static partial void LogScanStarted(ILogger logger, string storageKey, long scanNumber, string roots);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scan {ScanNumber} of {StorageKey} {Status}: {Directories} directories, {Files} files, {Errors} errors")]
    private static partial void LogScanFinished(ILogger logger, string storageKey, long scanNumber, string status, long directories, long files, long errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Finishing scan {ScanNumber} of {StorageKey} failed; the watchdog will retry")]
    private static partial void LogFinishFailed(ILogger logger, Exception exception, string storageKey, long scanNumber);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Re-sending the order of scan {ScanNumber} of {StorageKey} to {Root} failed")]
    private static partial void LogResendFailed(ILogger logger, Exception exception, string storageKey, long scanNumber, string root);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scan {ScanNumber} of {StorageKey}: {Reported} of {Roots} roots reported; leases {Leases}")]
    private static partial void LogScanState(ILogger logger, string storageKey, long scanNumber, int reported, int roots, string leases);

}
