namespace Pcrs.Grains.Storage.Ftp;

/// <summary>What one line of a directory listing turned out to be.</summary>
internal enum FtpListLineKind
{
    /// <summary>An entry of the directory.</summary>
    Entry,
    /// <summary>A line that carries no entry: "total 12", ".", "..", a blank line, a device file.</summary>
    Skip,
    /// <summary>A line in no format we know. The listing fails rather than silently dropping a file.</summary>
    Unrecognized,
}

internal readonly record struct FtpListLine(FtpListLineKind Kind, StorageEntry? Entry)
{
    public static FtpListLine Skip { get; } = new(FtpListLineKind.Skip, null);
    public static FtpListLine Unrecognized { get; } = new(FtpListLineKind.Unrecognized, null);
    public static FtpListLine Of(StorageEntry entry) => new(FtpListLineKind.Entry, entry);
}
