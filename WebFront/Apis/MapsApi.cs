using Microsoft.AspNetCore.Mvc;
using Pcrs.Grains.Projects;
using Pcrs.WebFront.Projects;
using Pcrs.WebFront.Catalogue;

namespace Pcrs.WebFront.Apis;

/// <summary>The national map's shapes: each project's scanned extent (the union of its tiles), simplified for a zoom level.</summary>
public static class MapsApi
{
    public const string ExtentsCache = "extents";

    public static IEndpointRouteBuilder MapMapsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("api/projects/extents", GetExtents)
            .WithTags("Projects")
            .WithName("GetProjectExtents")
            .WithSummary("Each project's scanned extent as a GeoJSON FeatureCollection (WGS84), simplified for ?zoom=0…18 (default 6)")
            .WithDescription("One feature per project with at least one scanned tile: the union of its declared deliverables' tile footprints, simplified within half a screen pixel at that zoom. Properties: id, name. Projects without a scan have no feature (see GET /api/projects).")
            .Produces(StatusCodes.Status200OK, contentType: GeoJsonResult.ContentType)
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit)
            .CacheOutput(ExtentsCache);
        app.MapGet("api/projects/{id:guid}/deliverables/{did:guid}/emprise", GetEmprise)
            .WithTags("Tiles")
            .WithName("GetDeliverableEmprise")
            .WithSummary("The deliverable's real extent: the union of its tile footprints as one GeoJSON Feature (WGS84)")
            .Produces(StatusCodes.Status200OK, contentType: GeoJsonResult.ContentType)
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit);
        return app;
    }

    public static async Task<IResult> GetEmprise(
        Guid id, Guid did, [FromServices] ProjectStore store, [FromServices] DeclaredDeliverables declared, [FromServices] ScanDataSummaries summaries,
        CancellationToken cancellationToken)
    {
        // Only a proven declaration shows its extent.
        if (await store.GetDeliverableAsync(id, did, cancellationToken) is null || await declared.GetProvenAsync(did, cancellationToken) is not { } storage)
            return TypedResults.NotFound();
        var emprise = await summaries.EmpriseAsync(storage.StorageKey, storage.StartPath, cancellationToken);
        return new GeoJsonFeatureResult(emprise);
    }

    /// <summary>One GeoJSON Feature with a stored geometry (null geometry before any tile was scanned).</summary>
    private sealed class GeoJsonFeatureResult(string? geometry) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.ContentType = GeoJsonResult.ContentType;
            await using var writer = new System.Text.Json.Utf8JsonWriter(httpContext.Response.Body);
            writer.WriteStartObject();
            writer.WriteString("type", "Feature");
            GeoJsonResult.WriteGeometry(writer, geometry);
            writer.WriteStartObject("properties");
            writer.WriteEndObject();
            writer.WriteEndObject();
            await writer.FlushAsync(httpContext.RequestAborted);
        }
    }

    public static async Task<GeoJsonResult> GetExtents(
        int? zoom, [FromServices] ProjectStore store, [FromServices] DeclaredDeliverables declared, [FromServices] ScanDataSummaries summaries,
        CancellationToken cancellationToken)
    {
        double tolerance = EmpriseMerger.ToleranceAt(Math.Clamp(zoom ?? 6, 0, 18));
        var names = (await store.ListAsync(cancellationToken)).ToDictionary(p => p.Id, p => p.Document.Name);
        var emprises = new Dictionary<Guid, List<string>>();
        await foreach (var (projectId, _, _, storage) in declared.ListProvenAsync(cancellationToken))
        {
            if (!names.ContainsKey(projectId))
                continue;
            if (await summaries.EmpriseAsync(storage.StorageKey, storage.StartPath, cancellationToken) is not { } emprise)
                continue;
            if (!emprises.TryGetValue(projectId, out var list))
                emprises[projectId] = list = [];
            list.Add(emprise);
        }
        var shapes = await Task.Run(() => emprises.Select(e => (Id: e.Key, Geometry: EmpriseMerger.Merge(e.Value, tolerance))).ToList(), cancellationToken);
        return new GeoJsonResult((writer, _) =>
        {
            foreach (var (id, geometry) in shapes)
            {
                if (geometry is null)
                    continue;
                writer.WriteStartObject();
                writer.WriteString("type", "Feature");
                writer.WriteString("id", id);
                GeoJsonResult.WriteGeometry(writer, geometry);
                writer.WriteStartObject("properties");
                writer.WriteString("id", id);
                writer.WriteString("name", names[id]);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            return Task.CompletedTask;
        });
    }
}
