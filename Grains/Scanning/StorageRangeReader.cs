using Pcrs.Grains.Formats;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// Adapts one file of a storage client to the format readers' <see cref="IRangeReader"/>, counting every byte fetched
/// (the scan verb's and the progress' bytesRead).
/// </summary>
public sealed class StorageRangeReader(IStorageClient client, string path, long? length) : IRangeReader
{
    private long _bytesRead;
    private long? _length = length;

    public string Name => StoragePaths.FileName(path);

    public long? Length => _length;

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>
    /// The last storage failure a read of this file met (the format readers turn every exception into an error sentence,
    /// so the scanner would otherwise not know that the server, not the bytes, failed).
    /// </summary>
    public StorageException? LastFailure { get; private set; }

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
        Interlocked.Add(ref _bytesRead, result.BytesRead);
        if (result.TotalLength is { } total)
            _length = total;
        return result.BytesRead;
    }
}
