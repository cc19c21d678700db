using Pcrs.Grains.Catalogue;
using Pcrs.WebFront.Apis;
using Pcrs.WebFront.Catalogue;
using Pcrs.WebFront.Projects;

namespace Pcrs.WebFront.Exports;

/// <summary>
/// The two GeoJSON files over every proven declaration, written once for both places that publish them (/api/exports and
/// the platform's /data/stockages): livrables.geojson (one EmpriseDisponibilitePCRS feature a deliverable) and
/// dalles.geojson (one RasterPCRS feature a georeferenced tile); each place passes its own shape.
/// </summary>
public static class DeclaredGeoJson
{
    public static GeoJsonResult Deliverables(DeclaredDeliverables declared, ScanDataSummaries summaries, EmpriseDisponibiliteFeature.Shape shape) =>
        new(async (writer, ct) =>
        {
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            await foreach (var (projectId, project, d, storage) in declared.ListProvenAsync(ct))
            {
                var aggregate = await summaries.SummarizeAsync(storage.StorageKey, storage.StartPath, ct);
                if (aggregate?.Extent is not { } extent)
                    continue;
                // The emprise is the union of the tile footprints (an L-shaped delivery gets an L), computed once per scan.
                var emprise = await summaries.EmpriseAsync(storage.StorageKey, storage.StartPath, ct);
                var current = project.Steps.LastOrDefault(s => s.StartDate <= today);
                EmpriseDisponibiliteFeature.Write(writer, shape, projectId, project, d, aggregate, extent, emprise, current);
                await writer.FlushAsync(ct);
            }
        });

    public static GeoJsonResult Tiles(DeclaredDeliverables declared, ITileMetadataReader catalogue, RasterPcrsProperties.Shape shape) =>
        new(async (writer, ct) =>
        {
            int written = 0;
            await foreach (var (projectId, project, d, storage) in declared.ListProvenAsync(ct))
            {
                var subject = RasterPcrsSubject.Of(projectId, project, d.Document);
                await foreach (var tile in catalogue.ListAsync(storage.StorageKey, storage.StartPath, new TileQuery(), ct))
                {
                    if (tile.FootprintGeoJson is null)
                        continue;
                    RasterPcrsProperties.WriteFeature(writer, shape, subject, tile);
                    if (++written % GeoJsonResult.FlushEvery == 0)
                        await writer.FlushAsync(ct);
                }
            }
        });
}
