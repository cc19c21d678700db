namespace Pcrs.Grains.Formats;

/// <summary>
/// A range reader over bytes already in memory (an embedded GeoTIFF inside a GeoJP2 box, a test fixture).
/// Reads complete synchronously, which lets callers decode in-memory data without blocking on I/O.
/// </summary>
public sealed class MemoryRangeReader(string name, ReadOnlyMemory<byte> data) : IRangeReader
{
    public string Name { get; } = name;

    public long? Length => data.Length;

    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (offset < 0 || offset >= data.Length)
        {
            return ValueTask.FromResult(0);
        }

        int count = (int)Math.Min(buffer.Length, data.Length - offset);
        data.Span.Slice((int)offset, count).CopyTo(buffer.Span);
        return ValueTask.FromResult(count);
    }
}
