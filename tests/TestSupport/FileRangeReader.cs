using Pcrs.Grains.Formats;

namespace Pcrs.TestSupport;

/// <summary>
/// A range reader over a local file that records every range asked for, so tests can assert how many bytes a
/// reader fetched and where. Thread-safe enough for one reader at a time, which is how readers use it.
/// </summary>
public sealed class FileRangeReader(string path) : IRangeReader
{
    private readonly List<(long Offset, int Count)> _ranges = [];

    public string Name { get; } = System.IO.Path.GetFileName(path);

    public string Path { get; } = path;

    public long? Length { get; } = new FileInfo(path).Length;

    public long BytesRead { get; private set; }

    public IReadOnlyList<(long Offset, int Count)> Ranges => _ranges;

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: false);
        if (offset >= stream.Length)
        {
            _ranges.Add((offset, 0));
            return 0;
        }

        stream.Position = offset;
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        _ranges.Add((offset, total));
        BytesRead += total;
        return total;
    }
}
