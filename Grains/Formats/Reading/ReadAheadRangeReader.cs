namespace Pcrs.Grains.Formats.Reading;

/// <summary>
/// Serves a format reader's many small reads from a few larger fetches: the head of the file is read once up front,
/// then each miss fetches a block that grows (4 KB, 8 KB, 16 KB…) as misses repeat, the way GDAL's /vsicurl/ grows
/// its chunks. Fetched blocks are kept, so a value read twice costs one fetch. Not thread-safe: one reader per file.
/// </summary>
public sealed class ReadAheadRangeReader : IRangeReader
{
    private const int MaxBlocks = 64;
    private const int MaxFetchBytes = 1024 * 1024;

    private readonly IRangeReader _inner;
    private readonly int _minFetchBytes;
    private readonly List<(long Offset, byte[] Data)> _blocks = [];
    private int _misses;

    public ReadAheadRangeReader(IRangeReader inner, int minFetchBytes)
    {
        _inner = inner;
        _minFetchBytes = Math.Max(256, minFetchBytes);
    }

    public string Name => _inner.Name;

    public long? Length => _inner.Length;

    /// <summary>Fetches the first <paramref name="headBytes"/> bytes (fewer when the file is shorter) and returns them.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadHeadAsync(int headBytes, CancellationToken cancellationToken)
    {
        int size = Length is long length ? (int)Math.Min(headBytes, length) : headBytes;
        byte[] head = await FetchAsync(0, size, cancellationToken).ConfigureAwait(false);
        return head;
    }

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int copied = 0;
        while (copied < buffer.Length)
        {
            long position = offset + copied;
            if (Length is long length && position >= length)
            {
                break;
            }

            (long blockOffset, byte[] data) = FindBlock(position);
            if (data is null)
            {
                int want = Math.Max(buffer.Length - copied, BlockSize());
                _misses++;
                data = await FetchAsync(position, want, cancellationToken).ConfigureAwait(false);
                blockOffset = position;
                if (data.Length == 0)
                {
                    break;
                }
            }

            int start = (int)(position - blockOffset);
            int count = Math.Min(data.Length - start, buffer.Length - copied);
            if (count <= 0)
            {
                break;
            }

            data.AsSpan(start, count).CopyTo(buffer.Span[copied..]);
            copied += count;
        }

        return copied;
    }

    private int BlockSize() => (int)Math.Min(MaxFetchBytes, (long)_minFetchBytes << Math.Min(_misses, 12));

    private (long Offset, byte[] Data) FindBlock(long position)
    {
        foreach ((long offset, byte[] data) in _blocks)
        {
            if (position >= offset && position < offset + data.Length)
            {
                return (offset, data);
            }
        }

        return (0, null!);
    }

    private async ValueTask<byte[]> FetchAsync(long offset, int count, CancellationToken cancellationToken)
    {
        if (Length is long length)
        {
            count = (int)Math.Max(0, Math.Min(count, length - offset));
        }

        // Do not re-fetch bytes a later block already holds: stop this fetch where the next known block starts.
        foreach ((long blockOffset, byte[] data) in _blocks)
        {
            if (blockOffset > offset && blockOffset < offset + count)
            {
                count = (int)(blockOffset - offset);
            }
        }

        byte[] buffer = new byte[count];
        int total = 0;
        while (total < count)
        {
            int n = await _inner.ReadAsync(offset + total, buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (n <= 0)
            {
                break;
            }

            total += n;
        }

        if (total < count)
        {
            Array.Resize(ref buffer, total);
        }

        if (total > 0 && _blocks.Count < MaxBlocks)
        {
            _blocks.Add((offset, buffer));
        }

        return buffer;
    }
}
