namespace Pcrs.Grains.Catalogue;

/// <summary>
/// Read side of the catalogue for the metadata products (tile indexes, STAC, OGC API Features, conformity reports):
/// every column a scan recorded for the files under a deliverable's start path, filtered by box and paged by path,
/// plus the version of the whole catalogue that exports put in their ETag.
/// </summary>
public interface ITileMetadataReader
{
    /// <summary>Files under <paramref name="startPath"/> ordered by path, after <see cref="TileQuery.AfterPath"/>; streamed.</summary>
    IAsyncEnumerable<TileRow> ListAsync(string storageKey, string startPath, TileQuery query, CancellationToken cancellationToken = default);

    /// <summary>How many files <see cref="ListAsync"/> would return without paging.</summary>
    Task<long> CountAsync(string storageKey, string startPath, TileQuery query, CancellationToken cancellationToken = default);

    /// <summary>Earliest and latest modification time of the readable files under a start path (null when none has one).</summary>
    Task<(DateTimeOffset? First, DateTimeOffset? Last)> GetModifiedRangeAsync(string storageKey, string startPath, CancellationToken cancellationToken = default);

    /// <summary>The latest scans of a storage, newest first, at most <paramref name="limit"/> (the change feed).</summary>
    Task<IReadOnlyList<ScanRow>> ListRecentScansAsync(string storageKey, int limit, CancellationToken cancellationToken = default);

    /// <summary>Where every storage's scans stand, in one row: equal versions mean equal scan data.</summary>
    Task<CatalogueVersion> GetVersionAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// A page of files: within a WGS84 box (readable, georeferenced files only), after a path (keyset paging), at most
/// <see cref="Limit"/>; files in error only when asked (conformity reports list them, maps do not).
/// </summary>
public sealed record TileQuery(GeoBox? Bbox = null, string? AfterPath = null, int? Limit = null, bool IncludeErrors = false)
{
    /// <summary>Only the file at this exact path (a single item).</summary>
    public string? ExactPath { get; init; }

    /// <summary>Files last modified at or after this instant (the storage's modification time); null: no lower bound.</summary>
    public DateTimeOffset? ModifiedFrom { get; init; }

    /// <summary>Files last modified at or before this instant; null: no upper bound.</summary>
    public DateTimeOffset? ModifiedTo { get; init; }
}

/// <summary>
/// Storages known, sum of their scan numbers, scans running, the latest change of any storage row, and the storage
/// declarations (how many, and their latest declaration or proof: a revocation changes the count, a proof the time).
/// </summary>
public sealed record CatalogueVersion(long Storages, long ScanNumbers, long Running, DateTimeOffset? LastChange,
    long Declarations = 0, DateTimeOffset? LastDeclaration = null);
