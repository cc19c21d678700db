using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>A branch of a crawl ended by a bound or a loop: recorded as that directory's listing error, the rest goes on.</summary>
public sealed class CrawlBoundException(string message) : Exception(message);

/// <summary>
/// The checks that keep one crawl finite whatever the server answers: a depth bound below the scan root, and loop
/// detection from what the server lists. A link to "." or "..", a redirect to a parent, or a server answering the same
/// page for every path all make a directory list exactly what one of its ancestors listed (same names, kinds, sizes,
/// dates, ETags); such a directory is not crawled further.
/// </summary>
public static class CrawlGuards
{
    /// <summary>Throws when a directory at <paramref name="depth"/> levels below its root is past <paramref name="maxDepth"/>.</summary>
    public static void CheckDepth(int depth, int maxDepth, string path)
    {
        if (depth > maxDepth)
            throw new CrawlBoundException(string.Create(CultureInfo.InvariantCulture,
                $"Crawl bound reached: \"{path}\" is more than {maxDepth} levels below the start path (Scanning:MaxDepth); it is not listed."));
    }

    /// <summary>Throws when the listing of <paramref name="path"/> is the same as an ancestor's (a loop on the server).</summary>
    public static void CheckLoop(string fingerprint, IReadOnlyList<string> ancestry, string path)
    {
        for (int i = ancestry.Count - 1; i >= 0; i--)
        {
            if (!string.Equals(ancestry[i], fingerprint, StringComparison.Ordinal))
                continue;
            string ancestor = Ancestor(path, ancestry.Count - i);
            throw new CrawlBoundException(
                $"Loop: \"{path}\" lists exactly what \"{ancestor}\" lists (a link or redirect to a parent); it is not crawled further.");
        }
    }

    /// <summary>A short digest of a listing: every entry's name, kind, size, date and ETag, in name order.</summary>
    public static string Fingerprint(IEnumerable<StorageEntry> entries)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var line = new StringBuilder();
        foreach (var entry in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
            AppendEntry(hash, line, entry);
        return Convert.ToBase64String(hash.GetHashAndReset(), 0, 16);
    }

    /// <summary>Adds one entry's name, kind, size, date and ETag to a listing digest.</summary>
    internal static void AppendEntry(IncrementalHash hash, StringBuilder line, StorageEntry entry)
    {
        line.Clear().Append(entry.Name).Append('\0').Append((int)entry.Kind).Append('\0')
            .Append(entry.Size?.ToString(CultureInfo.InvariantCulture)).Append('\0')
            .Append(entry.LastModified?.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('\0')
            .Append(entry.ETag).Append('\n');
        hash.AppendData(Encoding.UTF8.GetBytes(line.ToString()));
    }

    /// <summary>UTF-8 bytes of the listed names: what the crawl budget counts as listing bytes.</summary>
    public static long NameBytes(IEnumerable<StorageEntry> entries) => entries.Sum(e => (long)Encoding.UTF8.GetByteCount(e.Name));

    /// <summary>The directory <paramref name="levels"/> levels above <paramref name="path"/>.</summary>
    private static string Ancestor(string path, int levels)
    {
        for (int i = 0; i < levels && path != "/"; i++)
            path = StoragePaths.Parent(path);
        return path;
    }
}

/// <summary>
/// The fingerprint of a listing too large to hold (see <see cref="ScanningOptions.StreamedListingBatch"/>), taken batch by
/// batch in the server's order: a server repeating a large listing repeats it in the same order.
/// </summary>
public sealed class StreamedFingerprint : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly StringBuilder _line = new();

    public void Add(IEnumerable<StorageEntry> entries)
    {
        foreach (var entry in entries)
            CrawlGuards.AppendEntry(_hash, _line, entry);
    }

    /// <summary>The digest, marked apart from <see cref="CrawlGuards.Fingerprint"/>'s (a different order of entries).</summary>
    public string Result() => "s" + Convert.ToBase64String(_hash.GetHashAndReset(), 0, 16);

    public void Dispose() => _hash.Dispose();
}
