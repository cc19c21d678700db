namespace Pcrs.Grains.Storage.Http;

/// <summary>A downloaded listing page: raw bytes, the declared content type and the URL it finally came from.</summary>
/// <param name="DirectoryPath">Decoded storage path of the listed directory (no trailing slash except for the root).</param>
/// <param name="BaseUri">URL the page was served from, used to resolve relative hrefs.</param>
public sealed record ListingPage(byte[] Body, int Length, string? ContentType, string? CharSet, string DirectoryPath, Uri BaseUri);

/// <summary>Collects entries from a page, dropping duplicates and enforcing the entry limit.</summary>
internal sealed class ListingCollector(int maxEntries, string directoryPath)
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public List<StorageEntry> Entries { get; } = [];

    /// <summary>Adds an entry; a repeated name (Apache's icon link and name link) only fills in missing size or date.</summary>
    public void Add(StorageEntry entry)
    {
        if (_index.TryGetValue(entry.Name, out int at))
        {
            var known = Entries[at];
            if (known.Size is null && entry.Size is not null)
                known = known with { Size = entry.Size, SizeIsExact = entry.SizeIsExact };
            if (known.LastModified is null && entry.LastModified is not null)
                known = known with { LastModified = entry.LastModified };
            Entries[at] = known;
            return;
        }
        if (Entries.Count >= maxEntries)
            throw new StorageException(StorageErrorKind.Protocol,
                $"The listing of \"{directoryPath}\" has more than {maxEntries} entries; refusing to read more.");
        _index[entry.Name] = Entries.Count;
        Entries.Add(entry);
    }

    /// <summary>Names that cannot be a single path segment, or are unsafe on any protocol, are left out.</summary>
    public static bool IsAcceptableName(string name) =>
        name.Length > 0 && name != "." && name != ".." && !name.Contains('/') && !name.Any(c => c < 0x20 || c == 0x7F);
}
