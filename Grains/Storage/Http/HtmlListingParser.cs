using System.Text.RegularExpressions;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// Reads any HTML directory listing the way rclone's HTTP backend does: the links to direct children of the listed
/// directory are its entries, a trailing '/' marks a directory. Names come from hrefs, never from link text (nginx and
/// WEBrick truncate long names in the text). Parent links, sort links (<c>?C=N;O=D</c>), other hosts and paths that are
/// not direct children are ignored. Sizes and dates are read where the styles this parser knows print them (Apache,
/// nginx, lighttpd, IIS, Caddy, WEBrick, mini_httpd, webfs…): from the table row, or from the text on the same line as
/// the link (after it, or before it as IIS and webfs print). Whatever a page leaves out or rounds, the protocol tells
/// (see <see cref="StorageEntry.SizeIsExact"/>). A page in no known style is still a listing when it links to an entry
/// below the directory or back to its parent ("../"); otherwise it is refused: an error or login page served with 200
/// must never be taken for an empty directory.
/// </summary>
public static partial class HtmlListingParser
{
    /// <summary>Characters of text read after an anchor for its date and size.</summary>
    internal const int MaxContextChars = 400;

    /// <summary>The whole listing at once (small pages and tests); <see cref="Read"/> streams it.</summary>
    public static List<StorageEntry> Parse(ListingPage page, int maxEntries) => [.. Read(page, maxEntries)];

    /// <summary>
    /// The page's entries in page order, each handed out as soon as the page has been read past its context
    /// (<see cref="HtmlListingReader"/>): a listing of a million links is never held whole, only its bytes.
    /// </summary>
    public static IEnumerable<StorageEntry> Read(ListingPage page, int maxEntries)
    {
        ArgumentNullException.ThrowIfNull(page);
        var directory = DecodedSegments(page.BaseUri.AbsolutePath, rawBytes: false, out _)
            ?? throw new StorageException(StorageErrorKind.Protocol, $"The listing URL of \"{page.DirectoryPath}\" cannot be interpreted.");
        return ReadEntries(page, maxEntries, directory);
    }

    private static IEnumerable<StorageEntry> ReadEntries(ListingPage page, int maxEntries, List<string> directory)
    {
        var reader = new HtmlListingReader(page, maxEntries, directory);
        bool more = true;
        while (more)
        {
            more = reader.Step();
            while (reader.Collector.TryTake(final: !more, out var entry))
                yield return entry;
        }
        if (reader.Collector.Count == 0 && !reader.LinksToParent && !LooksLikeListing(reader))
            throw new StorageException(StorageErrorKind.Protocol,
                $"The page served for \"{page.DirectoryPath}\" is not a directory listing: it links to no entry below the directory and not back to its parent.");
    }

    /// <summary>Elements that end the text read before or after an anchor: the next entry's line starts there.</summary>
    internal static bool IsStopper(string element) => element is "a" or "br" or "li" or "tr" or "p" or "div";

    private static bool LooksLikeListing(HtmlListingReader page)
    {
        string heading = page.Heading;
        if (heading.Contains("Index of", StringComparison.OrdinalIgnoreCase)
            || heading.Contains("Directory listing for", StringComparison.OrdinalIgnoreCase)
            || heading.Contains("Directory Listing", StringComparison.OrdinalIgnoreCase)
            || IisTitle().IsMatch(page.Title))
            return true;
        return page.DirectoryListingTable || page.ParentDirectoryInPre;
    }

    /// <summary>Accepts an href only when it names a direct child of the listed directory on the same origin.</summary>
    internal static bool TryChildName(string href, Uri baseUri, List<string> directory, bool rawBytes, out string name, out bool isDirectory)
    {
        name = "";
        isDirectory = false;
        href = href.Trim();
        // Sort links (?C=N;O=D) and any other query are never entries; a fragment alone points into the page itself.
        if (href.Length == 0 || href[0] == '#' || href.Contains('?'))
            return false;
        int hash = href.IndexOf('#');
        if (hash >= 0)
            href = href[..hash];

        string path;
        if (href.StartsWith("//", StringComparison.Ordinal) || Scheme().IsMatch(href))
        {
            if (!Uri.TryCreate(baseUri, href, out var absolute)
                || !string.Equals(absolute.Scheme, baseUri.Scheme, StringComparison.OrdinalIgnoreCase)
                || !string.Equals(absolute.IdnHost, baseUri.IdnHost, StringComparison.OrdinalIgnoreCase)
                || absolute.Port != baseUri.Port)
                return false;
            int authority = href.IndexOf("//", StringComparison.Ordinal) + 2;
            int slash = href.IndexOf('/', authority);
            path = slash < 0 ? "/" : href[slash..];
        }
        else if (href.StartsWith('/'))
        {
            path = href;
        }
        else
        {
            string basePath = baseUri.AbsolutePath;
            path = basePath[..(basePath.LastIndexOf('/') + 1)] + href;
        }

        var segments = DecodedSegments(path, rawBytes, out isDirectory);
        if (segments is null || segments.Count != directory.Count + 1)
            return false;
        for (int i = 0; i < directory.Count; i++)
        {
            if (!string.Equals(segments[i], directory[i], StringComparison.Ordinal))
                return false;
        }
        name = segments[^1];
        return ListingCollector.IsAcceptableName(name);
    }

    /// <summary>Splits an escaped URL path into decoded segments, applying "." and ".." as a browser would; null when it climbs above the root.</summary>
    private static List<string>? DecodedSegments(string escapedPath, bool rawBytes, out bool trailingSlash)
    {
        trailingSlash = escapedPath.EndsWith('/');
        var segments = new List<string>();
        foreach (string raw in escapedPath.Split('/'))
        {
            if (raw.Length == 0)
                continue;
            string segment = HrefNames.DecodeSegment(raw, rawBytes);
            if (segment == ".")
                continue;
            if (segment == "..")
            {
                if (segments.Count == 0)
                    return null;
                segments.RemoveAt(segments.Count - 1);
                continue;
            }
            segments.Add(segment);
        }
        return segments;
    }

    /// <summary>Date and size from the text on the anchor's line: after it first, else before it (IIS, webfs), else a bare size after it.</summary>
    internal static (DateTimeOffset? Modified, long? Size, bool Exact) ReadContext(string after, string before)
    {
        foreach (var (text, isBefore) in new[] { (after, false), (before, true) })
        {
            var modified = ListingValues.FindDate(text, out string rest);
            if (modified is null)
                continue;
            // Before the link (IIS, webfs's ls-like lines), the size is the number nearest to it: owner columns may be numbers too.
            return ListingValues.FindSize(rest, out long size, out bool exact, last: isBefore) ? (modified, size, exact) : (modified, null, true);
        }
        return ListingValues.FindSize(after, out long bare, out bool bareExact) ? (null, bare, bareExact) : (null, null, true);
    }

    /// <summary>Date and size from the other cells of the anchor's table row: a machine date (Caddy's &lt;time&gt;) first.</summary>
    internal static (DateTimeOffset? Modified, long? Size, bool Exact) ReadRow(IEnumerable<(string Text, string? MachineDate)> otherCells)
    {
        DateTimeOffset? modified = null;
        long? size = null;
        bool exact = true;
        foreach (var (text, machineDate) in otherCells)
        {
            if (modified is null && ListingValues.MachineDate(machineDate) is { } stamped)
            {
                modified = stamped;
                continue;
            }
            if (modified is null && ListingValues.FindDate(text, out _) is { } date)
            {
                modified = date;
                continue;
            }
            if (size is null && ListingValues.TryParseSize(text, out long value, out bool valueExact))
            {
                size = value;
                exact = valueExact;
            }
        }
        return (modified, size, exact);
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*:", RegexOptions.NonBacktracking)]
    private static partial Regex Scheme();

    /// <summary>IIS titles its listings "host - /path/".</summary>
    [GeneratedRegex(@"^\s*\S+\s+-\s+/", RegexOptions.NonBacktracking)]
    private static partial Regex IisTitle();
}
