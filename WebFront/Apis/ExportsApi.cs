using Microsoft.AspNetCore.Mvc;
using System.Text;
using Pcrs.Grains.Projects;
using Pcrs.WebFront.Catalogue;
using Pcrs.WebFront.Exports;
using Pcrs.WebFront.Projects;
using Pcrs.Grains.Catalogue;

namespace Pcrs.WebFront.Apis;

/// <summary>
/// The platform's export files ("fichiers de restitution"), built from the projects and the catalogue without
/// rescanning, streamed, excluding deleted projects and revoked storages (their declarations no longer exist).
/// </summary>
public static class ExportsApi
{
    public const string CsvContentType = "text/csv; charset=utf-8";

    public static IEndpointRouteBuilder MapExportsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/exports").WithTags("Exports")
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit)
            .AddEndpointFilter<ExportValidatorsFilter>()
            .CacheOutput(WebFrontPolicies.ScanDataCache);
        api.MapGet("/projets.csv", ProjectsCsv).WithName("ExportProjectsCsv").WithSummary("Projects (RFC 4180 CSV)")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        api.MapGet("/livrables.csv", DeliverablesCsv).WithName("ExportDeliverablesCsv").WithSummary("Deliverables (RFC 4180 CSV)")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        api.MapGet("/livrables.geojson", DeliverablesGeoJson).WithName("ExportDeliverablesGeoJson")
            .WithSummary("Deliverable extents, géostandard EmpriseDisponibilitePCRS fields (RFC 7946)")
            .Produces(StatusCodes.Status200OK, contentType: GeoJsonResult.ContentType);
        api.MapGet("/dalles.geojson", TilesGeoJson).WithName("ExportTilesGeoJson")
            .WithSummary("Every tile, géostandard RasterPCRS fields (RFC 7946)")
            .Produces(StatusCodes.Status200OK, contentType: GeoJsonResult.ContentType);
        return app;
    }

    public static async Task ProjectsCsv(HttpContext http, [FromServices] ProjectStore store, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var counts = new Dictionary<Guid, int>();
        await foreach (var (projectId, _, _) in store.ListDeliverablesAsync(cancellationToken))
            counts[projectId] = counts.GetValueOrDefault(projectId) + 1;
        await WriteCsvAsync(http, async csv =>
        {
            await csv.WriteRowAsync(["id", "nom", "regime", "nature", "statut", "date_statut", "budget", "perimetres", "nb_livrables", "acteurs", "subventions"]);
            foreach (var (id, p) in await store.ListAsync(cancellationToken))
            {
                var current = p.Steps.LastOrDefault(s => s.StartDate <= today);
                await csv.WriteRowAsync([
                    id, p.Name, p.Regime, p.Nature, current?.Status, current?.StartDate, p.Budget, string.Join(';', p.Perimeters),
                    counts.GetValueOrDefault(id), string.Join(';', p.Actors.Select(a => $"{a.Name ?? a.Siren} ({a.Role})")),
                    string.Join(';', p.Subsidies.Select(s => s.Name)),
                ]);
            }
        });
    }

    public static async Task DeliverablesCsv(HttpContext http, [FromServices] DeclaredDeliverables declared,
        [FromServices] ScanDataSummaries catalogue, CancellationToken cancellationToken)
    {
        await WriteCsvAsync(http, async csv =>
        {
            // publication, crs and compression are the platform's deprecated columns, kept empty so existing readers still work.
            await csv.WriteRowAsync([
                "projet_id", "projet_nom", "id", "nom", "nature", "licence", "diffusion", "diffusion_url", "diffusion_layer",
                "date_livraison", "avancement", "stockage", "stockage_public", "stockage_telechargement", "publication", "crs", "compression",
                "nb_dalles", "poids", "format", "epsg", "date_scan",
            ]);
            await foreach (var (projectId, project, d, storage) in declared.ListAllAsync(cancellationToken))
            {
                // Scan figures only for a proven declaration: a refused or unproven one shares nothing of the storage.
                var aggregate = storage is { IsProven: true } s ? await catalogue.SummarizeAsync(s.StorageKey, s.StartPath, cancellationToken) : null;
                await csv.WriteRowAsync([
                    projectId, project.Name, d.Id, d.Document.Name, d.Document.Nature, d.Document.Licence, d.Document.Diffusion,
                    d.Document.DiffusionUrl, d.Document.DiffusionLayer, d.Document.DeliveryDate, d.Document.Progress,
                    storage is null ? null : DeclaredStorages.Kind(storage), storage?.PublicConnection, storage?.DownloadAllowed, null, null, null,
                    aggregate?.Tiles, aggregate?.TotalBytes, aggregate?.Format, PcrsVocabulary.Epsg(aggregate?.Epsg), aggregate?.ScannedAt,
                ]);
            }
        });
    }

    public static GeoJsonResult DeliverablesGeoJson([FromServices] DeclaredDeliverables declared, [FromServices] ScanDataSummaries catalogue) =>
        DeclaredGeoJson.Deliverables(declared, catalogue, EmpriseDisponibiliteFeature.Shape.Exports);

    public static GeoJsonResult TilesGeoJson([FromServices] DeclaredDeliverables declared, [FromServices] ITileMetadataReader catalogue) =>
        DeclaredGeoJson.Tiles(declared, catalogue, RasterPcrsProperties.Shape.Exports);

    private static async Task WriteCsvAsync(HttpContext http, Func<CsvWriter, Task> write)
    {
        http.Response.ContentType = CsvContentType;
        // leaveOpen: disposing the writer must not dispose the response body, which the output cache has replaced by
        // its own capturing stream; closing that stream left the cached copy empty (every later answer: 200, 0 bytes).
        await using var text = new StreamWriter(http.Response.Body, new UTF8Encoding(false), 16 * 1024, leaveOpen: true);
        await write(new CsvWriter(text));
        await text.FlushAsync(http.RequestAborted);
    }
}
