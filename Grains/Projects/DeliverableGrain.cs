using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;

namespace Pcrs.Grains.Projects;

/// <summary>
/// A deliverable's window on its storage: declares, revokes and rescans through the StorageGrain, and serves the scan
/// summary filtered to its start path from the catalogue, cached until the storage finishes another scan.
/// </summary>
public sealed class DeliverableGrain(ICatalogue catalogue) : Grain, IDeliverableGrain
{
    private (long ScanNumber, DateTimeOffset? At, ScanSummary? Summary)? _cachedSummary;
    private (long ScanNumber, ScanStatus Status, DeliverableOutcome Outcome)? _cachedOutcome;

    private string Id => this.GetPrimaryKeyString();

    public async Task<DeliverableScanView> DeclareStorage(StorageDeclaration declaration)
    {
        ArgumentNullException.ThrowIfNull(declaration);
        if (!string.Equals(declaration.DeliverableId, Id, StringComparison.Ordinal))
            throw new ArgumentException($"The declaration is for deliverable '{declaration.DeliverableId}', not '{Id}'.", nameof(declaration));
        string storageKey = StorageGrain.LocationOf(declaration).IdentityKey;
        var previous = await catalogue.GetAttachmentAsync(Id);
        if (previous is not null && previous.StorageKey != storageKey)
            await GrainFactory.GetGrain<IStorageGrain>(previous.StorageKey).Detach(Id);
        _cachedSummary = null;
        _cachedOutcome = null;
        await GrainFactory.GetGrain<IStorageGrain>(storageKey).Attach(declaration);
        return (await GetScan())!;
    }

    public async Task RevokeStorage()
    {
        _cachedSummary = null;
        _cachedOutcome = null;
        var attachment = await catalogue.GetAttachmentAsync(Id);
        if (attachment is not null)
            await GrainFactory.GetGrain<IStorageGrain>(attachment.StorageKey).Detach(Id);
    }

    public async Task<DeliverableScanView?> RequestScan()
    {
        var attachment = await catalogue.GetAttachmentAsync(Id);
        if (attachment is null)
            return null;
        await GrainFactory.GetGrain<IStorageGrain>(attachment.StorageKey).RequestScan();
        return await GetScan();
    }

    public async Task<DeliverableScanView?> GetScan()
    {
        var attachment = await catalogue.GetAttachmentAsync(Id);
        if (attachment is null)
            return null;
        var storage = await catalogue.GetStorageAsync(attachment.StorageKey);
        if (storage is null)
            return null;
        var scan = await GrainFactory.GetGrain<IStorageGrain>(attachment.StorageKey).GetStatus();
        var outcome = await OutcomeAsync(attachment, storage.ScanRoots, scan);
        var summary = await FilteredSummaryAsync(attachment, scan);
        // A start path that failed keeps what earlier scans found under it (nothing is deleted when a listing fails);
        // when they found nothing, there is no last success to show.
        if (outcome.Failed && summary is { FilesScanned: 0, Directories: 0 })
            summary = null;
        var view = new StorageAttachment(Id, attachment.StorageKey, storage.Scheme, storage.Host, storage.Port, storage.UserName,
            attachment.StartPath, attachment.PublicConnection, attachment.DownloadAllowed);
        return new DeliverableScanView(view, scan with
        {
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
        return Task.CompletedTask;
    }

    /// <summary>
    /// This start path's status and error in the storage's last scan (another deliverable's missing folder is not this
    /// one's error). Read from the catalogue once per scan state, not on every page view.
    /// </summary>
    private async Task<DeliverableOutcome> OutcomeAsync(AttachmentRow attachment, IReadOnlyList<string> scanRoots, StorageScanView scan)
    {
        if (_cachedOutcome is { } cached && cached.ScanNumber == scan.ScanNumber && cached.Status == scan.Status)
            return cached.Outcome;
        string startPath = ScanRoots.Minimal([attachment.StartPath])[0];
        string rootPath = scanRoots.FirstOrDefault(root => CataloguePaths.IsUnder(startPath, root)) ?? startPath;
        var root = await catalogue.GetDirectoryStateAsync(attachment.StorageKey, rootPath);
        var start = rootPath == startPath ? root : await catalogue.GetDirectoryStateAsync(attachment.StorageKey, startPath);
        var outcome = DeliverableScanState.Narrow(scan, startPath, rootPath, root, start);
        _cachedOutcome = (scan.ScanNumber, scan.Status, outcome);
        return outcome;
    }

    /// <summary>
    /// The storage's last successful summary narrowed to this deliverable's start path (a storage may hold several
    /// deliverables). Recomputed from the catalogue only when the storage completed a newer successful scan.
    /// </summary>
    private async Task<ScanSummary?> FilteredSummaryAsync(AttachmentRow attachment, StorageScanView scan)
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
