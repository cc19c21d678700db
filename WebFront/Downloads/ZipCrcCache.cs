using System.Globalization;
using Microsoft.Extensions.Caching.Memory;

namespace Pcrs.WebFront.Downloads;

/// <summary>
/// CRC-32 of the tiles this web front has put in an archive, by storage, path, size and modification time: a resumed
/// archive download (a Range past the start) writes the data descriptors and central directory of the entries it skips
/// without reading those files again. Bounded (one slot per file, oldest evicted); a miss only costs a read of that file,
/// so another web front of a cluster resumes correctly, just slower.
/// </summary>
public sealed class ZipCrcCache : IDisposable
{
    /// <summary>Files remembered at most (about 150 bytes each with their keys).</summary>
    public const int Capacity = 1_000_000;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Capacity });

    private static string Key(string storageKey, string path, long size, DateTimeOffset? modified) =>
        string.Create(CultureInfo.InvariantCulture, $"{storageKey}\n{path}\n{size}\n{modified?.UtcTicks}");

    public uint? Find(string storageKey, string path, long size, DateTimeOffset? modified) =>
        _cache.TryGetValue(Key(storageKey, path, size, modified), out uint crc) ? crc : null;

    public void Remember(string storageKey, string path, long size, DateTimeOffset? modified, uint crc) =>
        _cache.Set(Key(storageKey, path, size, modified), crc, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromDays(2) });

    public void Dispose() => _cache.Dispose();
}
