namespace Pcrs.Grains.Storage;

/// <summary>
/// Access to one storage (HTTP listing, FTP/FTPS, SFTP or local folder). Paths are absolute on the storage,
/// start with '/', are decoded, and use '/' as separator. Every call honours cancellation and the client's timeouts.
/// Implementations are safe for concurrent use: they pool connections and never exceed the storage's connection limit.
/// </summary>
public interface IStorageClient : IAsyncDisposable
{
    /// <summary>Streams the entries of a directory. Throws <see cref="StorageException"/> when the listing fails: a failed listing is never empty.</summary>
    IAsyncEnumerable<StorageEntry> ListAsync(string directoryPath, CancellationToken cancellationToken);

    /// <summary>Size, modification time and kind of one path; null when it does not exist.</summary>
    Task<StorageEntry?> StatAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <c>buffer.Length</c> bytes of a file at <paramref name="offset"/>, fetching no more than needed.
    /// Returns the bytes read (fewer only at end of file) and the file's exact total length when the protocol told it.
    /// </summary>
    Task<RangeReadResult> ReadRangeAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Opens a forward-only stream of the file from <paramref name="offset"/> (downloads). The caller disposes it, which releases the connection.</summary>
    Task<Stream> OpenReadAsync(string path, long offset, CancellationToken cancellationToken);
}

/// <summary>
/// Result of a range read: bytes copied into the caller's buffer and, when known, the file's exact total length. HTTP also
/// gives the response's Last-Modified and ETag: the file's own facts, more exact than anything a listing page prints.
/// </summary>
public readonly record struct RangeReadResult(int BytesRead, long? TotalLength, DateTimeOffset? LastModified = null, string? ETag = null);
