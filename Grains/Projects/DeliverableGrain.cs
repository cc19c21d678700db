using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;

namespace Pcrs.Grains.Projects;

/// <summary>
/// A deliverable's window on its storage: declares, revokes and rescans through the StorageGrain, and serves the scan
/// state of its own subtree from the catalogue (summary cached until the storage finishes another scan), and nothing
/// while its own declaration is not proven (verifying: "verifying"; refused: "failed" with the server's reason).
/// </summary>
public sealed class DeliverableGrain(ICatalogue catalogue, ICatalogueReader reader) : Grain, IDeliverableGrain
{
    /// <summary>While a scan runs, its subtree counts are read again at most this often (page views share them).</summary>
    private static readonly TimeSpan RunningProgressAge = TimeSpan.FromSeconds(2);

    private (long ScanNumber, DateTimeOffset? At, ScanSummary? Summary)? _cachedSummary;
    private (long ScanNumber, ScanStatus Status, DeliverableOutcome Outcome)? _cachedOutcome;
    private (long ScanNumber, ScanStatus Status, DateTime At, ScanProgress Progress)? _cachedProgress;

    private string Id => this.GetPrimaryKeyString();

    public async Task<DeliverableScanView> DeclareStorage(StorageDeclaration declaration)
    {
        ArgumentNullException.ThrowIfNull(declaration);
        if (!string.Equals(declaration.DeliverableId, Id, StringComparison.Ordinal))
            throw new ArgumentException($"The declaration is for deliverable '{declaration.DeliverableId}', not '{Id}'.", nameof(declaration));
        string storageKey = StorageGrain.LocationOf(declaration).IdentityKey;
        var previous = await catalogue.GetDeclarationAsync(Id);
        if (previous is not null && previous.StorageKey != storageKey)
            await GrainFactory.GetGrain<IStorageGrain>(previous.StorageKey).Detach(Id);
        _cachedSummary = null;
        _cachedOutcome = null;
        await GrainFactory.GetGrain<IStorageGrain>(storageKey).Declare(declaration);
        return (await GetScan())!;
    }

    public async Task RevokeStorage()
    {
        _cachedSummary = null;
        _cachedOutcome = null;
        _cachedProgress = null;
        var declaration = await catalogue.GetDeclarationAsync(Id);
        if (declaration is not null)
            await GrainFactory.GetGrain<IStorageGrain>(declaration.StorageKey).Detach(Id);
    }

    public async Task<DeliverableScanView?> RequestScan()
    {
        var declaration = await catalogue.GetDeclarationAsync(Id);
        if (declaration is null)
            return null;
        // Only a proven declaration may make the shared storage crawl.
        if (declaration.IsProven)
            await GrainFactory.GetGrain<IStorageGrain>(declaration.StorageKey).RequestScan();
        return await GetScan();
    }

    public async Task<DeliverableScanView?> GetScan()
    {
        var attachment = await catalogue.GetDeclarationAsync(Id);
        if (attachment is null)
            return null;
        var storage = await catalogue.GetStorageAsync(attachment.StorageKey);
        if (storage is null)
            return null;
        var view = new StorageAttachment(Id, attachment.StorageKey, attachment.Scheme, storage.Host, storage.Port, storage.UserName,
            attachment.StartPath, attachment.PublicConnection, attachment.DownloadAllowed, attachment.State);
        // Asking the storage's grain also activates it, which resumes the proofs of declarations still verifying.
        var scan = await GrainFactory.GetGrain<IStorageGrain>(attachment.StorageKey).GetStatus();
        if (!attachment.IsProven)
        {
            // Nothing of the shared crawl is shown to a declaration whose own login is not proven: no counts, no summary.
            var status = attachment.State == DeclarationState.Verifying ? ScanStatus.Verifying : ScanStatus.Failed;
            return new DeliverableScanView(view, new StorageScanView(status, ScanProgress.Zero, null, null, attachment.StateError, scan.ScanNumber));
        }
        string startPath = ScanRoots.Minimal([attachment.StartPath])[0];
        if (!storage.ScanRoots.Any(root => CataloguePaths.IsUnder(startPath, root)))
        {
            // Proven, but no scan has crawled its start path yet (the running one was started before it was proven): the
            // next one will. Nothing of other start paths is shown meanwhile.
            return new DeliverableScanView(view, new StorageScanView(ScanStatus.Queued, ScanProgress.Zero, null, null, null, scan.ScanNumber));
        }
        var outcome = await OutcomeAsync(attachment, storage.ScanRoots, scan);
        var summary = await FilteredSummaryAsync(attachment, scan);
        // A start path that failed keeps what earlier scans found under it (nothing is deleted when a listing fails);
        // when they found nothing, there is no last success to show.
        if (outcome.Failed && summary is { FilesScanned: 0, Directories: 0 })
            summary = null;
        return new DeliverableScanView(view, scan with
        {
            Progress = await SubtreeProgressAsync(attachment, scan),
            Status = outcome.Status,
            LastError = outcome.LastError,
            LastSuccess = summary,
            LastSuccessAt = summary is null ? null : scan.LastSuccessAt,
        });
    }

    public Task SummaryChanged(long scanNumber)
    {
        _cachedSummary = null;
        _cachedOutcome = null;
        _cachedProgress = null;
        return Task.CompletedTask;
    }

    /// <summary>
    /// What the storage's current scan saw under this start path alone (a shared crawl's counts belong to every start
    /// path on the account, not to this deliverable). Kept per scan state; re-read every few seconds while it runs.
    /// </summary>
    private async Task<ScanProgress> SubtreeProgressAsync(DeclarationRow attachment, StorageScanView scan)
    {
        if (scan.ScanNumber == 0)
            return ScanProgress.Zero;
        bool running = scan.Status is ScanStatus.Listing or ScanStatus.Analysing;
        if (_cachedProgress is { } cached && cached.ScanNumber == scan.ScanNumber && cached.Status == scan.Status
            && (!running || DateTime.UtcNow - cached.At < RunningProgressAge))
            return cached.Progress;
        var p = await reader.ReadSubtreeProgressAsync(attachment.StorageKey, ScanRoots.Minimal([attachment.StartPath])[0], scan.ScanNumber);
        var progress = new ScanProgress(p.Directories, p.Files, p.Analysed, p.Unchanged, p.Errors, p.BytesRead);
        _cachedProgress = (scan.ScanNumber, scan.Status, DateTime.UtcNow, progress);
        return progress;
    }

    /// <summary>
    /// This start path's status and error in the storage's last scan (another deliverable's missing folder is not this
    /// one's error). Read from the catalogue once per scan state, not on every page view.
    /// </summary>
    private async Task<DeliverableOutcome> OutcomeAsync(DeclarationRow attachment, IReadOnlyList<string> scanRoots, StorageScanView scan)
    {
        if (_cachedOutcome is { } cached && cached.ScanNumber == scan.ScanNumber && cached.Status == scan.Status)
            return cached.Outcome;
        string startPath = ScanRoots.Minimal([attachment.StartPath])[0];
        string rootPath = scanRoots.FirstOrDefault(root => CataloguePaths.IsUnder(startPath, root)) ?? startPath;
        var root = await catalogue.GetDirectoryStateAsync(attachment.StorageKey, rootPath);
        var start = rootPath == startPath ? root : await catalogue.GetDirectoryStateAsync(attachment.StorageKey, startPath);
        long unreadable = DeliverableScanState.NeedsUnreadableFiles(scan)
            ? (await catalogue.CountScanReadsAsync(attachment.StorageKey, startPath, scan.ScanNumber)).Unreadable
            : 0;
        var outcome = DeliverableScanState.Narrow(scan, startPath, rootPath, root, start, unreadable);
        _cachedOutcome = (scan.ScanNumber, scan.Status, outcome);
        return outcome;
    }

    /// <summary>
    /// The storage's last successful summary narrowed to this deliverable's start path (a storage may hold several
    /// deliverables). Recomputed from the catalogue only when the storage completed a newer successful scan.
    /// </summary>
    private async Task<ScanSummary?> FilteredSummaryAsync(DeclarationRow attachment, StorageScanView scan)
    {
        if (scan.LastSuccess is null || scan.LastSuccessAt is null)
            return null;
        if (_cachedSummary is { } cached && cached.At == scan.LastSuccessAt)
            return cached.Summary;
        var roots = ScanRoots.Minimal([attachment.StartPath]);
        var summary = ScanSummaries.Build(await catalogue.SummarizeAsync(attachment.StorageKey, roots[0]), scan.LastSuccess.CompletedAt);
        _cachedSummary = (scan.ScanNumber, scan.LastSuccessAt, summary);
        return summary;
    }
}
