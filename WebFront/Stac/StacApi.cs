using System.Text.Json.Nodes;
using Pcrs.Grains.Catalogue;
using Pcrs.WebFront.Apis;
using Pcrs.WebFront.Exports;
using Pcrs.WebFront.Metadata;
using Pcrs.WebFront.Ogc;

namespace Pcrs.WebFront.Stac;

/// <summary>
/// A STAC API at /stac (core, collections, OGC API features, item search with bbox, datetime, collections, limit and
/// "next" links) over every deliverable whose storage is declared and scanned, and a static STAC catalogue per
/// deliverable as a ZIP of JSON files. Built from the catalogue; asset links only where the owner allowed it.
/// </summary>
public static class StacApi
{
    public static readonly string[] ConformanceClasses =
    [
        "https://api.stacspec.org/v1.0.0/core",
        "https://api.stacspec.org/v1.0.0/collections",
        "https://api.stacspec.org/v1.0.0/ogcapi-features",
        "https://api.stacspec.org/v1.0.0/item-search",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    ];

    public static IEndpointRouteBuilder MapStacApi(this IEndpointRouteBuilder app)
    {
        var stac = app.MapGroup("stac").WithTags("STAC").RequireRateLimiting(WebFrontPolicies.PublicRateLimit);
        stac.MapGet("/", Landing).WithName("StacLanding").WithSummary("STAC API landing page (Catalog)");
        stac.MapGet("/conformance", () => Json(new JsonObject { ["conformsTo"] = Array(ConformanceClasses) }, OgcResult.Json))
            .WithName("StacConformance");
        stac.MapGet("/collections", Collections).WithName("StacCollections").WithSummary("STAC Collections, one per deliverable");
        stac.MapGet("/collections/{collectionId}", Collection).WithName("StacCollection");
        stac.MapGet("/collections/{collectionId}/items", CollectionItems).WithName("StacItems");
        stac.MapGet("/collections/{collectionId}/items/{**itemId}", Item).WithName("StacItem");
        stac.MapGet("/search", Search).WithName("StacSearch").WithSummary("Item search: bbox, datetime, collections, limit; next links");
        app.MapGet(MetadataApi.Route + "/stac.zip", StaticCatalogue).WithTags("Metadata").WithName("StacStaticCatalogue")
            .WithSummary("Static STAC catalogue of the deliverable (ZIP of catalog.json, collection.json and one JSON per item)")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip")
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit).AddEndpointFilter<ExportValidatorsFilter>()
            .AddEndpointFilter<ExportProgress.IdFilter>();
        return app;
    }

    private static string Base(HttpContext http) => DeliverableContext.PlatformBase(http.Request) + "/stac";

    private static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v).ToArray());

    private static IResult Json(JsonNode node, string type) => Results.Text(node.ToJsonString(), type);

    private static StacDocuments.Hrefs ApiHrefs(string b, string collectionId) => new(
        b, $"{b}/collections/{collectionId}", itemId => $"{b}/collections/{collectionId}/items/{TilesApi.EscapePath(itemId)}",
        $"{b}/collections/{collectionId}/items", b);

    public static async Task<IResult> Landing(HttpContext http, CancellationToken ct)
    {
        var b = Base(http);
        var links = new JsonArray(
            StacDocuments.Link(b, "self", "application/json"),
            StacDocuments.Link(b, "root", "application/json"),
            StacDocuments.Link($"{b}/conformance", "conformance", "application/json"),
            StacDocuments.Link($"{b}/collections", "data", "application/json"),
            StacDocuments.Link($"{b}/search", "search", "application/geo+json"));
        foreach (var context in await OgcCollections.DeliverablesAsync(http, ct))
            links.Add(StacDocuments.Link($"{b}/collections/{OgcCollections.DeliverableId(context.Deliverable.Id)}", "child", "application/json"));
        return Json(new JsonObject
        {
            ["type"] = "Catalog",
            ["stac_version"] = StacDocuments.Version,
            ["id"] = "pcrs",
            ["title"] = "Catalogue PCRS",
            ["description"] = "Livrables PCRS analysés par le scanner : une collection par livrable, un item par dalle.",
            ["conformsTo"] = Array(ConformanceClasses),
            ["links"] = links,
        }, OgcResult.Json);
    }

    public static async Task<IResult> Collections(HttpContext http, CancellationToken ct)
    {
        var b = Base(http);
        var catalogue = http.RequestServices.GetRequiredService<ITileMetadataReader>();
        var collections = new JsonArray();
        foreach (var context in await OgcCollections.DeliverablesAsync(http, ct))
        {
            var id = OgcCollections.DeliverableId(context.Deliverable.Id);
            var modified = await catalogue.GetModifiedRangeAsync(context.Storage.StorageKey, context.Storage.StartPath, ct);
            collections.Add(StacDocuments.Collection(context, id, modified, ApiHrefs(b, id)));
        }
        return Json(new JsonObject
        {
            ["collections"] = collections,
            ["links"] = new JsonArray(StacDocuments.Link($"{b}/collections", "self", "application/json"), StacDocuments.Link(b, "root", "application/json")),
        }, OgcResult.Json);
    }

    public static async Task<IResult> Collection(string collectionId, HttpContext http, CancellationToken ct)
    {
        if (await OgcCollections.FindDeliverableAsync(http, collectionId, ct) is not { } context)
            return TypedResults.NotFound();
        var catalogue = http.RequestServices.GetRequiredService<ITileMetadataReader>();
        var modified = await catalogue.GetModifiedRangeAsync(context.Storage.StorageKey, context.Storage.StartPath, ct);
        return Json(StacDocuments.Collection(context, collectionId, modified, ApiHrefs(Base(http), collectionId)), OgcResult.Json);
    }

    public static async Task<IResult> Item(string collectionId, string itemId, HttpContext http, CancellationToken ct)
    {
        if (await OgcCollections.FindDeliverableAsync(http, collectionId, ct) is not { } context)
            return TypedResults.NotFound();
        var catalogue = http.RequestServices.GetRequiredService<ITileMetadataReader>();
        var prefix = context.Storage.StartPath.TrimEnd('/') + "/";
        await foreach (var tile in catalogue.ListAsync(context.Storage.StorageKey, context.Storage.StartPath,
                           new TileQuery(Limit: 1) { ExactPath = prefix + itemId }, ct))
        {
            if (StacDocuments.Item(context, collectionId, itemId, tile, ApiHrefs(Base(http), collectionId)) is { } item)
                return Json(item, OgcResult.GeoJson);
        }
        return TypedResults.NotFound();
    }

    public static Task<IResult> CollectionItems(string collectionId, HttpContext http, CancellationToken ct) =>
        SearchAsync(http, [collectionId], $"{Base(http)}/collections/{collectionId}/items", requireCollection: true, ct);

    public static Task<IResult> Search(HttpContext http, CancellationToken ct)
    {
        var collections = http.Request.Query["collections"].ToString();
        return SearchAsync(http, collections.Length == 0 ? null : collections.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            $"{Base(http)}/search", requireCollection: false, ct);
    }

    /// <summary>
    /// Items of the given collections (all when null) in collection then path order, one page after the cursor
    /// ("collection|path"). numberMatched counts every item matching the filters.
    /// </summary>
    private static async Task<IResult> SearchAsync(HttpContext http, string[]? collectionIds, string self, bool requireCollection, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var parameters = OgcParameters.Parse(http.Request.Query, errors);
        if (parameters is null)
            return TypedResults.ValidationProblem(errors);
        var b = Base(http);
        var catalogue = http.RequestServices.GetRequiredService<ITileMetadataReader>();
        var all = await OgcCollections.DeliverablesAsync(http, ct);
        var selected = all.Where(c => collectionIds is null || collectionIds.Contains(OgcCollections.DeliverableId(c.Deliverable.Id))).ToList();
        if (requireCollection && selected.Count == 0)
            return TypedResults.NotFound();

        string? cursorCollection = null, cursorPath = null;
        if (parameters.Cursor is { } cursor && cursor.IndexOf('|', StringComparison.Ordinal) is var bar and > 0)
            (cursorCollection, cursorPath) = (cursor[..bar], cursor[(bar + 1)..]);
        var features = new JsonArray();
        string? next = null;
        long matched = 0;
        bool started = cursorCollection is null;
        foreach (var context in selected)
        {
            var id = OgcCollections.DeliverableId(context.Deliverable.Id);
            var prefix = context.Storage.StartPath.TrimEnd('/') + "/";
            if (context.AcquiredWithin(new TileQuery(parameters.Bbox), parameters.From, parameters.To) is not { } filter)
                continue;
            matched += await catalogue.CountAsync(context.Storage.StorageKey, context.Storage.StartPath, filter, ct);
            string? after = null;
            if (!started)
            {
                if (id != cursorCollection)
                    continue;
                started = true;
                after = prefix + cursorPath;
            }
            if (next is not null || features.Count > parameters.Limit)
                continue;
            var hrefs = ApiHrefs(b, id);
            await foreach (var tile in catalogue.ListAsync(context.Storage.StorageKey, context.Storage.StartPath,
                               filter with { AfterPath = after, Limit = parameters.Limit - features.Count + 1 }, ct))
            {
                var itemId = tile.Path[prefix.Length..];
                if (features.Count == parameters.Limit)
                {
                    // One more exists: the page ends with the previous item.
                    next = $"{id}|{((JsonObject)features[^1]!)["id"]!.GetValue<string>()}";
                    break;
                }
                if (StacDocuments.Item(context, id, itemId, tile, hrefs) is { } item)
                    features.Add(item);
            }
        }
        var links = new JsonArray(StacDocuments.Link(b, "root", "application/json"), StacDocuments.Link(self, "self", "application/geo+json"));
        if (next is not null)
        {
            var query = http.Request.Query.Where(q => q.Key != "cursor")
                .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}").Append("cursor=" + Uri.EscapeDataString(next));
            links.Add(new JsonObject { ["rel"] = "next", ["href"] = self + "?" + string.Join('&', query), ["type"] = "application/geo+json", ["method"] = "GET" });
        }
        return Json(new JsonObject
        {
            ["type"] = "FeatureCollection",
            ["numberMatched"] = matched,
            ["numberReturned"] = features.Count,
            ["features"] = features,
            ["links"] = links,
        }, OgcResult.GeoJson);
    }

    /// <summary>The deliverable's static STAC catalogue (<see cref="StacStaticCatalogue"/>), built in a temporary file.</summary>
    public static async Task<IResult> StaticCatalogue(Guid id, Guid did, HttpContext http, CancellationToken cancellationToken)
    {
        if (await DeliverableContext.FindAsync(http, id, did, cancellationToken) is not { } context || context.Aggregate?.Extent is null)
            return TypedResults.NotFound();
        var catalogue = http.RequestServices.GetRequiredService<ExportProgress>()
            .Track(http, http.RequestServices.GetRequiredService<ITileMetadataReader>(), context.Aggregate.Tiles);
        return TemporaryFileResponse.Create("application/zip", $"stac-{did}.zip", async (file, ct) =>
        {
            await using var output = File.Create(file);
            await StacStaticCatalogue.WriteAsync(output, context, catalogue, ct);
        });
    }
}
