using Pcrs.Grains.Interfaces.Scanning;
namespace Pcrs.Grains.Catalogue;

/// <summary>
/// The scanner's catalogue: storages, declarations, scan history, directory entries and tiles, keyed by (storage, path)
/// so that re-running a scan upserts and never duplicates. PostgreSQL in the service; in memory for the one-shot scan verb.
/// Path prefixes select a directory and everything under it ("/" selects the whole storage).
/// </summary>
public interface ICatalogue
{
    Task<StorageRow?> GetStorageAsync(string storageKey, CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces the whole storage row, except a pinned SSH host key, which only <see cref="PinHostKeyAsync"/> sets.</summary>
    Task SaveStorageAsync(StorageRow storage, CancellationToken cancellationToken = default);

    /// <summary>Pins the SSH host key first seen for a storage; a key already pinned is kept.</summary>
    Task PinHostKeyAsync(string storageKey, string fingerprint, CancellationToken cancellationToken = default);

    /// <summary>A deliverable's declaration (any state), with its storage's host and port.</summary>
    Task<DeclarationRow?> GetDeclarationAsync(string deliverableId, CancellationToken cancellationToken = default);

    /// <summary>Every declaration on a storage (any state), ordered by deliverable.</summary>
    Task<IReadOnlyList<DeclarationRow>> ListDeclarationsAsync(string storageKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts or replaces a deliverable's whole declaration in one statement (a deliverable has at most one), as
    /// <see cref="Interfaces.Scanning.DeclarationState.Verifying"/>; returns its new revision.
    /// </summary>
    Task<long> SaveDeclarationAsync(DeclarationRow declaration, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets the outcome of a proof, only if the declaration is still at <paramref name="revision"/> (a newer declaration
    /// made it moot). True when it was set.
    /// </summary>
    Task<bool> SetDeclarationStateAsync(string deliverableId, long revision, Interfaces.Scanning.DeclarationState state, string? error,
        bool passwordRequired, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Deletes a deliverable's declaration, and with it the encrypted password.</summary>
    Task DeleteDeclarationAsync(string deliverableId, CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces one scan of the history.</summary>
    Task RecordScanAsync(ScanRow scan, CancellationToken cancellationToken = default);

    /// <summary>The children of a directory as previous scans left them, with the stamps of their tiles.</summary>
    Task<IReadOnlyList<KnownEntry>> GetChildrenAsync(string storageKey, string directoryPath, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a successful listing of a directory in scan <paramref name="scanNumber"/>: upserts every listed entry and
    /// deletes what disappeared (a vanished sub-directory with its whole subtree, a vanished file with its tile).
    /// Returns the number of entries removed.
    /// </summary>
    Task<int> ApplyListingAsync(string storageKey, string directoryPath, IReadOnlyList<EntryRow> listed, long scanNumber, CancellationToken cancellationToken = default);

    /// <summary>
    /// One batch of a directory listing too large to hold (see <c>ScanningOptions.StreamedListingBatch</c>): upserts the
    /// entries and marks them seen in scan <paramref name="scanNumber"/>; deletes nothing. Each batch is written alone, so
    /// no statement or transaction grows with the listing.
    /// </summary>
    Task UpsertListedEntriesAsync(string storageKey, string directoryPath, IReadOnlyList<EntryRow> rows, long scanNumber, CancellationToken cancellationToken = default);

    /// <summary>
    /// After a streamed listing of a directory succeeded: deletes, in bounded rounds, its children not seen in scan
    /// <paramref name="scanNumber"/> (a vanished sub-directory with its whole subtree, a vanished file with its tile).
    /// Returns the number of entries removed.
    /// </summary>
    Task<int> DeleteUnseenEntriesAsync(string storageKey, string directoryPath, long scanNumber, CancellationToken cancellationToken = default);

    /// <summary>The stamps of the tiles at <paramref name="paths"/> that have one (a batch of a streamed listing's data files).</summary>
    Task<IReadOnlyDictionary<string, TileStamp>> GetTileStampsAsync(string storageKey, IReadOnlyList<string> paths, CancellationToken cancellationToken = default);

    Task<DirectoryStateRow?> GetDirectoryStateAsync(string storageKey, string directoryPath, CancellationToken cancellationToken = default);

    /// <summary>Records that a directory's subtree is done for scan <paramref name="scanNumber"/>, with its counts and listing outcome.</summary>
    Task CompleteDirectoryAsync(string storageKey, string directoryPath, long scanNumber, SubtreeReport counts, string? listingError, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts or replaces tiles (one round trip per batch). A row of an older scan than the stored one is not written: a
    /// read of a stopped scan (paused, superseded) that ends late never replaces what the newer scan read.
    /// </summary>
    Task UpsertTilesAsync(IReadOnlyList<TileRow> tiles, CancellationToken cancellationToken = default);

    Task<TileRow?> GetTileAsync(string storageKey, string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every tile under a path prefix, errors included (the scan verb's output); streamed. Filtered and paged reads (box,
    /// dates, errors left out) belong to <see cref="ITileMetadataReader"/>.
    /// </summary>
    IAsyncEnumerable<TileRow> QueryTilesAsync(string storageKey, string pathPrefix, CancellationToken cancellationToken = default);

    /// <summary>Entry counts and tile groups under a path prefix.</summary>
    Task<CatalogueSummary> SummarizeAsync(string storageKey, string pathPrefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tiles under a path prefix whose header scan <paramref name="scanNumber"/> read, and the bytes it read for them: the
    /// exact "analysed" count of a scan, whatever silo died and whatever was redone.
    /// </summary>
    Task<ScanReads> CountScanReadsAsync(string storageKey, string pathPrefix, long scanNumber, CancellationToken cancellationToken = default);
}
