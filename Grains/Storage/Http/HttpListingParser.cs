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
    /// <summary>Items of a JSON listing read between two hand-outs.</summary>
    private const int JsonBatch = 1000;

    /// <summary>The whole listing at once (small pages and tests); <see cref="Read"/> streams it.</summary>
    public static List<StorageEntry> Parse(ListingPage page, int maxEntries) => [.. Read(page, maxEntries)];

    /// <summary>The page's entries in page order, read as they are asked for: nothing but the page's bytes is held whole.</summary>
    public static IEnumerable<StorageEntry> Read(ListingPage page, int maxEntries)
    {
        ArgumentNullException.ThrowIfNull(page);
        var body = page.Body.AsSpan(0, page.Length);
        string type = page.ContentType?.ToLowerInvariant() ?? "";
        int first = FirstNonSpace(body);
        if (type.Contains("json", StringComparison.Ordinal) || (first >= 0 && body[first] == (byte)'['))
            return ReadNginxJson(page, maxEntries);
        if (type.Contains("xml", StringComparison.Ordinal) && !type.Contains("html", StringComparison.Ordinal)
            || (first >= 0 && body[first..].StartsWith("<?xml"u8) && body.IndexOf("<list"u8) >= 0))
            return ReadNginxXml(page, maxEntries);
        return HtmlListingParser.Read(page, maxEntries);
    }

    private static IEnumerable<StorageEntry> ReadNginxJson(ListingPage page, int maxEntries)
    {
        var collector = new ListingCollector(maxEntries, page.DirectoryPath);
        var cursor = new JsonCursor(new JsonReaderState(new JsonReaderOptions { MaxDepth = 8 }), 0, Started: false);
        var batch = new List<StorageEntry>(JsonBatch);
        bool more = true;
        while (more)
        {
            batch.Clear();
            (cursor, more) = ReadJsonItems(page, cursor, batch);
            foreach (var entry in batch)
                collector.Add(entry);
            while (collector.TryTake(final: !more, out var entry))
                yield return entry;
        }
    }

    private readonly record struct JsonCursor(JsonReaderState State, long Consumed, bool Started);

    /// <summary>Reads up to <see cref="JsonBatch"/> items of the array from where the last call stopped; false once the array ended.</summary>
    private static (JsonCursor Cursor, bool More) ReadJsonItems(ListingPage page, JsonCursor cursor, List<StorageEntry> batch)
    {
        try
        {
            var reader = new Utf8JsonReader(page.Body.AsSpan((int)cursor.Consumed, page.Length - (int)cursor.Consumed), isFinalBlock: true, cursor.State);
            if (!cursor.Started)
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                    throw new StorageException(StorageErrorKind.Protocol, $"The JSON listing of \"{page.DirectoryPath}\" is not an array.");
            }
            while (batch.Count < JsonBatch)
            {
                if (!reader.Read())
                    throw new JsonException("The array does not end.");
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    if (reader.Read())
                        throw new JsonException($"'{reader.TokenType}' after the end of the array.");
                    return (cursor, false);
                }
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }
                if (ReadJsonItem(ref reader) is { } entry)
                    batch.Add(entry);
            }
            return (new JsonCursor(reader.CurrentState, cursor.Consumed + reader.BytesConsumed, Started: true), true);
        }
        catch (JsonException e)
        {
            throw new StorageException(StorageErrorKind.Protocol, $"The JSON listing of \"{page.DirectoryPath}\" is malformed: {e.Message}", e);
        }
    }

    /// <summary>One item of nginx's JSON autoindex (the reader on its opening brace): name, type, size, mtime.</summary>
    private static StorageEntry? ReadJsonItem(ref Utf8JsonReader reader)
    {
        string? name = null, kind = null, mtime = null;
        long? size = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string property = reader.GetString()!;
            reader.Read();
            switch (property)
            {
                case "name" when reader.TokenType == JsonTokenType.String:
                    name = reader.GetString();
                    break;
                case "type" when reader.TokenType == JsonTokenType.String:
                    kind = reader.GetString();
                    break;
                case "mtime" when reader.TokenType == JsonTokenType.String:
                    mtime = reader.GetString();
                    break;
                case "size" when reader.TokenType == JsonTokenType.Number:
                    size = reader.TryGetInt64(out long s) && s >= 0 ? s : null;
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (name is null || !ListingCollector.IsAcceptableName(name))
            return null;
        DateTimeOffset? modified = DateTimeOffset.TryParseExact(mtime, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
        return (kind ?? "file") == "directory"
            ? new StorageEntry(name, StorageEntryKind.Directory, null, modified)
            : new StorageEntry(name, StorageEntryKind.File, size, modified);
    }

    private static IEnumerable<StorageEntry> ReadNginxXml(ListingPage page, int maxEntries)
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
        var listing = new XmlListing(reader, page.DirectoryPath);
        bool more = true;
        while (more)
        {
            var entry = listing.Next(out more);
            if (entry is not null)
                collector.Add(entry);
            while (collector.TryTake(final: !more, out var ready))
                yield return ready;
        }
    }

    /// <summary>nginx's XML autoindex, one element at a time.</summary>
    private sealed class XmlListing(XmlReader reader, string directoryPath)
    {
        private bool _sawList;
        private bool _onNext; // reading an element's content leaves the reader on the node after it: not to be skipped

        /// <summary>The next entry (null for an element that is none); <paramref name="more"/> false at the end of the document.</summary>
        public StorageEntry? Next(out bool more)
        {
            more = true;
            try
            {
                while (_onNext || reader.Read())
                {
                    _onNext = false;
                    if (reader.NodeType != XmlNodeType.Element)
                        continue;
                    if (reader.Depth == 0)
                    {
                        _sawList = reader.LocalName == "list";
                        if (!_sawList)
                            break;
                        continue;
                    }
                    string element = reader.LocalName;
                    if (element is not ("file" or "directory" or "other"))
                        continue;
                    string? mtime = reader.GetAttribute("mtime");
                    string? sizeText = reader.GetAttribute("size");
                    string name = reader.ReadElementContentAsString();
                    _onNext = !reader.EOF;
                    if (!ListingCollector.IsAcceptableName(name))
                        return null;
                    DateTimeOffset? modified = DateTimeOffset.TryParse(mtime, CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
                    long? size = long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out long s) ? s : null;
                    return element == "directory"
                        ? new StorageEntry(name, StorageEntryKind.Directory, null, modified)
                        : new StorageEntry(name, StorageEntryKind.File, size, modified);
                }
            }
            catch (XmlException e)
            {
                throw new StorageException(StorageErrorKind.Protocol, $"The XML listing of \"{directoryPath}\" is malformed: {e.Message}", e);
            }
            more = false;
            if (!_sawList)
                throw new StorageException(StorageErrorKind.Protocol, $"The XML page of \"{directoryPath}\" is not an nginx autoindex listing.");
            return null;
        }
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
