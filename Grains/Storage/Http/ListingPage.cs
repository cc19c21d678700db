namespace Pcrs.Grains.Storage.Http;

/// <summary>A downloaded listing page: raw bytes, the declared content type and the URL it finally came from.</summary>
/// <param name="DirectoryPath">Decoded storage path of the listed directory (no trailing slash except for the root).</param>
/// <param name="BaseUri">URL the page was served from, used to resolve relative hrefs.</param>
public sealed record ListingPage(byte[] Body, int Length, string? ContentType, string? CharSet, string DirectoryPath, Uri BaseUri);

/// <summary>
/// Collects a page's entries as they are read: drops repeated names, enforces the entry limit and hands entries out in
/// page order. The last <see cref="Window"/> entries are held back so that a repeated name close behind (Apache's icon
/// link, then its name link) can still fill in a missing size or date; what is handed out is no longer held, only its
/// name (to drop a repeat further down).
/// </summary>
internal sealed class ListingCollector(int maxEntries, string directoryPath)
{
    /// <summary>Entries held back for a repeat to complete: a link and its repeat sit on the same line or row.</summary>
    internal const int Window = 16;

    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<StorageEntry> _held = [];

    /// <summary>Distinct entries so far.</summary>
    public int Count => _names.Count;

    /// <summary>Adds an entry; a repeated name still held only fills in missing size or date, one already handed out is dropped.</summary>
    public void Add(StorageEntry entry)
    {
        if (!_names.Add(entry.Name))
        {
            int at = _held.FindIndex(e => e.Name == entry.Name);
            if (at < 0)
                return;
            var known = _held[at];
            if (known.Size is null && entry.Size is not null)
                known = known with { Size = entry.Size, SizeIsExact = entry.SizeIsExact };
            if (known.LastModified is null && entry.LastModified is not null)
                known = known with { LastModified = entry.LastModified };
            _held[at] = known;
            return;
        }
        if (_names.Count > maxEntries)
            throw new StorageException(StorageErrorKind.Protocol,
                $"The listing of \"{directoryPath}\" has more than {maxEntries} entries; refusing to read more.");
        _held.Add(entry);
    }

    /// <summary>The oldest entry past the window; with <paramref name="final"/> (the page is read), any held.</summary>
    public bool TryTake(bool final, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out StorageEntry entry)
    {
        if (_held.Count > (final ? 0 : Window))
        {
            entry = _held[0];
            _held.RemoveAt(0);
            return true;
        }
        entry = null;
        return false;
    }

    /// <summary>Names that cannot be a single path segment, or are unsafe on any protocol, are left out.</summary>
    public static bool IsAcceptableName(string name) =>
        name.Length > 0 && name != "." && name != ".." && !name.Contains('/') && !name.Any(c => c < 0x20 || c == 0x7F);
}
