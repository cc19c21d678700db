using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Catalogue;

/// <summary>
/// A storage as the catalogue keeps it: where it is, which declaration's proven login the crawl uses, the SSH host key
/// pinned on first login, and its scan state. Credentials live in the declarations (<see cref="DeclarationRow"/>), one
/// encrypted copy each.
/// </summary>
public sealed record StorageRow
{
    public required string StorageKey { get; init; }
    public required string Scheme { get; init; }
    public required string Host { get; init; }
    public int Port { get; init; }
    public string? UserName { get; init; }

    /// <summary>The deliverable whose proven declaration (login, TLS mode, pins) the crawl uses; null when none is proven.</summary>
    public string? CrawlCredential { get; init; }
    public string? HostKey { get; init; }
    public TimeSpan RescanPeriod { get; init; } = TimeSpan.FromDays(30);
    public long ScanNumber { get; init; }
    public IReadOnlyList<string> ScanRoots { get; init; } = [];
    public ScanStatus Status { get; init; } = ScanStatus.Queued;
    public DateTimeOffset? ScanStartedAt { get; init; }
    public ScanProgress Progress { get; init; } = ScanProgress.Zero;
    public DateTimeOffset? LastSuccessAt { get; init; }

    /// <summary>The last successful summary as JSON (opaque to the catalogue).</summary>
    public string? LastSummaryJson { get; init; }
    public string? LastError { get; init; }

    public override string ToString() => $"StorageRow {{ {StorageKey}, scan {ScanNumber} {Status}, crawl credential {CrawlCredential ?? "none"} }}";
}

/// <summary>One scan in the history of a storage; <paramref name="Status"/> is null while it runs, its end status after.</summary>
public sealed record ScanRow(
    string StorageKey, long ScanNumber, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, ScanStatus? Status,
    ScanProgress Counts, string? Error);

public enum EntryKind
{
    File,
    Directory,
}

/// <summary>One name seen in a directory listing.</summary>
public sealed record EntryRow(string Path, EntryKind Kind, long? Size, DateTimeOffset? ModifiedAt, string? ETag);

/// <summary>
/// What a data file was last read from: when the listing still says this, the file is unchanged. <see cref="ListingStamp"/>
/// is what the listing said then (rounded sizes included), compared with what it says now; Size, ModifiedAt and ETag are
/// the exact facts stored. Rows written before listing stamps were kept have a null stamp and the listing's facts.
/// </summary>
public sealed record TileStamp(long? Size, DateTimeOffset? ModifiedAt, string? ETag, string SidecarSignature, bool HasError,
    string? ListingStamp = null, string? FactsSource = null);

/// <summary>A child of a directory as the previous scans left it, with the stamp of its tile when it was read.</summary>
public sealed record KnownEntry(EntryRow Entry, TileStamp? Tile);

/// <summary>A directory's scan state: the last scan it completed, its subtree counts then, and its last listing's outcome.</summary>
public sealed record DirectoryStateRow(long CompletedScan, SubtreeReport Counts, bool ListingFailed, string? ListingError);

/// <summary>Header metadata of one data file.</summary>
public sealed record TileRow
{
    public required string StorageKey { get; init; }
    public required string Path { get; init; }

    /// <summary>Exact size in bytes from the most exact source the protocol gave (<see cref="FactsSource"/>); null when none did.</summary>
    public long? Size { get; init; }
    public DateTimeOffset? ModifiedAt { get; init; }
    public string? ETag { get; init; }

    /// <summary>Where Size, ModifiedAt and ETag come from: "http-response", "http-listing", "ftp-mlsd", "ftp-list", "sftp", "file-system"…</summary>
    public string? FactsSource { get; init; }

    /// <summary>The listing's own facts when the file was read (see <see cref="TileStamp.ListingStamp"/>).</summary>
    public string? ListingStamp { get; init; }
    public string SidecarSignature { get; init; } = "";
    public string? Format { get; init; }
    public string? Classification { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public int? Bands { get; init; }
    public IReadOnlyList<string> BandNames { get; init; } = [];
    public int? BitsPerSample { get; init; }
    public int? Epsg { get; init; }
    public string? CrsName { get; init; }
    public IReadOnlyList<double>? GeoTransform { get; init; }
    public double? Resolution { get; init; }
    public string? Compression { get; init; }

    /// <summary>GeoJSON Polygon in WGS84 (RFC 7946 order), or null without georeferencing.</summary>
    public string? FootprintGeoJson { get; init; }
    public GeoBox? Bounds { get; init; }
    public long BytesRead { get; init; }
    public string? Error { get; init; }
    public long ScanNumber { get; init; }
    public DateTimeOffset ScannedAt { get; init; }

    /// <summary>Where the georeferencing came from: "GeoTIFF", "GeoJP2", "GMLJP2", "WorldFile", "AuxXml", "GML"; null when none.</summary>
    public string? GeoreferenceSource { get; init; }

    /// <summary>The reader's notes on PCRS conformity (empty: conform as far as the header tells); null when never recorded.</summary>
    public IReadOnlyList<string>? ConformityHints { get; init; }

    /// <summary>Vector files: features per class; null otherwise.</summary>
    public IReadOnlyDictionary<string, long>? FeatureCounts { get; init; }

    /// <summary>minX, minY, maxX, maxY in the file's own CRS (<see cref="Epsg"/>); null without georeferencing.</summary>
    public IReadOnlyList<double>? NativeExtent { get; init; }

    /// <summary>GeoTIFF: whether its layout is cloud-optimised (GDAL's rules); null for other formats and rows read before 0260.</summary>
    public bool? CloudOptimized { get; init; }
}

/// <summary>Tiles under a path prefix grouped by what users compare: format, class, CRS and bands.</summary>
public sealed record TileGroup(string? Format, string? Classification, int? Epsg, string? CrsName, IReadOnlyList<string> BandNames, long Count, long Bytes, long Errors);

/// <summary>Tiles a scan read (the others were unchanged) and the bytes it read for them.</summary>
/// <param name="Unreadable">Files of this scan recorded as unreadable for a transient storage reason (read again next scan).</param>
public sealed record ScanReads(long Files, long BytesRead, long Unreadable = 0);

/// <summary>Everything a summary needs under a path prefix: entry counts and tile groups.</summary>
public sealed record CatalogueSummary(long Files, long Directories, IReadOnlyList<TileGroup> Groups);
