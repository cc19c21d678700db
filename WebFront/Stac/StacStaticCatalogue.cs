using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pcrs.Grains.Catalogue;
using Pcrs.WebFront.Metadata;
using Pcrs.WebFront.Ogc;

namespace Pcrs.WebFront.Stac;

/// <summary>
/// A deliverable's static STAC catalogue as a ZIP: catalog.json → collection.json → items/…json, every link relative,
/// as a static catalogue is read from disk. Items are written as the catalogue streams them; the collection, which
/// lists every item, comes last, its item links spooled to a temporary file meanwhile, so that memory does not grow with
/// the tile count (a département is about 100,000 tiles).
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
        try
        {
            using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
            var modified = await catalogue.GetModifiedRangeAsync(context.Storage.StorageKey, context.Storage.StartPath, ct);
            await AddAsync(zip, "catalog.json", new JsonObject
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

            await using (var items = new StreamWriter(itemList, append: false, new UTF8Encoding(false)))
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
                    await AddAsync(zip, $"items/{itemId}.json", item, ct);
                    // Paths hold no line breaks (the crawler refuses them), so one line is one item.
                    await items.WriteLineAsync($"./items/{itemId}.json".AsMemory(), ct);
                }
            }

            var collection = StacDocuments.Collection(context, collectionId, modified,
                new StacDocuments.Hrefs("./catalog.json", "./collection.json", _ => "", "./collection.json", "./catalog.json"));
            var entry = zip.CreateEntry("collection.json", CompressionLevel.Fastest);
            await using var stream = await entry.OpenAsync(ct);
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
                // A static catalogue lists its items as links (no items endpoint).
                foreach (var link in value!.AsArray().Where(l => l!["rel"]!.GetValue<string>() != "items"))
                    link!.WriteTo(writer);
                int written = 0;
                using var lines = new StreamReader(itemList, Encoding.UTF8);
                while (await lines.ReadLineAsync(ct) is { } href)
                {
                    writer.WriteStartObject();
                    writer.WriteString("rel", "item");
                    writer.WriteString("href", href);
                    writer.WriteString("type", "application/geo+json");
                    writer.WriteEndObject();
                    if (++written % 1000 == 0)
                        await writer.FlushAsync(ct);
                }
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
            await writer.FlushAsync(ct);
        }
        finally
        {
            File.Delete(itemList);
        }
    }

    private static async Task AddAsync(ZipArchive zip, string name, JsonNode document, CancellationToken ct)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        await using var stream = await entry.OpenAsync(ct);
        await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        document.WriteTo(writer);
        await writer.FlushAsync(ct);
    }
}
