namespace Pcrs.Grains.Catalogue;

/// <summary>
/// The one read side of the scan catalogue for code outside the scanning grains (the web front's maps, downloads,
/// exports and pages). Every method is keyed by storage and path prefix (the catalogue's index) and streams its rows;
/// none loads a whole storage in memory. Implemented by <see cref="PostgresCatalogue"/> and <see cref="InMemoryCatalogue"/>.
/// Callers check first that the deliverable may see the storage under that prefix (a proven declaration): the reader
/// answers for any storage it is asked about.
/// Add read methods here (one per question, small records in this folder) rather than SQL in a caller.
/// </summary>
public interface ICatalogueReader
{
    /// <summary>A file the last scan listed at exactly <paramref name="path"/>; null when the scan did not see it.</summary>
    Task<CatalogueFile?> FindFileAsync(string storageKey, string path, CancellationToken cancellationToken);

    /// <summary>Aggregates of the readable tiles under a start path (exports, home map); null when there is none.</summary>
    Task<CatalogueAggregate?> AggregateTilesAsync(string storageKey, string startPath, CancellationToken cancellationToken);

    /// <summary>Where the storage's scans stand (changes when a scan starts or ends); null for a storage never declared to the scanner.</summary>
    Task<ScanStamp?> GetScanStampAsync(string storageKey, CancellationToken cancellationToken);

    /// <summary>Files under a start path the last scan could not read, with the reason, ordered by path, at most <paramref name="limit"/>.</summary>
    IAsyncEnumerable<CatalogueFileError> ListFileErrorsAsync(string storageKey, string startPath, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Directories at or under a start path whose last listing failed (the server's error, a crawl bound or a loop), with
    /// the reason, ordered by path, at most <paramref name="limit"/>.
    /// </summary>
    IAsyncEnumerable<CatalogueDirectoryError> ListDirectoryErrorsAsync(string storageKey, string startPath, int limit, CancellationToken cancellationToken);

    /// <summary>The WGS84 footprints (GeoJSON Polygons) of the readable tiles under a start path, streamed in no particular order.</summary>
    IAsyncEnumerable<string> ListFootprintsAsync(string storageKey, string startPath, CancellationToken cancellationToken);

    /// <summary>
    /// A deliverable's storage declaration in any state (null: none). Only a <see cref="DeclarationRow.IsProven"/> one may
    /// show scan data; the cipher text it carries is for the public-connection display, decrypted only there.
    /// </summary>
    Task<DeclarationRow?> GetDeclarationAsync(string deliverableId, CancellationToken cancellationToken = default);

    /// <summary>
    /// What scan <paramref name="scanNumber"/> has seen so far under a start path (running or finished): the deliverable's
    /// own share of a shared crawl, counted from the catalogue. <paramref name="startPath"/> as directories are stored ("/a/b").
    /// </summary>
    Task<SubtreeProgress> ReadSubtreeProgressAsync(string storageKey, string startPath, long scanNumber, CancellationToken cancellationToken = default);

    /// <summary>The declarations of the given deliverables, in no particular order (absent ones left out).</summary>
    Task<IReadOnlyList<DeclarationRow>> GetDeclarationsAsync(IReadOnlyCollection<string> deliverableIds, CancellationToken cancellationToken);
}
