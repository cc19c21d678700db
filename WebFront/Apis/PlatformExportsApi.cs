using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Projects;
using Pcrs.WebFront.Catalogue;
using Pcrs.WebFront.Exports;
using Pcrs.WebFront.Projects;
using Pcrs.WebFront.Validation;

namespace Pcrs.WebFront.Apis;

/// <summary>
/// The export files of the platform in use (pcrs.beta.gouv.fr), at its paths (/data/…), column for column and in its
/// order, so that what reusers already read from it reads these unchanged. Differences, all deliberate: a header line
/// even when a table is empty; contact e-mail and phone left empty in tours-de-table.csv (personal data); a deleted
/// project's name left empty in changes.csv; geometries are where the scanned data lies (see <see cref="ProjectGeometry"/>); dalles.geojson
/// spells the RasterPCRS fields as the CNIG schema does. The earlier files under /api/exports stay as they were.
/// </summary>
public static class PlatformExportsApi
{
    public static IEndpointRouteBuilder MapPlatformExportsApi(this IEndpointRouteBuilder app)
    {
        var data = app.MapGroup("data").WithTags("Platform exports")
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit)
            .AddEndpointFilter<ExportValidatorsFilter>();
        const string csv = "text/csv";
        const string csvNote = " RFC 4180; ?separator=semicolon for French spreadsheets (BOM, ';', decimal comma). ETag / 304.";
        data.MapGet("/projets.csv", Projects).WithName("PlatformProjectsCsv").WithSummary("projets.csv as the platform writes it")
            .WithDescription("Columns id_projet, nom, regime, nature, budget, statut, one date per status, and geometrie (WKT, WGS84) with ?includesWkt=1." + csvNote)
            .Produces(StatusCodes.Status200OK, contentType: csv);
        data.MapGet("/livrables.csv", Deliverables).WithName("PlatformDeliverablesCsv").WithSummary("livrables.csv as the platform writes it")
            .WithDescription(csvNote).Produces(StatusCodes.Status200OK, contentType: csv);
        data.MapGet("/tours-de-table.csv", Actors).WithName("PlatformActorsCsv").WithSummary("tours-de-table.csv without contact e-mail or phone")
            .WithDescription(csvNote).Produces(StatusCodes.Status200OK, contentType: csv);
        data.MapGet("/subventions.csv", Subsidies).WithName("PlatformSubsidiesCsv").WithSummary("subventions.csv")
            .WithDescription(csvNote).Produces(StatusCodes.Status200OK, contentType: csv);
        data.MapGet("/territoires.csv", Territories).WithName("PlatformTerritoriesCsv").WithSummary("territoires.csv")
            .WithDescription(csvNote).Produces(StatusCodes.Status200OK, contentType: csv);
        data.MapGet("/changes.csv", Changes).WithName("PlatformChangesCsv").WithSummary("Projects created, updated or deleted since a date")
            .WithDescription("?since=YYYY-MM-DD or an ISO 8601 instant (default 2010-01-01), newest first." + csvNote)
            .Produces(StatusCodes.Status200OK, contentType: csv);
        data.MapGet("/projets.geojson", ProjectsGeoJson).WithName("PlatformProjectsGeoJson")
            .WithSummary("Projects as a FeatureCollection (the platform's /projets/geojson properties)")
            .Produces(StatusCodes.Status200OK, contentType: GeoJsonResult.ContentType);
        data.MapGet("/stockages/livrables.geojson", DeliverablesGeoJson).WithName("PlatformDeliverablesGeoJson")
            .WithSummary("Deliverable extents with the EmpriseDisponibilitePCRS properties, as the platform writes them")
            .Produces(StatusCodes.Status200OK, contentType: GeoJsonResult.ContentType);
        data.MapGet("/stockages/dalles.geojson", TilesGeoJson).WithName("PlatformTilesGeoJson")
            .WithSummary("Every tile with the RasterPCRS fields spelled as in the CNIG schema")
            .Produces(StatusCodes.Status200OK, contentType: GeoJsonResult.ContentType);
        return app;
    }

    private static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    public static Task<IResult> Projects(HttpContext http, string? includesWkt, [FromServices] ProjectStore store, [FromServices] DeclaredDeliverables declared,
        [FromServices] ScanDataSummaries summaries, [FromServices] CsvExport export) =>
        export.WriteAsync(http, async (csv, ct) =>
        {
            bool wkt = includesWkt is "1" or "true";
            var header = new List<string> { "id_projet", "nom", "regime", "nature", "budget", "statut" };
            header.AddRange(ProjectVocabulary.StepStatuses.Select(s => s + "_date"));
            if (wkt)
                header.Add("geometrie");
            await csv.WriteRowAsync(header);
            var geometries = wkt ? await GeometriesAsync(declared, summaries, ct) : [];
            foreach (var (id, p) in await store.ListAsync(ct))
            {
                var row = new List<object?> { id, p.Name, p.Regime, p.Nature, p.Budget, p.CurrentStatus(Today) };
                // The first step with each status, as the platform takes it.
                row.AddRange(ProjectVocabulary.StepStatuses.Select(s => (object?)p.Steps.FirstOrDefault(step => step.Status == s)?.StartDate));
                if (wkt)
                    row.Add(geometries.TryGetValue(id, out var g) ? ProjectGeometry.Wkt(g) : null);
                await csv.WriteRowAsync(row);
            }
        });

    public static Task<IResult> Deliverables(HttpContext http, [FromServices] DeclaredDeliverables declared, [FromServices] CsvExport export) =>
        export.WriteAsync(http, async (csv, ct) =>
        {
            await csv.WriteRowAsync([
                "ref_projet", "nom_projet", "nom", "nature", "date_livraison", "licence", "diffusion", "diffusion_url", "diffusion_layer",
                "stockage", "stockage_public", "avancement", "recouvr_lat", "recouvr_lon", "focale", "cout", "publication", "crs", "compression",
            ]);
            await foreach (var (projectId, project, d, storage) in declared.ListAllAsync(ct))
            {
                var doc = d.Document;
                // The platform writes true or nothing for booleans; publication, crs and compression are its deprecated empty columns.
                await csv.WriteRowAsync([
                    projectId, project.Name, doc.Name, doc.Nature, doc.DeliveryDate, doc.Licence, doc.Diffusion, doc.DiffusionUrl, doc.DiffusionLayer,
                    storage is null ? null : DeclaredStorages.Kind(storage), storage?.PublicConnection == true ? true : null, doc.Progress,
                    doc.SideOverlap, doc.ForwardOverlap, doc.FocalLength, doc.Cost, null, null, null,
                ]);
            }
        });

    public static Task<IResult> Actors(HttpContext http, [FromServices] ProjectStore store, [FromServices] CsvExport export) =>
        export.WriteAsync(http, async (csv, ct) =>
        {
            await csv.WriteRowAsync([
                "ref_projet", "nom_projet", "nom_acteur", "siren_acteur", "interlocuteur", "mail", "telephone", "role", "finance_part_perc", "finance_part_euro",
            ]);
            foreach (var (id, p) in await store.ListAsync(ct))
            {
                foreach (var a in p.Actors)
                    await csv.WriteRowAsync([id, p.Name, a.Name, a.Siren, a.Contact, null, null, a.Role, a.FinancingPercent, a.FinancingEuros]);
            }
        });

    public static Task<IResult> Subsidies(HttpContext http, [FromServices] ProjectStore store, [FromServices] CsvExport export) =>
        export.WriteAsync(http, async (csv, ct) =>
        {
            await csv.WriteRowAsync(["ref_projet", "nom_projet", "nom", "nature", "montant", "echeance"]);
            foreach (var (id, p) in await store.ListAsync(ct))
            {
                foreach (var s in p.Subsidies)
                    await csv.WriteRowAsync([id, p.Name, s.Name, s.Nature, s.Amount, s.Date]);
            }
        });

    public static Task<IResult> Territories(HttpContext http, [FromServices] ProjectStore store, [FromServices] CsvExport export) =>
        export.WriteAsync(http, async (csv, ct) =>
        {
            await csv.WriteRowAsync(["ref_projet", "nature_territoire", "reference"]);
            foreach (var (id, p) in await store.ListAsync(ct))
            {
                foreach (var perimeter in p.Perimeters)
                {
                    int colon = perimeter.IndexOf(':', StringComparison.Ordinal);
                    await csv.WriteRowAsync([id, colon < 0 ? null : perimeter[..colon], colon < 0 ? perimeter : perimeter[(colon + 1)..]]);
                }
            }
        });

    public static async Task<IResult> Changes(HttpContext http, string? since, [FromServices] ProjectStore store, [FromServices] CsvExport export)
    {
        var from = new DateTimeOffset(2010, 1, 1, 0, 0, 0, TimeSpan.Zero);
        if (!string.IsNullOrEmpty(since))
        {
            if (DateOnly.TryParseExact(since, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            else if (DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
                from = instant;
            else
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["since"] = ["Expected a date (YYYY-MM-DD) or an ISO 8601 instant."] });
        }
        return await export.WriteAsync(http, async (csv, ct) =>
        {
            await csv.WriteRowAsync(["ref_projet", "nom_projet", "action", "update_date"]);
            await foreach (var change in store.ListChangesAsync(from, ct))
            {
                // The platform prints JavaScript's Date.toISOString(): milliseconds and Z.
                await csv.WriteRowAsync([change.Id, change.Name, change.Action,
                    change.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)]);
            }
        });
    }

    public static GeoJsonResult ProjectsGeoJson([FromServices] ProjectStore store, [FromServices] DeclaredDeliverables declared, [FromServices] ScanDataSummaries summaries) =>
        new(async (writer, ct) =>
        {
            var geometries = await GeometriesAsync(declared, summaries, ct);
            foreach (var (id, p) in await store.ListAsync(ct))
            {
                var current = p.Steps.LastOrDefault(s => s.StartDate <= Today);
                writer.WriteStartObject();
                writer.WriteString("type", "Feature");
                writer.WriteString("id", id.ToString());
                GeoJsonResult.WriteGeometry(writer, geometries.TryGetValue(id, out var g) ? ProjectGeometry.GeoJson(g) : null);
                writer.WriteStartObject("properties");
                writer.WriteString("_id", id.ToString());
                writer.WriteString("nom", p.Name);
                writer.WriteString("statut", current?.Status);
                writer.WriteString("dateStatut", current is null ? null : ProjectViews.Date(current.StartDate));
                var aplc = p.Actors.FirstOrDefault(a => a.Role is "aplc" or "porteur");
                writer.WriteString("aplc", aplc is null ? null : aplc.Name ?? aplc.Siren);
                writer.WriteStartArray("acteurs");
                foreach (var name in p.Actors.Select(a => (a.Name ?? a.Siren).ToLowerInvariant()).Distinct(StringComparer.Ordinal))
                    writer.WriteStringValue(name);
                writer.WriteEndArray();
                writer.WriteString("nature", p.Nature);
                writer.WriteString("regime", p.Regime);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
        });

    public static GeoJsonResult DeliverablesGeoJson([FromServices] DeclaredDeliverables declared, [FromServices] ScanDataSummaries summaries) =>
        DeclaredGeoJson.Deliverables(declared, summaries, EmpriseDisponibiliteFeature.Shape.Platform);

    public static GeoJsonResult TilesGeoJson([FromServices] DeclaredDeliverables declared, [FromServices] ITileMetadataReader catalogue) =>
        DeclaredGeoJson.Tiles(declared, catalogue, RasterPcrsProperties.Shape.Platform);

    /// <summary>Each project's geometry: the union of its scanned deliverables' emprises (computed once per scan each).</summary>
    private static async Task<Dictionary<Guid, NetTopologySuite.Geometries.Geometry>> GeometriesAsync(
        DeclaredDeliverables declared, ScanDataSummaries summaries, CancellationToken ct)
    {
        var emprises = new Dictionary<Guid, List<string>>();
        await foreach (var (projectId, _, _, storage) in declared.ListProvenAsync(ct))
        {
            if (await summaries.EmpriseAsync(storage.StorageKey, storage.StartPath, ct) is { } emprise)
                (emprises.TryGetValue(projectId, out var list) ? list : emprises[projectId] = []).Add(emprise);
        }
        var result = new Dictionary<Guid, NetTopologySuite.Geometries.Geometry>();
        foreach (var (id, list) in emprises)
        {
            if (ProjectGeometry.Union(list) is { } union)
                result[id] = union;
        }
        return result;
    }
}
