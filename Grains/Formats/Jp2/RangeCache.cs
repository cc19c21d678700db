namespace Pcrs.Grains.Formats.Jp2;

/// <summary>
/// The byte ranges of one file fetched so far. Reads served from what is held cost nothing; the rest is fetched in one
/// request per call (at least <see cref="MinimumFetch"/> bytes, so the next box header usually comes along) and counted.
/// The total is capped by the per-file byte budget.
/// </summary>
internal sealed class RangeCache(IRangeReader file, long budget, CancellationToken cancellationToken)
{
    public const int MinimumFetch = 4096;

    private readonly List<(long Offset, byte[] Data)> _segments = [];

    public long BytesRead { get; private set; }

    /// <summary>File length when known; reads past it return nothing.</summary>
    public long? Length { get; private set; } = file.Length;

    /// <summary>The bytes already held from <paramref name="offset"/> on (at most <paramref name="maxCount"/>), without fetching.</summary>
    public ReadOnlyMemory<byte> Held(long offset, int maxCount)
    {
        foreach (var (start, data) in _segments)
        {
            if (offset >= start && offset < start + data.Length)
            {
                int available = (int)Math.Min(maxCount, start + data.Length - offset);
                return data.AsMemory((int)(offset - start), available);
            }
        }

        return ReadOnlyMemory<byte>.Empty;
    }

    /// <summary>
    /// Returns up to <paramref name="count"/> bytes at <paramref name="offset"/> (fewer at end of file).
    /// <paramref name="fetchAtLeast"/> widens a fetch that has to happen anyway (head reads, tails).
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> GetAsync(long offset, int count, int fetchAtLeast = MinimumFetch)
    {
        if (offset < 0 || count <= 0 || (Length is long length && offset >= length))
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (Length is long known)
        {
            count = (int)Math.Min(count, known - offset);
        }

        foreach (var (start, data) in _segments)
        {
            if (offset >= start && offset + count <= start + data.Length)
            {
                return data.AsMemory((int)(offset - start), count);
            }
        }

        int fetch = Math.Max(count, fetchAtLeast);
        if (Length is long total)
        {
            fetch = (int)Math.Min(fetch, total - offset);
        }

        if (BytesRead + fetch > budget)
        {
            fetch = (int)Math.Max(count, budget - BytesRead);
            if (BytesRead + fetch > budget)
            {
                throw new FormatReadException($"Reading the header would exceed the byte budget of {budget} bytes for this file.");
            }
        }

        byte[] buffer = new byte[fetch];
        int read = 0;
        while (read < fetch)
        {
            int n = await file.ReadAsync(offset + read, buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n <= 0)
            {
                break;
            }

            read += n;
        }

        BytesRead += read;
        if (read < fetch)
        {
            // A short read means end of file: now the length is known even if the listing did not say it.
            Length = offset + read;
            Array.Resize(ref buffer, read);
        }

        _segments.Add((offset, buffer));
        return buffer.AsMemory(0, Math.Min(count, read));
    }
}
