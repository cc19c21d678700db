namespace Pcrs.Grains.Formats;

/// <summary>
/// Random access to the bytes of one remote or local file. Format readers see nothing else of a storage:
/// the scanning layer adapts a storage client to this, so readers stay protocol-free and testable on arrays.
/// </summary>
public interface IRangeReader
{
    /// <summary>Name of the file (last path segment), used for extension-based hints and error messages.</summary>
    string Name { get; }

    /// <summary>Exact length in bytes when known (from the listing or a Content-Range); null otherwise.</summary>
    long? Length { get; }

    /// <summary>
    /// Reads up to <c>buffer.Length</c> bytes at <paramref name="offset"/>. Returns fewer bytes only at end of file.
    /// Implementations count every byte fetched so callers can report bytes read per file.
    /// </summary>
    ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken);
}
