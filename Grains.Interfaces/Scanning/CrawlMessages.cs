namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// Asks a DirectoryGrain to take part in scan <see cref="ScanNumber"/>. Idempotent: a directory already done for this
/// scan reports again at once; one still running re-sends the order to its pending children (the watchdog's way down).
/// </summary>
/// <param name="ScanNumber">The storage's scan number N.</param>
/// <param name="ParentPath">Directory path of the parent to report to; null for a root, which reports to the StorageGrain.</param>
/// <param name="Depth">Levels below the scan root (a deliverable's start path): 0 for a root.</param>
/// <param name="Ancestry">Listing fingerprints of the ancestors up to the root, root first (loop detection); null for a root.</param>
/// <param name="Root">The scan root this directory is under (its per-deliverable crawl budget); null for a root itself.</param>
[GenerateSerializer, Immutable, Alias("pcrs.DirectoryScanOrder")]
public sealed record DirectoryScanOrder(
    [property: Id(0)] long ScanNumber,
    [property: Id(1)] string? ParentPath,
    [property: Id(2)] int Depth = 0,
    [property: Id(3)] string[]? Ancestry = null,
    [property: Id(4)] string? Root = null);

/// <summary>
/// Counts of a directory's whole subtree for one scan, taken from its listings (so they are exact even when a
/// scan resumed after a silo died). <see cref="FailedListings"/> counts directories whose listing failed,
/// <see cref="UnreadableListings"/> those of them that failed for a transient reason (server down, timeout, 5xx): the
/// scan then ends "partial"; <see cref="BoundedListings"/> those ended by a crawl bound or a loop (the scan ends
/// "partial" too, the rest of the tree being read). Both are kept in the catalogue with the directory's counts.
/// </summary>
[GenerateSerializer, Immutable, Alias("pcrs.SubtreeReport")]
public sealed record SubtreeReport(
    [property: Id(0)] long Directories,
    [property: Id(1)] long Files,
    [property: Id(2)] long DataFiles,
    [property: Id(3)] long TotalBytes,
    [property: Id(4)] long Errors,
    [property: Id(5)] long FailedListings,
    [property: Id(6)] string? FirstError,
    [property: Id(7)] long UnreadableListings = 0,
    [property: Id(8)] long BoundedListings = 0)
{
    public static SubtreeReport Zero { get; } = new(0, 0, 0, 0, 0, 0, null);

    public SubtreeReport Add(SubtreeReport other) => new(
        Directories + other.Directories,
        Files + other.Files,
        DataFiles + other.DataFiles,
        TotalBytes + other.TotalBytes,
        Errors + other.Errors,
        FailedListings + other.FailedListings,
        FirstError ?? other.FirstError,
        UnreadableListings + other.UnreadableListings,
        BoundedListings + other.BoundedListings);
}

/// <summary>
/// A sidecar seen in the same listing as a data file (world file, .prj, .aux.xml), handed to the FileGrain.
/// <see cref="Size"/> is the listing's; when <see cref="SizeIsExact"/> is false it was rounded ("1.2K") and is never
/// used to bound a read.
/// </summary>
[GenerateSerializer, Immutable, Alias("pcrs.SidecarInfo")]
public sealed record SidecarInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] long? Size,
    [property: Id(2)] DateTimeOffset? LastModified,
    [property: Id(3)] bool SizeIsExact = true);

/// <summary>
/// Asks a FileGrain to read the header of a new or changed data file, as listed in scan <see cref="ScanNumber"/>.
/// Size, LastModified and ETag are what the listing said (the size maybe rounded: <see cref="SizeIsExact"/>, facts from
/// <see cref="FactsSource"/>); the FileGrain stores the file's exact facts from the read when the protocol gives them.
/// </summary>
[GenerateSerializer, Immutable, Alias("pcrs.FileAnalysisOrder")]
public sealed record FileAnalysisOrder(
    [property: Id(0)] long ScanNumber,
    [property: Id(1)] long? Size,
    [property: Id(2)] DateTimeOffset? LastModified,
    [property: Id(3)] string? ETag,
    [property: Id(4)] SidecarInfo[] Sidecars,
    [property: Id(5)] string SidecarSignature,
    [property: Id(6)] bool IsRetry = false,
    [property: Id(7)] bool SizeIsExact = true,
    [property: Id(8)] string? FactsSource = null);

/// <summary>
/// What a FileGrain answers: small counts only; the tile itself went to the catalogue. <see cref="Unchanged"/>: the
/// protocol said the file is the one stored (its listing could not), and nothing was read.
/// </summary>
[GenerateSerializer, Immutable, Alias("pcrs.FileAnalysisResult")]
public sealed record FileAnalysisResult(
    [property: Id(0)] long BytesRead,
    [property: Id(1)] string? Error,
    [property: Id(2)] string? Format,
    [property: Id(3)] long? Size = null,
    [property: Id(4)] bool Unchanged = false);
