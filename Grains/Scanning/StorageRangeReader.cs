using Pcrs.Grains.Formats;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// Adapts one file of a storage client to the format readers' <see cref="IRangeReader"/>, counting every byte fetched
/// (the scan verb's and the progress' bytesRead) and keeping what the protocol said of the file while reading it.
/// </summary>
/// <param name="length">The exact length when already known (never a listing's rounded size: that would cut or pad reads).</param>
public sealed class StorageRangeReader(IStorageClient client, string path, long? length) : IRangeReader
{
    private long _bytesRead;
    private long? _length = length;

    public string Name => StoragePaths.FileName(path);

    public long? Length => _length;

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>The exact length a read's answer gave (Content-Range, Content-Length, end of transfer), if any did.</summary>
    public long? ObservedLength { get; private set; }

    /// <summary>Last-Modified of a read's answer (HTTP), if any.</summary>
    public DateTimeOffset? ObservedModified { get; private set; }

    /// <summary>ETag of a read's answer (HTTP), if any.</summary>
    public string? ObservedETag { get; private set; }

    /// <summary>
    /// The last storage failure a read of this file met (the format readers turn every exception into an error sentence,
    /// so the scanner would otherwise not know that the server, not the bytes, failed).
    /// </summary>
    public StorageException? LastFailure { get; private set; }

    /// <summary>A failure of a read that was not the storage's answer (see <see cref="ReadAsync"/>), if one happened.</summary>
    public Exception? Interruption { get; private set; }

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        RangeReadResult result;
        try
        {
            result = await client.ReadRangeAsync(path, offset, buffer, cancellationToken);
        }
        catch (StorageException e)
        {
            LastFailure = e;
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not the server's answer (the protocol clients turn those into StorageException): this side closed the
            // connection under the read (its client was closed, its silo is stopping). The format readers turn it into
            // an error sentence like any other; the scanner must not record that as the file's.
            Interruption = e;
            throw;
        }
        Interlocked.Add(ref _bytesRead, result.BytesRead);
        if (result.TotalLength is { } total)
            _length = ObservedLength = total;
        ObservedModified = result.LastModified ?? ObservedModified;
        ObservedETag = result.ETag ?? ObservedETag;
        return result.BytesRead;
    }
}
