namespace Pcrs.Grains.Storage;

/// <summary>What a listing says of one name in a directory.</summary>
public enum StorageEntryKind
{
    File,
    Directory,
    Link,
}

/// <summary>
/// Where the size, modification time and ETag of an entry or a read come from, so the catalogue can say which source
/// it stored. Listed from the least to the most direct: a listing page prints what the server chose to show, the
/// others are the protocol's own facts.
/// </summary>
public enum StorageFactsSource
{
    /// <summary>Numbers printed on an HTTP listing page (sizes may be rounded: see <see cref="StorageEntry.SizeIsExact"/>).</summary>
    HttpListing,

    /// <summary>The headers of an HTTP response for the file itself: Content-Range or Content-Length, Last-Modified, ETag.</summary>
    HttpResponse,

    /// <summary>A line of an FTP LIST answer (exact size, time to the minute or the day).</summary>
    FtpList,

    /// <summary>FTP MLSD/MLST facts (exact size, time to the second, UTC).</summary>
    FtpMlsd,

    /// <summary>The answers to FTP SIZE and MDTM for one file.</summary>
    FtpSizeAndMdtm,

    /// <summary>SFTP file attributes.</summary>
    SftpAttributes,

    /// <summary>The local file system's metadata.</summary>
    FileSystem,
}

/// <summary>
/// One entry of a directory listing. <see cref="Name"/> is decoded (no percent-encoding), without any slash.
/// <see cref="Size"/> is null when the listing gives none. On HTTP listings it may be rounded ("51K", "2.2M"):
/// <see cref="SizeIsExact"/> is then false, and such a size is a listing fact to compare with the next listing, never a
/// file size to store or to read through (the exact length comes from the first read's Content-Range).
/// </summary>
public sealed record StorageEntry(
    string Name,
    StorageEntryKind Kind,
    long? Size,
    DateTimeOffset? LastModified,
    string? ETag = null,
    bool SizeIsExact = true,
    StorageFactsSource Source = StorageFactsSource.HttpListing)
{
    /// <summary>The size when it is exact; null when the listing gave none or rounded it.</summary>
    public long? ExactSize => SizeIsExact ? Size : null;
}
