using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// A directory that lists more than <see cref="ScanningOptions.StreamedListingBatch"/> entries is streamed: each batch of
/// its listing is admitted by the crawl budget and written to the catalogue as it arrives, and nothing of it is held but
/// its sub-directories, its data files and the names that may be their sidecars (what planning the reads needs). Once the
/// listing has succeeded, what vanished is deleted in bounded rounds and the data files are planned and read batch by
/// batch, each batch's stored stamps fetched alone. (Before, a 1,000,000-entry directory was held five times over, in
/// one transaction whose statements timed out: it restarted every minute and never completed.)
/// </summary>
public sealed partial class DirectoryGrain
{
    /// <summary>What a streamed listing keeps for the rest of its directory's scan.</summary>
    private sealed class StreamedListing
    {
        public List<string> Directories { get; } = [];

        /// <summary>The data files, as listed (their listing facts decide "unchanged").</summary>
        public List<StorageEntry> DataFiles { get; } = [];

        /// <summary>Files whose name may be a sidecar, by name (case-insensitive, as <see cref="DataFiles.SidecarCandidates"/>).</summary>
        public Dictionary<string, StorageEntry> Sidecars { get; } = new(StringComparer.OrdinalIgnoreCase);

        public long Files { get; set; }
        public int Overlong { get; set; }
        public string? FirstOverlong { get; set; }
    }

    /// <summary>Takes the listing in batches (the first already read): budget, catalogue rows, what is kept; then the loop check.</summary>
    private async Task<StreamedListing> StreamListingAsync(long scanNumber, List<StorageEntry> batch, IAsyncEnumerator<StorageEntry> entries)
    {
        var listing = new StreamedListing();
        using var fingerprint = new StreamedFingerprint();
        long read = 0;
        while (batch.Count > 0)
        {
            read += batch.Count;
            fingerprint.Add(batch);
            long bytes = CrawlGuards.NameBytes(batch);
            await TakeFromBudgetsAsync(scanNumber, newDirectory: false, batch.Count, bytes);
            using (await turns.EnterAsync(_storageKey, _deactivating.Token))
                await catalogue.UpsertListedEntriesAsync(_storageKey, _path, Keep(batch, listing), scanNumber, _deactivating.Token);
            await StopIfScanEndedAsync(); // revoked or superseded: the rest of the listing is not taken
            batch = await ReadBatchAsync(entries, read);
        }
        _fingerprint = fingerprint.Result();
        CrawlGuards.CheckLoop(_fingerprint, _ancestry, _path);
        return listing;
    }

    /// <summary>The catalogue rows of one batch; keeps its sub-directories, data files and possible sidecars in <paramref name="listing"/>.</summary>
    private List<EntryRow> Keep(List<StorageEntry> batch, StreamedListing listing)
    {
        var rows = new List<EntryRow>(batch.Count);
        var names = new HashSet<string>(StringComparer.Ordinal); // one row per path in a statement
        foreach (var entry in batch)
        {
            if (!IsSafeName(entry.Name) || !names.Add(entry.Name))
                continue;
            string path = StoragePaths.Combine(_path, entry.Name);
            if (!CatalogueLimits.PathFits(path))
            {
                listing.Overlong++;
                listing.FirstOverlong ??= entry.Name;
                continue;
            }
            switch (entry.Kind)
            {
                case StorageEntryKind.Directory:
                    listing.Directories.Add(path);
                    rows.Add(new EntryRow(path, EntryKind.Directory, null, entry.LastModified, null));
                    break;
                case StorageEntryKind.File:
                    listing.Files++;
                    rows.Add(new EntryRow(path, EntryKind.File, entry.ExactSize, entry.LastModified, entry.ETag));
                    if (DataFiles.IsDataFile(entry.Name))
                        listing.DataFiles.Add(entry);
                    else if (DataFiles.MayBeSidecar(entry.Name))
                        listing.Sidecars.TryAdd(entry.Name, entry);
                    break;
                default:
                    break; // links are not followed (see PlanAsync)
            }
        }
        return rows;
    }

    /// <summary>After a streamed listing succeeded: deletes what vanished, orders the sub-directories, reads the files batch by batch.</summary>
    private async Task ProcessStreamedListingAsync(long scanNumber, StreamedListing listing)
    {
        await catalogue.DeleteUnseenEntriesAsync(_storageKey, _path, scanNumber, _deactivating.Token);
        foreach (var directory in listing.Directories)
            _children[directory] = null;
        AddProgress(new ScanProgress(1, listing.Files, 0, 0, 0, 0));
        using (await turns.EnterAsync(_storageKey, _deactivating.Token))
            await SendToChildrenAsync(listing.Directories);
        listing.Directories.Clear();
        listing.Directories.TrimExcess();

        long totalBytes = 0, errors = listing.Overlong;
        int batchSize = _options.StreamedListingBatch;
        for (int start = 0; start < listing.DataFiles.Count; start += batchSize)
        {
            var files = listing.DataFiles.GetRange(start, Math.Min(batchSize, listing.DataFiles.Count - start));
            var paths = files.ConvertAll(f => StoragePaths.Combine(_path, f.Name));
            var stamps = await catalogue.GetTileStampsAsync(_storageKey, paths, _deactivating.Token);
            var toAnalyse = new List<(string Path, FileAnalysisOrder Order)>();
            for (int i = 0; i < files.Count; i++)
            {
                var order = OrderFor(scanNumber, files[i], name => listing.Sidecars.GetValueOrDefault(name));
                if (stamps.TryGetValue(paths[i], out var stamp) && FileFacts.IsUnchanged(stamp, order))
                {
                    totalBytes += stamp.Size ?? 0;
                    if (stamp.HasError)
                        errors++;
                    AddProgress(new ScanProgress(0, 0, 0, 1, stamp.HasError ? 1 : 0, 0));
                    continue;
                }
                toAnalyse.Add((paths[i], order));
            }
            var (analysedErrors, analysedBytes) = await AnalyseAsync(toAnalyse);
            errors += analysedErrors;
            totalBytes += analysedBytes;
            await FlushProgressIfDueAsync();
        }

        string? overlongError = listing.FirstOverlong is { } name ? OverlongNames.Describe(_path, listing.Overlong, name) : null;
        _own = new SubtreeReport(1, listing.Files, listing.DataFiles.Count, totalBytes, errors, 0, overlongError);
        _filesDone = true;
        await FlushProgressAsync();
        await TryFinishAsync();
    }
}
