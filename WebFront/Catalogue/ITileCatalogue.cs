namespace Pcrs.WebFront.Catalogue;

/// <summary>
/// Read side of the scan catalogue for the web front: tiles under a deliverable's start path (maps, exports),
/// the files the last scan saw (downloads), and aggregates. Streams; never loads a whole storage in memory.
/// </summary>
public interface ITileCatalogue
{
    /// <summary>Data files under <paramref name="startPath"/> of a storage, ordered by path, optionally within a WGS84 box.</summary>
    IAsyncEnumerable<CatalogueTile> ListTilesAsync(string storageIdentity, string startPath, GeoBox? bbox, CancellationToken cancellationToken);

    /// <summary>A file the last scan listed at exactly <paramref name="path"/>; null when the scan did not see it.</summary>
    Task<CatalogueFile?> FindFileAsync(string storageIdentity, string path, CancellationToken cancellationToken);

    /// <summary>Aggregates of the tiles under a start path (exports, home map); null when nothing was scanned.</summary>
    Task<CatalogueAggregate?> SummarizeAsync(string storageIdentity, string startPath, CancellationToken cancellationToken);

    /// <summary>Where the storage's scans stand (changes when a scan starts or ends); null for a storage never declared to the scanner.</summary>
    Task<ScanStamp?> GetScanStampAsync(string storageIdentity, CancellationToken cancellationToken);

    /// <summary>The WGS84 footprints (GeoJSON Polygons) of the readable tiles under a start path, streamed in no particular order.</summary>
    IAsyncEnumerable<string> ListFootprintsAsync(string storageIdentity, string startPath, CancellationToken cancellationToken);
}

/// <summary>A storage's scan number, status and last success: while it stays the same, its tiles stay the same (once settled).</summary>
public sealed record ScanStamp(long ScanNumber, string Status, DateTimeOffset? LastSuccessAt)
{
    /// <summary>No scan is writing tiles: the catalogue under this storage only changes with the next scan.</summary>
    public bool Settled => Status is "succeeded" or "failed";
}

/// <summary>A WGS84 box: west, south, east, north (RFC 7946 bbox order).</summary>
public readonly record struct GeoBox(double West, double South, double East, double North)
{
    public double[] ToArray() => [West, South, East, North];
}

public sealed record CatalogueFile(string Path, long? Size, DateTimeOffset? LastModified);

public sealed record CatalogueTile(
    string Path,
    long? Size,
    string? Format,
    int? Width,
    int? Height,
    IReadOnlyList<string> BandNames,
    int? BitsPerSample,
    int? Epsg,
    double? Resolution,
    string? Compression,
    // GeoJSON Polygon in WGS84, as stored; null without georeferencing.
    string? FootprintGeoJson);

public sealed record CatalogueAggregate(
    long Tiles,
    long TotalBytes,
    string? Format,
    string? Compression,
    int? Epsg,
    IReadOnlyList<string> Bands,
    GeoBox? Extent,
    DateTimeOffset? ScannedAt);
