using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Catalogue;

/// <summary>A file a scan listed: its path, size and modification time as the listing gave them.</summary>
public sealed record CatalogueFile(string Path, long? Size, DateTimeOffset? LastModified);

/// <summary>
/// The readable tiles under a start path in one line: count, weight, and the format, compression, EPSG code and bands
/// they all share (null when they differ), their WGS84 extent and when the newest was read.
/// </summary>
public sealed record CatalogueAggregate(
    long Tiles,
    long TotalBytes,
    string? Format,
    string? Compression,
    int? Epsg,
    IReadOnlyList<string> Bands,
    GeoBox? Extent,
    DateTimeOffset? ScannedAt);

/// <summary>
/// One scan's counts under a start path: directories listed (the start folder included), files listed, headers read,
/// data files skipped as unchanged, errors (unreadable tiles and folders that could not be listed) and bytes read.
/// </summary>
public sealed record SubtreeProgress(long Directories, long Files, long Analysed, long Unchanged, long Errors, long BytesRead)
{
    public static SubtreeProgress Zero { get; } = new(0, 0, 0, 0, 0, 0);
}

/// <summary>A storage's scan number, status and last success: while it stays the same, its tiles stay the same (once settled).</summary>
public sealed record ScanStamp(long ScanNumber, ScanStatus Status, DateTimeOffset? LastSuccessAt)
{
    /// <summary>No scan is writing tiles: the catalogue under this storage only changes with the next scan.</summary>
    public bool Settled => Status is ScanStatus.Succeeded or ScanStatus.Failed or ScanStatus.Partial;
}

/// <summary>A file whose header could not be read, and why (one sentence from the reader).</summary>
public sealed record CatalogueFileError(string Path, long? Size, string Error);

/// <summary>A directory the last scan could not list (server error, crawl bound, loop), and why.</summary>
public sealed record CatalogueDirectoryError(string Path, string Error);
