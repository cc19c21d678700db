using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// Reads a directory listing page: nginx JSON or XML autoindex, or any of the HTML listings <see cref="HtmlListingParser"/>
/// knows. A page that is not a recognisable listing throws: it must never be taken for an empty directory.
/// </summary>
public static class HttpListingParser
{
    public static List<StorageEntry> Parse(ListingPage page, int maxEntries)
    {
        ArgumentNullException.ThrowIfNull(page);
        var body = page.Body.AsSpan(0, page.Length);
        string type = page.ContentType?.ToLowerInvariant() ?? "";
        int first = FirstNonSpace(body);
        try
        {
            if (type.Contains("json", StringComparison.Ordinal) || (first >= 0 && body[first] == (byte)'['))
                return ParseNginxJson(page, maxEntries);
            if (type.Contains("xml", StringComparison.Ordinal) && !type.Contains("html", StringComparison.Ordinal)
                || (first >= 0 && body[first..].StartsWith("<?xml"u8) && body.IndexOf("<list"u8) >= 0))
                return ParseNginxXml(page, maxEntries);
        }
        catch (JsonException e)
        {
            throw new StorageException(StorageErrorKind.Protocol, $"The JSON listing of \"{page.DirectoryPath}\" is malformed: {e.Message}", e);
        }
        catch (XmlException e)
        {
            throw new StorageException(StorageErrorKind.Protocol, $"The XML listing of \"{page.DirectoryPath}\" is malformed: {e.Message}", e);
        }
        return HtmlListingParser.Parse(page, maxEntries);
    }

    private static List<StorageEntry> ParseNginxJson(ListingPage page, int maxEntries)
    {
        var collector = new ListingCollector(maxEntries, page.DirectoryPath);
        using var document = JsonDocument.Parse(page.Body.AsMemory(0, page.Length), new JsonDocumentOptions { MaxDepth = 8 });
        if (document.RootElement.ValueKind != JsonValueKind.Array)
            throw new StorageException(StorageErrorKind.Protocol, $"The JSON listing of \"{page.DirectoryPath}\" is not an array.");
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("name", out var nameValue) || nameValue.ValueKind != JsonValueKind.String)
                continue;
            string name = nameValue.GetString()!;
            if (!ListingCollector.IsAcceptableName(name))
                continue;
            string kind = item.TryGetProperty("type", out var typeValue) && typeValue.ValueKind == JsonValueKind.String ? typeValue.GetString()! : "file";
            long? size = item.TryGetProperty("size", out var sizeValue) && sizeValue.TryGetInt64(out long s) && s >= 0 ? s : null;
            DateTimeOffset? modified = item.TryGetProperty("mtime", out var timeValue) && timeValue.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParseExact(timeValue.GetString(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
            collector.Add(kind == "directory"
                ? new StorageEntry(name, StorageEntryKind.Directory, null, modified)
                : new StorageEntry(name, StorageEntryKind.File, size, modified));
        }
        return collector.Entries;
    }

    private static List<StorageEntry> ParseNginxXml(ListingPage page, int maxEntries)
    {
        var collector = new ListingCollector(maxEntries, page.DirectoryPath);
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersFromEntities = 0,
            IgnoreComments = true,
        };
        using var stream = new MemoryStream(page.Body, 0, page.Length, writable: false);
        using var reader = XmlReader.Create(stream, settings);
        bool sawList = false;
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element)
                continue;
            if (reader.Depth == 0)
            {
                sawList = reader.LocalName == "list";
                if (!sawList)
                    break;
                continue;
            }
            string element = reader.LocalName;
            if (element is not ("file" or "directory" or "other"))
                continue;
            string? mtime = reader.GetAttribute("mtime");
            string? sizeText = reader.GetAttribute("size");
            string name = reader.ReadElementContentAsString();
            if (!ListingCollector.IsAcceptableName(name))
                continue;
            DateTimeOffset? modified = DateTimeOffset.TryParse(mtime, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
            long? size = long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out long s) ? s : null;
            collector.Add(element == "directory"
                ? new StorageEntry(name, StorageEntryKind.Directory, null, modified)
                : new StorageEntry(name, StorageEntryKind.File, size, modified));
        }
        if (!sawList)
            throw new StorageException(StorageErrorKind.Protocol, $"The XML page of \"{page.DirectoryPath}\" is not an nginx autoindex listing.");
        return collector.Entries;
    }

    private static int FirstNonSpace(ReadOnlySpan<byte> body)
    {
        int start = body.StartsWith(Encoding.UTF8.Preamble) ? 3 : 0;
        for (int i = start; i < body.Length && i < 4096; i++)
        {
            if (body[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                return i;
        }
        return -1;
    }
}
