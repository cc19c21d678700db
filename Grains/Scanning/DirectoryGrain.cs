using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Hosting.Logging;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning.Placement;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// One directory of a storage. On Scan(N) it lists the directory once, records the listing (deleting what vanished,
/// only because the listing succeeded), sends Scan(N) to its sub-directories, has FileGrains read new or changed data
/// files (a bounded number in flight), counts unchanged files without calling anyone, and reports its subtree's counts
/// to its parent when everything below is done. The crawl runs in the background of the activation, never inside a call.
/// </summary>
/// <remarks>
/// When a silo dies, the grain directory loses its registrations; the watchdog's orders then create a second activation of
/// a directory still running elsewhere, and Orleans deactivates the older one. That activation's background work stops at
/// once (its calls would all fail: "invalid activation"), and the new activation redoes the directory from the catalogue.
/// A storage's directories are placed on the storage's silo (<see cref="Placement.StoragePlacementDirector"/>).
/// </remarks>
[StoragePlacement]
public sealed partial class DirectoryGrain(
    ICatalogue catalogue,
    StorageClientCache clients,
    TileWriter tileWriter,
    ScanActivity activity,
    FileFanOut fanOut,
    CrawlTurns turns,
    IOptions<ScanningOptions> options,
    ILogger<DirectoryGrain> logger) : Grain, IDirectoryGrain, IScanLogContext
{
    private static readonly TimeSpan ProgressFlushInterval = TimeSpan.FromSeconds(1);
    private const int ProgressFlushFiles = 256;
    private const int ChildOrdersInFlight = 64;

    private readonly ScanningOptions _options = options.Value;
    private readonly Dictionary<string, SubtreeReport?> _children = new(StringComparer.Ordinal);
    /// <summary>Cancelled when this activation goes away: its background crawl stops.</summary>
    private readonly CancellationTokenSource _deactivating = new();
    private string _storageKey = "";
    private string _path = "/";
    private long _scan;

    long? IScanLogContext.ScanInProgress => _scan > 0 ? _scan : null;
    private string? _parentPath;
    /// <summary>Levels below the scan root, and the listing fingerprints of the ancestors (see <see cref="CrawlGuards"/>).</summary>
    private int _depth;
    private string[] _ancestry = [];
    /// <summary>The scan root this directory is under: whose per-deliverable budget its listing is taken from.</summary>
    private string? _root;
    private string? _fingerprint;
    private bool _running;
    private bool _finishing;
    private bool _filesDone;
    private SubtreeReport? _own;
    private SubtreeReport? _result;
    private string? _listingError;
    /// <summary>This directory's own counts in this run of the scan, reported as a total (see <see cref="LiveProgress"/>).</summary>
    private ScanProgress _ownProgress = ScanProgress.Zero;
    private bool _progressUnreported;
    private readonly SemaphoreSlim _reporting = new(1, 1);
    private DateTime _lastFlush = DateTime.UtcNow;
    private int _filesSinceFlush;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_storageKey, string path) = ScanKeys.Split(this.GetPrimaryKeyString());
        _path = ScanKeys.TrimDirectory(path);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_running)
            LogDeactivatedWhileRunning(logger, _storageKey, _path, _scan, reason.Description);
        _deactivating.Cancel();
        return Task.CompletedTask;
    }

    public async Task Scan(DirectoryScanOrder order)
    {
        if (order.ScanNumber < _scan)
            return;
        if (order.ScanNumber == _scan && _result is not null)
        {
            _ = ReportAsync();
            return;
        }
        if (order.ScanNumber == _scan && _running)
        {
            // The watchdog's way down: whoever below has not reported gets the order again (a dead silo's directories restart).
            _ = SendToChildrenAsync(_children.Where(c => c.Value is null).Select(c => c.Key).ToList());
            // And a completion that failed to reach the catalogue (TryFinishAsync) is tried again.
            _ = TryFinishAsync();
            return;
        }

        var state = await catalogue.GetDirectoryStateAsync(_storageKey, _path);
        if (state is not null && state.CompletedScan > order.ScanNumber)
            return;
        _scan = order.ScanNumber;
        _parentPath = order.ParentPath;
        _depth = order.Depth;
        _ancestry = order.Ancestry ?? [];
        _root = order.Root ?? (order.ParentPath is null ? _path : null);
        if (state is not null && state.CompletedScan == order.ScanNumber)
        {
            _result = state.Counts;
            _ = ReportAsync();
            return;
        }

        _running = true;
        _finishing = false;
        _filesDone = false;
        _own = null;
        _result = null;
        _listingError = null;
        _children.Clear();
        _ownProgress = ScanProgress.Zero;
        _progressUnreported = false;
        _ = RunAsync(order.ScanNumber);
    }

    public Task ChildCompleted(long scanNumber, string childPath, SubtreeReport report)
    {
        if (scanNumber != _scan || !_running || !_children.ContainsKey(childPath))
            return Task.CompletedTask;
        _children[childPath] = report;
        return TryFinishAsync();
    }

    private async Task RunAsync(long scanNumber)
    {
        try
        {
            DelayDeactivation(TimeSpan.FromHours(1));
            List<StorageEntry>? listed = null;
            StreamedListing? streamed = null;
            try
            {
                await StopIfScanEndedAsync(now: true);
                CrawlGuards.CheckDepth(_depth, _options.MaxDepth, _path);
                // The directory counts against the budgets before it is listed: one past a bound never asks the server.
                await TakeFromBudgetsAsync(scanNumber, newDirectory: true, 0, 0);
                var client = await clients.GetAsync(_storageKey, scanNumber, _deactivating.Token);
                await using var entries = client.ListAsync(_path, _deactivating.Token).GetAsyncEnumerator(_deactivating.Token);
                var first = await ReadBatchAsync(entries, 0);
                if (first.Count < _options.StreamedListingBatch)
                {
                    listed = first;
                    activity.DirectoryListed();
                    await AdmitListingAsync(scanNumber, listed);
                }
                else
                {
                    streamed = await StreamListingAsync(scanNumber, first, entries);
                    activity.DirectoryListed();
                }
            }
            catch (Exception e) when (!_deactivating.IsCancellationRequested && !ListingFailures.IsClusterOrCatalogue(e))
            {
                if (scanNumber != _scan)
                    return; // a newer scan's order restarted this directory: its state is not this run's
                // Keep what was known under this directory: nothing is deleted and nothing below is visited.
                _listingError = e.Message;
                LogListingFailed(logger, _storageKey, _path, e.Message);
                _own = new SubtreeReport(1, 0, 0, 0, 0, 1, $"{_path}: {e.Message}",
                    UnreadableListings: ListingFailures.IsUnreadable(e) ? 1 : 0,
                    BoundedListings: e is CrawlBoundException ? 1 : 0);
                AddProgress(new ScanProgress(1, 0, 0, 0, 1, 0));
                _filesDone = true;
                await TryFinishAsync();
                return;
            }
            if (scanNumber != _scan)
                return;
            if (streamed is not null)
                await ProcessStreamedListingAsync(scanNumber, streamed);
            else
                await ProcessListingAsync(scanNumber, listed!);
        }
        catch (Exception) when (_deactivating.IsCancellationRequested)
        {
            // This activation was replaced (see the remarks): the new one does the work.
        }
        catch (Exception e)
        {
            // The cluster or the catalogue failed (a silo stopping, PostgreSQL down…): stay unfinished; the watchdog's
            // next order for this scan restarts the directory (see ListingFailures).
            LogDirectoryFailed(logger, e, _storageKey, _path);
            _running = false;
            _scan = scanNumber - 1;
        }
    }

    /// <summary>
    /// The next <see cref="ScanningOptions.StreamedListingBatch"/> entries of the listing (fewer at its end), after
    /// <paramref name="alreadyRead"/> entries: past <see cref="ScanningOptions.MaxEntriesPerDirectory"/> the listing fails.
    /// </summary>
    private async Task<List<StorageEntry>> ReadBatchAsync(IAsyncEnumerator<StorageEntry> entries, long alreadyRead)
    {
        var batch = new List<StorageEntry>();
        while (batch.Count < _options.StreamedListingBatch && await entries.MoveNextAsync())
        {
            if (alreadyRead + batch.Count >= _options.MaxEntriesPerDirectory)
                throw new CrawlBoundException(
                    $"Crawl bound reached: the directory lists more than {_options.MaxEntriesPerDirectory} entries (Scanning:MaxEntriesPerDirectory); it is not scanned.");
            batch.Add(entries.Current);
        }
        return batch;
    }

    private async Task ProcessListingAsync(long scanNumber, List<StorageEntry> listed)
    {
        var (overlong, overlongError) = OverlongNames.RemoveFrom(listed, _path);
        FilePlan plan;
        using (await turns.EnterAsync(_storageKey, _deactivating.Token))
            plan = await PlanAsync(scanNumber, listed);
        // The orders are all that the rest of the directory's scan needs. A storage's directories all list early in a
        // scan and then wait for their turn at its few connections, so keeping each listing (and what was derived from
        // it) until the directory's last file is analysed held the whole tree's listing in memory at once.
        listed.Clear();
        listed.TrimExcess();

        var (analysedErrors, analysedBytes) = await AnalyseAsync(plan.ToAnalyse);
        long errors = overlong + plan.UnchangedErrors + analysedErrors;
        _own = new SubtreeReport(1, plan.Files, plan.DataFiles, plan.TotalBytes + analysedBytes, errors, 0, overlongError);
        _filesDone = true;
        await FlushProgressAsync();
        await TryFinishAsync();
    }

    private async Task SendToChildrenAsync(List<string> directories)
    {
        for (int start = 0; start < directories.Count; start += ChildOrdersInFlight)
        {
            var orders = directories.Skip(start).Take(ChildOrdersInFlight).Select(async child =>
            {
                try
                {
                    await GrainFactory.GetGrain<IDirectoryGrain>(ScanKeys.Directory(_storageKey, child))
                        .Scan(new DirectoryScanOrder(_scan, _path, _depth + 1, [.. _ancestry, _fingerprint ?? ""], _root));
                }
                catch (Exception e)
                {
                    // The child's silo is going away; the watchdog's next pass re-sends the order.
                    LogChildOrderFailed(logger, _storageKey, child, e.GetType().Name);
                }
            });
            await Task.WhenAll(orders);
        }
    }

    private async Task TryFinishAsync()
    {
        if (!_running || _finishing || !_filesDone || _own is null || _children.Values.Any(r => r is null))
            return;
        _finishing = true;
        long scanNumber = _scan;
        try
        {
            var total = _children.Values.Aggregate(_own, (sum, child) => sum.Add(child!));
            await catalogue.CompleteDirectoryAsync(_storageKey, _path, scanNumber, total, _listingError);
            // Only now, with the completion in the catalogue, may the StorageGrain take these counts as final: no
            // activation redoes this directory for this scan any more.
            await FlushProgressAsync(final: true);
            if (scanNumber != _scan)
                return;
            _result = total;
            _running = false;
            _children.Clear();
            await ReportAsync();
            // Nothing to keep in memory: a repeated order is answered from the catalogue by a fresh activation.
            DeactivateOnIdle();
        }
        catch (Exception e)
        {
            LogDirectoryFailed(logger, e, _storageKey, _path);
        }
        finally
        {
            _finishing = false;
        }
    }

    /// <summary>A listed name the scanner can use as one path segment (servers may list "..", slashes or control characters).</summary>
    private static bool IsSafeName(string name) =>
        name.Length > 0 && name != "." && name != ".." && !name.Contains('/') && !name.Any(c => c < 0x20 || c == 0x7F);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing {StorageKey} {Path} failed: {Error}")]
    private static partial void LogListingFailed(ILogger logger, string storageKey, string path, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Directory {StorageKey} {Path} failed; it restarts on the next order")]
    private static partial void LogDirectoryFailed(ILogger logger, Exception exception, string storageKey, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Directory {StorageKey} {Path} was deactivated while scanning for scan {ScanNumber} ({Reason}); a new activation redoes it")]
    private static partial void LogDeactivatedWhileRunning(ILogger logger, string storageKey, string path, long scanNumber, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scan order to {StorageKey} {Path} failed ({Error})")]
    private static partial void LogChildOrderFailed(ILogger logger, string storageKey, string path, string error);

}
