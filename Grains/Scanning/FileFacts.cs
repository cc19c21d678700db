using System.Globalization;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// The facts stored for a data file and the rule that says a listed file is unchanged. Two kinds of facts are kept apart:
/// what the listing says (compared with the next listing, rounded sizes included: "51K" stays "51K" while the file does
/// not change) and the file's exact size, modification time and ETag, taken from the most exact source the protocol gave
/// (an HTTP read's Content-Range or Content-Length, Last-Modified and ETag; MLSD facts; SFTP attributes; the file system).
/// </summary>
public static class FileFacts
{
    /// <summary>The catalogue's name of a facts source (pcrs_tiles.facts_source).</summary>
    public static string SourceName(StorageFactsSource source) => source switch
    {
        StorageFactsSource.HttpListing => "http-listing",
        StorageFactsSource.HttpResponse => "http-response",
        StorageFactsSource.FtpList => "ftp-list",
        StorageFactsSource.FtpMlsd => "ftp-mlsd",
        StorageFactsSource.FtpSizeAndMdtm => "ftp-size-mdtm",
        StorageFactsSource.SftpAttributes => "sftp",
        StorageFactsSource.FileSystem => "file-system",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };

    /// <summary>The order for a listed data file: the listing's facts as they are, with whether its size is exact.</summary>
    public static FileAnalysisOrder Order(long scanNumber, StorageEntry file, SidecarInfo[] sidecars, string sidecarSignature) =>
        new(scanNumber, file.Size, file.LastModified, file.ETag, sidecars, sidecarSignature,
            SizeIsExact: file.SizeIsExact, FactsSource: SourceName(file.Source));

    /// <summary>What the listing said of the file, as one comparable text: size ("~" when rounded), modification second, ETag.</summary>
    public static string ListingStamp(FileAnalysisOrder order) => string.Create(CultureInfo.InvariantCulture,
        $"{order.Size?.ToString(CultureInfo.InvariantCulture) ?? "-"}{(order.SizeIsExact ? "" : "~")}|{order.LastModified?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) ?? "-"}|{order.ETag}");

    /// <summary>
    /// The file's exact facts after its header was read: each from the read's answer when the protocol gave it (HTTP
    /// headers), else from the listing when the listing's is exact. A rounded listing size is never stored.
    /// </summary>
    public static (long? Size, DateTimeOffset? ModifiedAt, string? ETag, string? Source) Exact(FileAnalysisOrder order, StorageRangeReader file)
    {
        long? listed = order.SizeIsExact ? order.Size : null;
        bool fromRead = file.ObservedModified is not null || file.ObservedETag is not null
            || (file.ObservedLength is not null && listed is null);
        return (file.ObservedLength ?? listed, file.ObservedModified ?? order.LastModified, file.ObservedETag ?? order.ETag,
            fromRead ? SourceName(StorageFactsSource.HttpResponse) : order.FactsSource);
    }

    /// <summary>
    /// True when the listing still says what it said when the file was read: same listing stamp (or, for rows stored before
    /// stamps, the same exact size and ETag or modification second) and the same sidecars. A listing without any date or
    /// ETag cannot tell an unchanged file from a rewritten one of the same size: such a file goes to its FileGrain, which
    /// asks the protocol for the file's own facts before reading anything.
    /// </summary>
    public static bool IsUnchanged(TileStamp stamp, FileAnalysisOrder order)
    {
        if (stamp.SidecarSignature != order.SidecarSignature)
            return false;
        if (stamp.ListingStamp is not null)
            return stamp.ListingStamp == ListingStamp(order) && (order.ETag is not null || order.LastModified is not null);
        // A row from before listing stamps holds the listing's own facts; a rounded size there is read again once, to be
        // replaced by the exact one.
        if (!order.SizeIsExact || stamp.Size != order.Size)
            return false;
        if (order.ETag is not null && stamp.ETag is not null)
            return order.ETag == stamp.ETag;
        return order.LastModified is not null && stamp.ModifiedAt is not null
            && order.LastModified.Value.ToUnixTimeSeconds() == stamp.ModifiedAt.Value.ToUnixTimeSeconds();
    }
}
