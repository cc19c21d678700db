using System.Globalization;
using System.Text.Json.Nodes;
using Pcrs.Grains.Catalogue;
using Pcrs.WebFront.Metadata;
using Pcrs.WebFront.Ogc;

namespace Pcrs.WebFront.Stac;

/// <summary>
/// STAC 1.1 documents of a deliverable: a Collection, and an Item per tile with the projection (v2.0.0), file and
/// eo extensions. Items also carry <c>proj:epsg</c>, the projection extension's v1 field, because GDAL before 3.10
/// (Debian 12 ships 3.6) builds its STACIT mosaics from it. Datetime is the file's modification time on the storage
/// (the acquisition date is unknown to the scan and is not guessed); without one, the time it was scanned.
/// </summary>
public static class StacDocuments
{
    public const string Version = "1.1.0";
    public const string ProjectionExtension = "https://stac-extensions.github.io/projection/v2.0.0/schema.json";
    public const string FileExtension = "https://stac-extensions.github.io/file/v2.1.0/schema.json";
    public const string EoExtension = "https://stac-extensions.github.io/eo/v2.0.0/schema.json";
    public const string GeoTiff = "image/tiff; application=geotiff";
    public const string CloudOptimizedGeoTiff = "image/tiff; application=geotiff; profile=cloud-optimized";
    public const string Jp2 = "image/jp2";

    /// <summary>SPDX identifier of a deliverable's licence; "other" for a closed one (STAC 1.1).</summary>
    public static string License(string licence) => licence switch
    {
        "ouvert_lo" => "etalab-2.0",
        "ouvert_odbl" => "ODbL-1.0",
        _ => "other",
    };

    /// <summary>The asset's media type; a GeoTIFF whose layout the reader found cloud-optimised gets the COG profile.</summary>
    public static string? MediaType(string? format, bool? cloudOptimized = null) => format?.ToUpperInvariant() switch
    {
        "GEOTIFF" or "TIFF" => cloudOptimized == true ? CloudOptimizedGeoTiff : GeoTiff,
        "JPEG2000" => Jp2,
        _ => null,
    };

    /// <summary>Links to a collection's own documents: a static catalogue uses relative hrefs, the API absolute ones.</summary>
    public sealed record Hrefs(string Root, string Collection, Func<string, string> Item, string Items, string? Parent);

    public static JsonObject Collection(DeliverableContext context, string id, (DateTimeOffset? First, DateTimeOffset? Last) modified, Hrefs hrefs)
    {
        var extent = context.Aggregate!.Extent!.Value;
        var document = context.Deliverable.Document;
        var providers = new JsonArray();
        foreach (var actor in context.Project.Actors)
        {
            var role = actor.Role switch
            {
                "aplc" or "porteur" => "licensor",
                "presta_vol" => "producer",
                "diffuseur" => "host",
                "controleur" => "processor",
                _ => null,
            };
            if (role is not null)
                providers.Add(new JsonObject { ["name"] = actor.Name ?? actor.Siren, ["roles"] = new JsonArray(role) });
        }
        var summaries = new JsonObject();
        if (context.Epsg is { } epsg)
            summaries["proj:code"] = new JsonArray($"EPSG:{epsg}");
        if (context.Aggregate.Bands.Count > 0)
            summaries["eo:common_name"] = new JsonArray(context.Aggregate.Bands.Select(b => (JsonNode?)CommonName(b)).Where(n => n is not null).ToArray());
        var links = new JsonArray(
            Link(hrefs.Root, "root", "application/json"),
            Link(hrefs.Collection, "self", "application/json"),
            Link(hrefs.Items, "items", "application/geo+json"));
        if (hrefs.Parent is not null)
            links.Add(Link(hrefs.Parent, "parent", "application/json"));
        if (document.Licence == "ouvert_lo")
            links.Add(Link("https://www.etalab.gouv.fr/licence-ouverte-open-licence/", "license", "text/html"));
        else if (document.Licence == "ouvert_odbl")
            links.Add(Link("https://opendatacommons.org/licenses/odbl/1-0/", "license", "text/html"));
        return new JsonObject
        {
            ["type"] = "Collection",
            ["stac_version"] = Version,
            ["stac_extensions"] = new JsonArray(ProjectionExtension, FileExtension, EoExtension),
            ["id"] = id,
            ["title"] = $"{context.Project.Name} – {document.Name}",
            ["description"] = $"Dalles du livrable « {document.Name} » du projet PCRS « {context.Project.Name} » " +
                              $"({context.Aggregate.Tiles} fichiers), décrites par le scanner à partir de leurs en-têtes. " +
                              "La date des items est la date de modification des fichiers sur le stockage.",
            ["keywords"] = new JsonArray("PCRS", "orthophotographie", "Plan Corps de Rue Simplifié"),
            ["license"] = License(document.Licence),
            ["providers"] = providers,
            ["extent"] = new JsonObject
            {
                ["spatial"] = new JsonObject { ["bbox"] = new JsonArray(new JsonArray(extent.West, extent.South, extent.East, extent.North)) },
                ["temporal"] = new JsonObject
                {
                    ["interval"] = context.AcquiredAt is { } acquired
                        ? new JsonArray(new JsonArray(OgcCollections.Instant(acquired), OgcCollections.Instant(acquired)))
                        : new JsonArray(new JsonArray(OgcCollections.Instant(modified.First), OgcCollections.Instant(modified.Last))),
                },
            },
            ["summaries"] = summaries,
            ["links"] = links,
        };
    }

    /// <summary>The Item of one tile; null for a file without footprint (STAC items of rasters need a geometry here).</summary>
    public static JsonObject? Item(DeliverableContext context, string collectionId, string itemId, TileRow tile, Hrefs hrefs)
    {
        if (tile.FootprintGeoJson is null || tile.Bounds is not { } b)
            return null;
        var properties = new JsonObject
        {
            // STAC's datetime is the acquisition's: the day the owner declared, else the file's last change.
            ["datetime"] = OgcCollections.Instant(context.AcquiredAt ?? tile.ModifiedAt ?? tile.ScannedAt),
        };
        if (tile.Resolution is { } gsd && double.IsFinite(gsd))
            properties["gsd"] = gsd;
        if (tile.Epsg is { } epsg)
        {
            properties["proj:code"] = $"EPSG:{epsg}";
            properties["proj:epsg"] = epsg;
        }
        if (tile.Width is int w && tile.Height is int h)
            properties["proj:shape"] = new JsonArray(h, w);
        if (tile.GeoTransform is { Count: 6 } g && g.All(double.IsFinite))
            properties["proj:transform"] = new JsonArray(g[1], g[2], g[0], g[4], g[5], g[3]);
        if (TileIndexFields.NativeRing(tile) is { } ring)
        {
            properties["proj:bbox"] = new JsonArray(ring.Min(p => p[0]), ring.Min(p => p[1]), ring.Max(p => p[0]), ring.Max(p => p[1]));
        }
        var assets = new JsonObject();
        if (context.TileUrl(tile.Path) is { } href)
        {
            var asset = new JsonObject { ["href"] = href, ["roles"] = new JsonArray("data"), ["title"] = Path.GetFileName(tile.Path) };
            if (MediaType(tile.Format, tile.CloudOptimized) is { } type)
                asset["type"] = type;
            if (tile.Size is { } size)
                asset["file:size"] = size;
            if (tile.BandNames.Count > 0)
            {
                asset["bands"] = new JsonArray(tile.BandNames.Select(band =>
                {
                    var node = new JsonObject { ["name"] = band.ToLowerInvariant() };
                    if (CommonName(band) is { } common)
                        node["eo:common_name"] = common;
                    if (DataType(tile.BitsPerSample) is { } dataType)
                        node["data_type"] = dataType;
                    return (JsonNode)node;
                }).ToArray());
            }
            assets["image"] = asset;
        }
        return new JsonObject
        {
            ["type"] = "Feature",
            ["stac_version"] = Version,
            ["stac_extensions"] = new JsonArray(ProjectionExtension, FileExtension, EoExtension),
            ["id"] = itemId,
            ["collection"] = collectionId,
            ["geometry"] = JsonNode.Parse(tile.FootprintGeoJson),
            ["bbox"] = new JsonArray(b.West, b.South, b.East, b.North),
            ["properties"] = properties,
            ["assets"] = assets,
            ["links"] = new JsonArray(
                Link(hrefs.Item(itemId), "self", "application/geo+json"),
                Link(hrefs.Root, "root", "application/json"),
                Link(hrefs.Collection, "parent", "application/json"),
                Link(hrefs.Collection, "collection", "application/json")),
        };
    }

    /// <summary>eo:common_name of a GDAL colour interpretation; null for a band without one (alpha, gray, undefined).</summary>
    public static string? CommonName(string band) => band switch
    {
        "Red" => "red",
        "Green" => "green",
        "Blue" => "blue",
        "NIR" => "nir",
        _ => null,
    };

    public static string? DataType(int? bits) => bits switch
    {
        > 0 and <= 8 => "uint8",
        > 8 and <= 16 => "uint16",
        > 16 and <= 32 => "uint32",
        _ => null,
    };

    public static JsonObject Link(string href, string rel, string type) => new() { ["rel"] = rel, ["href"] = href, ["type"] = type };

    public static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
