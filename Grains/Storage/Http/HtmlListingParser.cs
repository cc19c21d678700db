using System.Text;
using System.Text.RegularExpressions;
using HtmlAgilityPack;

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
    private const int MaxContextChars = 400;

    public static List<StorageEntry> Parse(ListingPage page, int maxEntries)
    {
        ArgumentNullException.ThrowIfNull(page);
        (string html, bool rawBytes) = DecodeBody(page);
        var document = new HtmlDocument();
        document.LoadHtml(html);
        bool knownStyle = LooksLikeListing(document);
        bool linksToParent = false;

        var directory = DecodedSegments(page.BaseUri.AbsolutePath, rawBytes: false, out _);
        if (directory is null)
            throw new StorageException(StorageErrorKind.Protocol, $"The listing URL of \"{page.DirectoryPath}\" cannot be interpreted.");
        var collector = new ListingCollector(maxEntries, page.DirectoryPath);
        foreach (var anchor in document.DocumentNode.Descendants("a"))
        {
            string? href = anchor.Attributes["href"]?.DeEntitizeValue;
            if (href is null)
                continue;
            if (!TryChildName(href, page.BaseUri, directory, rawBytes, out string name, out bool isDirectory))
            {
                linksToParent |= href.Trim() is ".." or "../";
                continue;
            }
            var (modified, size, exact) = ReadContext(anchor);
            collector.Add(isDirectory
                ? new StorageEntry(name, StorageEntryKind.Directory, null, modified)
                : new StorageEntry(name, StorageEntryKind.File, size, modified, SizeIsExact: exact));
        }
        if (!knownStyle && !linksToParent && collector.Entries.Count == 0)
            throw new StorageException(StorageErrorKind.Protocol,
                $"The page served for \"{page.DirectoryPath}\" is not a directory listing: it links to no entry below the directory and not back to its parent.");
        return collector.Entries;
    }

    /// <summary>
    /// UTF-8 when the page is valid UTF-8 and declares nothing else; otherwise Latin-1, which maps every byte to one
    /// character so raw non-ASCII bytes in hrefs survive and <see cref="HrefNames"/> can rebuild them.
    /// </summary>
    private static (string Html, bool RawBytes) DecodeBody(ListingPage page)
    {
        var body = page.Body.AsSpan(0, page.Length);
        string charset = page.CharSet?.Trim('"', ' ').ToLowerInvariant() ?? "";
        bool declaredUtf8 = charset is "" or "utf-8" or "utf8";
        if (declaredUtf8 && System.Text.Unicode.Utf8.IsValid(body))
            return (Encoding.UTF8.GetString(body), false);
        return (Encoding.Latin1.GetString(body), true);
    }

    private static bool LooksLikeListing(HtmlDocument document)
    {
        var root = document.DocumentNode;
        string heading = string.Join(" ",
            new[] { root.SelectSingleNode("//title"), root.SelectSingleNode("//h1"), root.SelectSingleNode("//h2") }
                .Where(n => n is not null).Select(n => HtmlEntity.DeEntitize(n!.InnerText)));
        if (heading.Contains("Index of", StringComparison.OrdinalIgnoreCase)
            || heading.Contains("Directory listing for", StringComparison.OrdinalIgnoreCase)
            || heading.Contains("Directory Listing", StringComparison.OrdinalIgnoreCase)
            || IisTitle().IsMatch(HtmlEntity.DeEntitize(root.SelectSingleNode("//title")?.InnerText ?? "")))
            return true;
        if (root.SelectSingleNode("//table[@summary='Directory Listing']") is not null)
            return true;
        return root.SelectSingleNode("//pre")?.InnerText.Contains("[To Parent Directory]", StringComparison.OrdinalIgnoreCase) == true;
    }

    /// <summary>Accepts an href only when it names a direct child of the listed directory on the same origin.</summary>
    private static bool TryChildName(string href, Uri baseUri, List<string> directory, bool rawBytes, out string name, out bool isDirectory)
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

    private static (DateTimeOffset? Modified, long? Size, bool Exact) ReadContext(HtmlNode anchor)
    {
        var row = anchor.Ancestors().Take(4).FirstOrDefault(n => n.Name == "tr");
        if (row is not null)
            return ReadRow(row, anchor);
        foreach (var (text, before) in new[] { (TextAfter(anchor), false), (TextBefore(anchor), true) })
        {
            var modified = ListingValues.FindDate(text, out string rest);
            if (modified is null)
                continue;
            // Before the link (IIS, webfs's ls-like lines), the size is the number nearest to it: owner columns may be numbers too.
            return ListingValues.FindSize(rest, out long size, out bool exact, last: before) ? (modified, size, exact) : (modified, null, true);
        }
        return ListingValues.FindSize(TextAfter(anchor), out long bare, out bool bareExact) ? (null, bare, bareExact) : (null, null, true);
    }

    private static (DateTimeOffset? Modified, long? Size, bool Exact) ReadRow(HtmlNode row, HtmlNode anchor)
    {
        DateTimeOffset? modified = null;
        long? size = null;
        bool exact = true;
        foreach (var cell in row.ChildNodes.Where(n => n.Name is "td" or "th"))
        {
            if (anchor.Ancestors().Contains(cell))
                continue;
            string text = Clean(cell.InnerText);
            if (modified is null && ListingValues.MachineDate(cell) is { } stamped)
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

    private static string TextAfter(HtmlNode anchor)
    {
        var text = new StringBuilder();
        for (var node = anchor.NextSibling; node is not null && text.Length < MaxContextChars; node = node.NextSibling)
        {
            if (node.NodeType == HtmlNodeType.Element && node.Name is "a" or "br" or "li" or "tr" or "p" or "div")
                break;
            string part = Clean(node.InnerText);
            int newline = part.IndexOf('\n');
            if (newline >= 0)
            {
                text.Append(part.AsSpan(0, newline));
                break;
            }
            text.Append(part);
        }
        return text.ToString();
    }

    private static string TextBefore(HtmlNode anchor)
    {
        var parts = new List<string>();
        int length = 0;
        for (var node = anchor.PreviousSibling; node is not null && length < MaxContextChars; node = node.PreviousSibling)
        {
            if (node.NodeType == HtmlNodeType.Element && node.Name is "a" or "br" or "li" or "tr" or "p" or "div")
                break;
            string part = Clean(node.InnerText);
            int newline = part.LastIndexOf('\n');
            if (newline >= 0)
            {
                parts.Add(part[(newline + 1)..]);
                break;
            }
            parts.Add(part);
            length += part.Length;
        }
        parts.Reverse();
        return string.Concat(parts);
    }

    private static string Clean(string html) => HtmlEntity.DeEntitize(html).Replace('\u00A0', ' ');

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*:", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Scheme();

    /// <summary>IIS titles its listings "host - /path/".</summary>
    [GeneratedRegex(@"^\s*\S+\s+-\s+/", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex IisTitle();
}
