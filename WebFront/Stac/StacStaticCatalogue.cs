using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pcrs.Grains.Catalogue;
using Pcrs.WebFront.Downloads;
using Pcrs.WebFront.Metadata;
using Pcrs.WebFront.Ogc;

namespace Pcrs.WebFront.Stac;

/// <summary>
/// A deliverable's static STAC catalogue as a ZIP: catalog.json → collection.json → items/…json, every link relative,
/// as a static catalogue is read from disk. Items are written as the catalogue streams them; the collection, which
/// lists every item, comes last, its item links spooled to a temporary file meanwhile, and the ZIP's central directory
/// is spooled to another (<see cref="ZipStreamWriter"/>), so that memory does not grow with the tile count (a
/// département is about 100,000 tiles).
/// </summary>
public static class StacStaticCatalogue
{
    public static async Task WriteAsync(Stream output, DeliverableContext context, ITileMetadataReader catalogue, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(catalogue);
        var did = context.Deliverable.Id;
        var collectionId = OgcCollections.DeliverableId(did);
        var itemList = Path.Combine(Path.GetTempPath(), $"pcrs-stac-items-{Guid.NewGuid():N}.txt");
        var centralFile = Path.Combine(Path.GetTempPath(), $"pcrs-stac-central-{Guid.NewGuid():N}.bin");
        try
        {
            await using var central = new FileStream(centralFile, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, useAsync: true);
            var zip = new ZipStreamWriter(output, centralSpool: central);
            var stamp = context.Aggregate?.ScannedAt;
            var modified = await catalogue.GetModifiedRangeAsync(context.Storage.StorageKey, context.Storage.StartPath, ct);
            await AddAsync(zip, stamp, "catalog.json", new JsonObject
            {
                ["type"] = "Catalog",
                ["stac_version"] = StacDocuments.Version,
                ["id"] = "pcrs-" + did,
                ["description"] = $"Catalogue STAC statique du livrable « {context.Deliverable.Document.Name} ».",
                ["links"] = new JsonArray(
                    StacDocuments.Link("./catalog.json", "root", "application/json"),
                    StacDocuments.Link("./catalog.json", "self", "application/json"),
                    StacDocuments.Link("./collection.json", "child", "application/json")),
            }, ct);

            // Length-prefixed strings: a path is taken as it is, whatever characters it holds.
            await using (var spool = new FileStream(itemList, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
            using (var items = new BinaryWriter(spool, Encoding.UTF8))
            {
                var prefix = context.Storage.StartPath.TrimEnd('/') + "/";
                await foreach (var tile in catalogue.ListAsync(context.Storage.StorageKey, context.Storage.StartPath, context.AllTiles, ct))
                {
                    var itemId = tile.Path[prefix.Length..];
                    var up = string.Concat(Enumerable.Repeat("../", itemId.Count(ch => ch == '/') + 1));
                    var hrefs = new StacDocuments.Hrefs(up + "catalog.json", up + "collection.json",
                        item => "./" + Path.GetFileName(item) + ".json", up + "collection.json", up + "collection.json");
                    if (StacDocuments.Item(context, collectionId, itemId, tile, hrefs) is not { } item)
                        continue;
                    await AddAsync(zip, stamp, $"items/{itemId}.json", item, ct);
                    items.Write($"./items/{itemId}.json");
                }
            }

            var collection = StacDocuments.Collection(context, collectionId, modified,
                new StacDocuments.Hrefs("./catalog.json", "./collection.json", _ => "", "./collection.json", "./catalog.json"));
            await zip.AddDeflatedEntryAsync("collection.json", stamp, (stream, c) => WriteCollectionAsync(stream, collection, itemList, c), ct);
            await zip.FinishAsync(ct);
        }
        finally
        {
            File.Delete(itemList);
            File.Delete(centralFile);
        }
    }

    /// <summary>collection.json: the collection's fields, its links but "items" (no items endpoint here), then one "item" link per item.</summary>
    private static async Task WriteCollectionAsync(Stream stream, JsonObject collection, string itemList, CancellationToken ct)
    {
        await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        foreach (var (name, value) in collection)
        {
            if (name != "links")
            {
                writer.WritePropertyName(name);
                if (value is null)
                    writer.WriteNullValue();
                else
                    value.WriteTo(writer);
                continue;
            }
            writer.WriteStartArray("links");
            foreach (var link in value!.AsArray().Where(l => l!["rel"]!.GetValue<string>() != "items"))
                link!.WriteTo(writer);
            await using var spool = new FileStream(itemList, FileMode.Open, FileAccess.Read, FileShare.None, 64 * 1024);
            using var items = new BinaryReader(spool, Encoding.UTF8);
            for (int written = 1; spool.Position < spool.Length; written++)
            {
                var href = items.ReadString();
                writer.WriteStartObject();
                writer.WriteString("rel", "item");
                writer.WriteString("href", href);
                writer.WriteString("type", "application/geo+json");
                writer.WriteEndObject();
                if (written % 1000 == 0)
                    await writer.FlushAsync(ct);
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
        await writer.FlushAsync(ct);
    }

    private static Task AddAsync(ZipStreamWriter zip, DateTimeOffset? stamp, string name, JsonNode document, CancellationToken ct) =>
        zip.AddDeflatedEntryAsync(name, stamp, async (stream, c) =>
        {
            await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            document.WriteTo(writer);
            await writer.FlushAsync(c);
        }, ct);
}
