using System.Buffers;
using System.Text.Json;
using System.Globalization;
using System.Text.Json.Nodes;
using Pcrs.WebFront.Projects;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Projects;
using Pcrs.WebFront.Apis;
using Pcrs.WebFront.Catalogue;
using Pcrs.WebFront.Exports;
using Pcrs.WebFront.Metadata;

namespace Pcrs.WebFront.Ogc;

/// <summary>
/// OGC API – Features – Part 1: Core at /ogc, so that QGIS and GDAL (OAPIF driver) open the catalogue directly:
/// landing page, conformance, collections with their CRS84 extents, items with bbox / datetime / limit and "next"
/// links, single items. Computed from the catalogue (aggregates once per scan); nothing is rescanned.
/// </summary>
public static class OgcApi
{
    public static readonly string[] ConformanceClasses =
    [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    ];

    public static IEndpointRouteBuilder MapOgcApi(this IEndpointRouteBuilder app)
    {
        var ogc = app.MapGroup("ogc").WithTags("OGC API Features").RequireRateLimiting(WebFrontPolicies.PublicRateLimit);
        ogc.MapGet("/", Landing).WithName("OgcLanding").WithSummary("OGC API – Features landing page");
        ogc.MapGet("/api", (HttpContext http) => Results.Content(OgcOpenApi.Document(BaseUrl(http)).ToJsonString(), OgcOpenApi.MediaType))
            .WithName("OgcServiceDesc").WithSummary("OpenAPI 3.0 definition of the OGC API");
        ogc.MapGet("/conformance", Conformance).WithName("OgcConformance").WithSummary("Conformance classes");
        ogc.MapGet("/collections", Collections).WithName("OgcCollections").WithSummary("Feature collections");
        ogc.MapGet("/collections/{collectionId}", Collection).WithName("OgcCollection").WithSummary("One feature collection");
        ogc.MapGet("/collections/{collectionId}/items", Items).WithName("OgcItems").WithSummary("Features, filtered by bbox and datetime, paged");
        ogc.MapGet("/collections/{collectionId}/items/{**featureId}", Item).WithName("OgcItem").WithSummary("One feature");
        return app;
    }

    public static string BaseUrl(HttpContext http) => DeliverableContext.PlatformBase(http.Request) + "/ogc";

    public static IResult Landing(HttpContext http)
    {
        var b = BaseUrl(http);
        return new OgcResult(new JsonObject
        {
            ["title"] = "Catalogue PCRS",
            ["description"] = "Projets et dalles des livrables PCRS analysés par le scanner (OGC API – Features).",
            ["links"] = new JsonArray(
                OgcResult.Link(b, "self", OgcResult.Json, "Cette page"),
                OgcResult.Link(b + "?f=html", "alternate", OgcResult.Html, "Cette page (HTML)"),
                OgcResult.Link(b + "/api", "service-desc", OgcOpenApi.MediaType, "Définition de l'API (OpenAPI 3.0)"),
                OgcResult.Link(b + "/conformance", "conformance", OgcResult.Json, "Classes de conformité"),
                OgcResult.Link(b + "/collections", "data", OgcResult.Json, "Collections")),
        }, OgcResult.Json, "Catalogue PCRS");
    }

    public static IResult Conformance() =>
        new OgcResult(new JsonObject { ["conformsTo"] = new JsonArray(ConformanceClasses.Select(c => (JsonNode)c).ToArray()) },
            OgcResult.Json, "Conformité");

    public static async Task<IResult> Collections(HttpContext http, CancellationToken ct)
    {
        var b = BaseUrl(http);
        var catalogue = http.RequestServices.GetRequiredService<ITileMetadataReader>();
        var collections = new JsonArray(OgcCollections.ProjectsCollection(b, await ProjectsBboxAsync(http, ct)));
        foreach (var context in await OgcCollections.DeliverablesAsync(http, ct))
        {
            var modified = await catalogue.GetModifiedRangeAsync(context.Storage.StorageKey, context.Storage.StartPath, ct);
            collections.Add(OgcCollections.DeliverableCollection(b, context, modified));
        }
        return new OgcResult(new JsonObject
        {
            ["links"] = new JsonArray(
                OgcResult.Link(b + "/collections", "self", OgcResult.Json, "Collections"),
                OgcResult.Link(b + "/collections?f=html", "alternate", OgcResult.Html, "Collections (HTML)")),
            ["collections"] = collections,
        }, OgcResult.Json, "Collections");
    }

    public static async Task<IResult> Collection(string collectionId, HttpContext http, CancellationToken ct)
    {
        var b = BaseUrl(http);
        if (collectionId == OgcCollections.Projects)
            return new OgcResult(OgcCollections.ProjectsCollection(b, await ProjectsBboxAsync(http, ct)), OgcResult.Json, "Projets PCRS");
        if (await OgcCollections.FindDeliverableAsync(http, collectionId, ct) is not { } context)
            return TypedResults.NotFound();
        var catalogue = http.RequestServices.GetRequiredService<ITileMetadataReader>();
        var modified = await catalogue.GetModifiedRangeAsync(context.Storage.StorageKey, context.Storage.StartPath, ct);
        var body = OgcCollections.DeliverableCollection(b, context, modified);
        return new OgcResult(body, OgcResult.Json, body["title"]!.GetValue<string>());
    }

    public static async Task<IResult> Items(string collectionId, HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var parameters = OgcParameters.Parse(http.Request.Query, errors);
        if (parameters is null)
            return TypedResults.ValidationProblem(errors);
        var b = BaseUrl(http);
        var self = $"{b}/collections/{collectionId}/items";
        if (collectionId == OgcCollections.Projects)
            return await ProjectItemsAsync(http, self, parameters, ct);
        if (await OgcCollections.FindDeliverableAsync(http, collectionId, ct) is not { } context)
            return TypedResults.NotFound();

        var catalogue = http.RequestServices.GetRequiredService<ITileMetadataReader>();
        var prefix = context.Storage.StartPath.TrimEnd('/') + "/";
        // The same temporal rule as STAC: the declared acquisition day, else each file's last change.
        var query = context.AcquiredWithin(
            new TileQuery(parameters.Bbox, parameters.Cursor is null ? null : prefix + parameters.Cursor, parameters.Limit + 1),
            parameters.From, parameters.To);
        if (query is null)
        {
            return new OgcResult(FeatureCollection([], 0, PageLinks(http, self, null)), OgcResult.GeoJson,
                context.Deliverable.Document.Name);
        }
        var features = new JsonArray();
        string? last = null;
        bool more = false;
        await foreach (var tile in catalogue.ListAsync(context.Storage.StorageKey, context.Storage.StartPath, query, ct))
        {
            if (features.Count == parameters.Limit)
            {
                more = true;
                break;
            }
            features.Add(TileFeature(context, tile, prefix));
            last = tile.Path;
        }
        long matched = await catalogue.CountAsync(context.Storage.StorageKey, context.Storage.StartPath, query, ct);
        var links = PageLinks(http, self, more && last is not null ? last[prefix.Length..] : null);
        return new OgcResult(FeatureCollection(features, matched, links), OgcResult.GeoJson, context.Deliverable.Document.Name);
    }

    public static async Task<IResult> Item(string collectionId, string featureId, HttpContext http, CancellationToken ct)
    {
        var b = BaseUrl(http);
        if (collectionId == OgcCollections.Projects)
        {
            if (!Guid.TryParse(featureId, out var projectId))
                return TypedResults.NotFound();
            var (projects, geometries) = await ProjectsAsync(http, ct);
            var match = projects.FirstOrDefault(p => p.Id == projectId);
            return match.Document is null ? TypedResults.NotFound()
                : new OgcResult(ProjectFeature(match.Id, match.Document, geometries), OgcResult.GeoJson, match.Document.Name);
        }
        if (await OgcCollections.FindDeliverableAsync(http, collectionId, ct) is not { } context)
            return TypedResults.NotFound();
        var catalogue = http.RequestServices.GetRequiredService<ITileMetadataReader>();
        var prefix = context.Storage.StartPath.TrimEnd('/') + "/";
        var path = prefix + featureId;
        await foreach (var tile in catalogue.ListAsync(context.Storage.StorageKey, context.Storage.StartPath,
                           new TileQuery(Limit: 1) { ExactPath = path }, ct))
        {
            var feature = TileFeature(context, tile, prefix);
            feature["links"] = new JsonArray(
                OgcResult.Link($"{b}/collections/{collectionId}/items/{featureId}", "self", OgcResult.GeoJson),
                OgcResult.Link($"{b}/collections/{collectionId}", "collection", OgcResult.Json));
            return new OgcResult(feature, OgcResult.GeoJson, featureId);
        }
        return TypedResults.NotFound();
    }

    public static JsonObject TileFeature(DeliverableContext context, TileRow tile, string prefix)
    {
        // The one tile feature writer, with the stored footprint as is and the tile index's attributes.
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            TileFeatureWriter.Write(writer, tile.Path.StartsWith(prefix, StringComparison.Ordinal) ? tile.Path[prefix.Length..] : tile.Path,
                w => GeoJsonResult.WriteGeometry(w, tile.FootprintGeoJson),
                TileIndexFields.All.Select(field => KeyValuePair.Create(field.Name, field.Value(context, tile)))
                    .Append(KeyValuePair.Create<string, object?>("dateModification", OgcCollections.Instant(tile.ModifiedAt)?.GetValue<string>())));
        }
        return JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
    }

    private static JsonObject FeatureCollection(JsonArray features, long matched, JsonArray links) => new()
    {
        ["type"] = "FeatureCollection",
        ["timeStamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["numberMatched"] = matched,
        ["numberReturned"] = features.Count,
        ["features"] = features,
        ["links"] = links,
    };

    /// <summary>self and alternate with the request's own query; next with the same filters and the cursor after this page.</summary>
    private static JsonArray PageLinks(HttpContext http, string self, string? nextCursor)
    {
        var query = http.Request.Query.Where(q => q.Key is not ("cursor" or "f")).ToList();
        string Url(string? cursor, string? format)
        {
            var parts = query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}").ToList();
            if (cursor is not null)
                parts.Add("cursor=" + Uri.EscapeDataString(cursor));
            if (format is not null)
                parts.Add("f=" + format);
            return parts.Count == 0 ? self : self + "?" + string.Join('&', parts);
        }
        var current = http.Request.Query["cursor"].ToString();
        var links = new JsonArray(
            OgcResult.Link(Url(current.Length == 0 ? null : current, null), "self", OgcResult.GeoJson, "Cette page"),
            OgcResult.Link(Url(current.Length == 0 ? null : current, "html"), "alternate", OgcResult.Html, "Cette page (HTML)"));
        if (nextCursor is not null)
            links.Add(OgcResult.Link(Url(nextCursor, null), "next", OgcResult.GeoJson, "Page suivante"));
        return links;
    }

    private static async Task<IResult> ProjectItemsAsync(HttpContext http, string self, OgcParameters parameters, CancellationToken ct)
    {
        var (projects, geometries) = await ProjectsAsync(http, ct);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var selected = projects.Where(p =>
        {
            if (parameters.Bbox is { } box && (!geometries.TryGetValue(p.Id, out var g) || !Intersects(g.EnvelopeInternal, box)))
                return false;
            var current = p.Document.Steps.LastOrDefault(s => s.StartDate <= today);
            if ((parameters.From ?? parameters.To) is null)
                return true;
            if (current is null)
                return false;
            var at = new DateTimeOffset(current.StartDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return (parameters.From is null || at >= parameters.From) && (parameters.To is null || at <= parameters.To);
        }).ToList();
        int offset = parameters.Cursor is { } c && int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : 0;
        var page = selected.Skip(offset).Take(parameters.Limit).ToList();
        var features = new JsonArray(page.Select(p => (JsonNode)ProjectFeature(p.Id, p.Document, geometries)).ToArray());
        string? next = offset + page.Count < selected.Count ? (offset + page.Count).ToString(CultureInfo.InvariantCulture) : null;
        return new OgcResult(FeatureCollection(features, selected.Count, PageLinks(http, self, next)), OgcResult.GeoJson, "Projets PCRS");
    }

    private static bool Intersects(NetTopologySuite.Geometries.Envelope e, GeoBox box) =>
        box.Intersects(new GeoBox(e.MinX, e.MinY, e.MaxX, e.MaxY));

    private static JsonObject ProjectFeature(Guid id, ProjectDocument p, Dictionary<Guid, NetTopologySuite.Geometries.Geometry> geometries)
    {
        var current = p.Steps.LastOrDefault(s => s.StartDate <= DateOnly.FromDateTime(DateTime.UtcNow));
        var aplc = p.Actors.FirstOrDefault(a => a.Role is "aplc" or "porteur");
        return new JsonObject
        {
            ["type"] = "Feature",
            ["id"] = id.ToString(),
            ["geometry"] = geometries.TryGetValue(id, out var g) ? JsonNode.Parse(ProjectGeometry.GeoJson(g)) : null,
            ["properties"] = new JsonObject
            {
                ["nom"] = p.Name,
                ["statut"] = current?.Status,
                ["dateStatut"] = current is null ? null : current.StartDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["aplc"] = aplc is null ? null : aplc.Name ?? aplc.Siren,
                ["nature"] = p.Nature,
                ["regime"] = p.Regime,
            },
        };
    }

    private static async Task<(List<(Guid Id, ProjectDocument Document)> Projects, Dictionary<Guid, NetTopologySuite.Geometries.Geometry> Geometries)> ProjectsAsync(
        HttpContext http, CancellationToken ct)
    {
        var store = http.RequestServices.GetRequiredService<ProjectStore>();
        var declared = http.RequestServices.GetRequiredService<DeclaredDeliverables>();
        var summaries = http.RequestServices.GetRequiredService<ScanDataSummaries>();
        var emprises = new Dictionary<Guid, List<string>>();
        await foreach (var (projectId, _, _, storage) in declared.ListProvenAsync(ct))
        {
            if (await summaries.EmpriseAsync(storage.StorageKey, storage.StartPath, ct) is { } emprise)
                (emprises.TryGetValue(projectId, out var list) ? list : emprises[projectId] = []).Add(emprise);
        }
        var geometries = new Dictionary<Guid, NetTopologySuite.Geometries.Geometry>();
        foreach (var (id, list) in emprises)
        {
            if (ProjectGeometry.Union(list) is { } union)
                geometries[id] = union;
        }
        return ([.. await store.ListAsync(ct)], geometries);
    }

    private static async Task<double[]?> ProjectsBboxAsync(HttpContext http, CancellationToken ct)
    {
        var (_, geometries) = await ProjectsAsync(http, ct);
        if (geometries.Count == 0)
            return null;
        var envelope = new NetTopologySuite.Geometries.Envelope();
        foreach (var g in geometries.Values)
            envelope.ExpandToInclude(g.EnvelopeInternal);
        return [envelope.MinX, envelope.MinY, envelope.MaxX, envelope.MaxY];
    }
}
