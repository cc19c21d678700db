using Microsoft.AspNetCore.Mvc;
using Pcrs.Grains.Catalogue;
using Pcrs.WebFront.Exports;
using Pcrs.WebFront.Metadata;

namespace Pcrs.WebFront.Apis;

/// <summary>
/// The metadata a deliverable lacks, produced from the catalogue without rescanning: its tile index ("tableau
/// d'assemblage") as GeoJSON, GeoPackage and Shapefile. Only deliverables whose storage is declared (a revoked
/// storage takes its metadata with it); tile URLs only where the owner allowed downloads or made the storage public.
/// </summary>
public static class MetadataApi
{
    public const string Route = "api/projects/{id:guid}/deliverables/{did:guid}/metadata";

    public static IEndpointRouteBuilder MapMetadataApi(this IEndpointRouteBuilder app)
    {
        var metadata = app.MapGroup(Route).WithTags("Metadata")
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit)
            .AddEndpointFilter<ExportValidatorsFilter>()
            .AddEndpointFilter<ExportProgress.IdFilter>();
        metadata.MapGet("/dalles.geojson", TileIndexGeoJsonFile).WithName("TileIndexGeoJson")
            .WithSummary("Tile index: one polygon per tile with the CNIG RasterPCRS attributes and the technical ones")
            .WithDescription("?crs=wgs84 (default, RFC 7946) or ?crs=native (the deliverable's CRS, named in a \"crs\" member GDAL and QGIS read).")
            .Produces(StatusCodes.Status200OK, contentType: GeoJsonResult.ContentType);
        metadata.MapGet("/dalles.gpkg", TileIndexGeoPackageFile).WithName("TileIndexGeoPackage")
            .WithSummary("Tile index as a GeoPackage: layer dalles (deliverable's CRS) and dalles_wgs84")
            .Produces(StatusCodes.Status200OK, contentType: TileIndexGeoPackage.ContentType);
        metadata.MapGet("/dalles.shp.zip", TileIndexShapefileZip).WithName("TileIndexShapefile")
            .WithSummary("Tile index as a zipped ESRI Shapefile (DBF names shortened to 10 characters)")
            .WithDescription("?crs=native (default: the deliverable's CRS) or ?crs=wgs84.")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip");
        metadata.MapGet("/conformite.json", Conformity).WithName("ConformityReport")
            .WithSummary("Conformity report against the PCRS raster profile (resolution, CRS, bands, 8 bits, holes, overlaps, grid, errors)")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        metadata.MapGet("/iso19139.xml", Iso19139).WithName("Iso19139Record")
            .WithSummary("ISO 19139 / INSPIRE metadata record of the deliverable (CNIG guidance), for catalogue harvesters")
            .Produces(StatusCodes.Status200OK, contentType: "application/xml");
        app.MapGet("api/exports/progress/{progressId}", Progress).WithTags("Metadata").WithName("ExportProgress")
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit)
            .WithSummary("How far the server is in building an export asked with the header X-Progress-Id (tiles written so far)")
            .WithDescription("The id is the one the download request sent in X-Progress-Id; 404 once the response has ended or for an unknown id.");
        return app;
    }

    public static IResult Progress(string progressId, [FromServices] ExportProgress progress)
    {
        if (!ExportProgress.IsValidId(progressId))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["progressId"] = [ExportProgress.IdRule] });
        return progress.Find(progressId) is { } entry
            ? TypedResults.Ok(new ExportProgressState(entry.Written, entry.Expected))
            : TypedResults.NotFound();
    }

    public static async Task<IResult> Iso19139(Guid id, Guid did, HttpContext http, [FromServices] ITileMetadataReader allTiles,
        [FromServices] MetadataCache cache, [FromServices] ExportProgress progress, CancellationToken cancellationToken)
    {
        if (await DeliverableContext.FindAsync(http, id, did, cancellationToken) is not { } context || context.Aggregate?.Extent is null)
            return TypedResults.NotFound();
        var catalogue = progress.Track(http, allTiles, ConformityReport.TilesRead(context));
        var record = await cache.GetAsync(http, "iso19139", async () =>
        {
            var report = await ConformityReport.BuildAsync(context, catalogue, CancellationToken.None);
            double? resolution = null;
            await foreach (var tile in catalogue.ListAsync(context.Storage.StorageKey, context.Storage.StartPath, new TileQuery(Limit: 1)))
                resolution = tile.Resolution;
            var b = DeliverableContext.PlatformBase(http.Request);
            var self = $"{b}/api/projects/{id}/deliverables/{did}/metadata";
            var collection = Ogc.OgcCollections.DeliverableId(did);
            var links = new List<Iso19139Record.Link>
            {
                new($"{self}/dalles.geojson", "WWW:DOWNLOAD-1.0-http--download", "dalles.geojson", "Tableau d'assemblage (GeoJSON, WGS84)"),
                new($"{self}/dalles.gpkg", "WWW:DOWNLOAD-1.0-http--download", "dalles.gpkg", "Tableau d'assemblage (GeoPackage)"),
                new($"{b}/stac/collections/{collection}", "WWW:LINK-1.0-http--link", "STAC", "Collection STAC 1.1 du livrable"),
                new($"{b}/ogc/collections/{collection}", "OGC:API-Features", collection, "Dalles du livrable (OGC API – Features)"),
            };
            if (context.DownloadBase is { } download)
                links.Add(new(download, "WWW:DOWNLOAD-1.0-http--download", "fichiers", "Téléchargement des dalles par la plateforme"));
            if (context.Deliverable.Document.DiffusionUrl is { } diffusion)
            {
                var protocol = context.Deliverable.Document.Diffusion switch { "wms" => "OGC:WMS", "wmts" => "OGC:WMTS", "wfs" => "OGC:WFS", "tms" => "OSGeo:TMS", _ => "WWW:LINK-1.0-http--link" };
                links.Add(new(diffusion, protocol, context.Deliverable.Document.DiffusionLayer ?? context.Deliverable.Document.Name, "Service de diffusion déclaré"));
            }
            return Iso19139Record.Write(context, report["conforme"]?.GetValue<bool>(), context.Aggregate.ScannedAt, resolution, links);
        }, cancellationToken);
        return Results.Text(record, "application/xml; charset=utf-8");
    }

    public static async Task<IResult> Conformity(Guid id, Guid did, HttpContext http, [FromServices] ITileMetadataReader allTiles,
        [FromServices] MetadataCache cache, [FromServices] ExportProgress progress, CancellationToken cancellationToken)
    {
        if (await DeliverableContext.FindAsync(http, id, did, cancellationToken) is not { } context)
            return TypedResults.NotFound();
        var catalogue = progress.Track(http, allTiles, ConformityReport.TilesRead(context));
        var report = await cache.GetAsync(http, "conformite", () => ConformityReport.BuildAsync(context, catalogue, CancellationToken.None), cancellationToken);
        return Results.Text(report, "application/json; charset=utf-8");
    }

    /// <summary>The CRS asked for: null for WGS84, the deliverable's EPSG code for "native"; an error message otherwise.</summary>
    private static (int? Epsg, string? Error) Crs(string? crs, DeliverableContext context, string defaultCrs)
    {
        switch (crs ?? defaultCrs)
        {
            case "wgs84":
                return (null, null);
            case "native":
                return context.Epsg is { } epsg ? (epsg, null) : (null, "The deliverable's tiles do not share one CRS (or none was read): use crs=wgs84.");
            default:
                return (null, "Use \"wgs84\" or \"native\".");
        }
    }

    public static async Task<IResult> TileIndexGeoJsonFile(Guid id, Guid did, string? crs, HttpContext http,
        [FromServices] ITileMetadataReader allTiles, [FromServices] ExportProgress progress, CancellationToken cancellationToken)
    {
        if (await DeliverableContext.FindAsync(http, id, did, cancellationToken) is not { } context)
            return TypedResults.NotFound();
        var (epsg, error) = Crs(crs, context, "wgs84");
        if (error is not null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["crs"] = [error] });
        var catalogue = progress.Track(http, allTiles, context.Aggregate?.Tiles ?? 0);
        return new StreamedResult(async (response, ct) => await TileIndexGeoJson.WriteAsync(response, context, epsg, catalogue, ct));
    }

    public static async Task<IResult> TileIndexGeoPackageFile(Guid id, Guid did, HttpContext http,
        [FromServices] ITileMetadataReader allTiles, [FromServices] ExportProgress progress, CancellationToken cancellationToken)
    {
        if (await DeliverableContext.FindAsync(http, id, did, cancellationToken) is not { } context)
            return TypedResults.NotFound();
        var catalogue = progress.Track(http, allTiles, (context.Aggregate?.Tiles ?? 0) * TileIndexGeoPackage.Layers(context).Count);
        return TemporaryFileResponse.Create(TileIndexGeoPackage.ContentType, $"dalles-{did}.gpkg", async (file, ct) =>
        {
            await TileIndexGeoPackage.WriteAsync(file, context, catalogue, ct);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        });
    }

    public static async Task<IResult> TileIndexShapefileZip(Guid id, Guid did, string? crs, HttpContext http,
        [FromServices] ITileMetadataReader allTiles, [FromServices] ExportProgress progress, CancellationToken cancellationToken)
    {
        if (await DeliverableContext.FindAsync(http, id, did, cancellationToken) is not { } context)
            return TypedResults.NotFound();
        var (epsg, error) = Crs(crs, context, "native");
        if (error is not null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["crs"] = [error] });
        var catalogue = progress.Track(http, allTiles, context.Aggregate?.Tiles ?? 0);
        return TemporaryFileResponse.Create("application/zip", $"dalles-{did}.zip", async (file, ct) =>
        {
            await using var output = File.Create(file);
            await TileIndexShapefile.WriteZipAsync(output, "dalles", context, epsg ?? 4326, catalogue, ct);
        });
    }
}

/// <summary>An export's build progress: tiles written so far, out of those the writer reads in all.</summary>
public sealed record ExportProgressState(long Written, long Expected);

/// <summary>A response written by a delegate (files built while streaming).</summary>
public sealed class StreamedResult(Func<HttpContext, CancellationToken, Task> write) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => write(httpContext, httpContext.RequestAborted);
}
