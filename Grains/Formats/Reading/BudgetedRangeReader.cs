namespace Pcrs.Grains.Formats.Reading;

/// <summary>
/// Counts every byte fetched from the storage for one file and refuses a read that would go past the per-file budget,
/// so no header, however crafted, can make the scanner download a whole tile.
/// </summary>
public sealed class BudgetedRangeReader(IRangeReader inner, long budget) : IRangeReader
{
    private long _bytesRead;

    public string Name => inner.Name;

    public long? Length => inner.Length;

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public long Budget { get; } = budget;

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (BytesRead + buffer.Length > Budget)
        {
            throw new ByteBudgetExceededException(Budget);
        }

        int n = await inner.ReadAsync(offset, buffer, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _bytesRead, Math.Max(0, n));
        return n;
    }
}
