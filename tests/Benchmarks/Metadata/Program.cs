using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pcrs.Benchmarks.Metadata;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Projects;
using Pcrs.WebFront.Metadata;
using Pcrs.WebFront.Stac;

// One metadata file of a deliverable of N synthetic tiles, written as the routes write it, in a process of its own:
//   stac            the static STAC catalogue ZIP (StacStaticCatalogue, into a temporary file)
//   shp             the Shapefile ZIP (TileIndexShapefile, into a temporary file: the route since this benchmark)
//   shp-in-memory   the same ZIP into a MemoryStream, as the route did before (kept for comparison)
//   gpkg            the GeoPackage (TileIndexGeoPackage, SQLite temporary file)
// Prints one JSON line: the live heap (after full collections) at the start, every 10,000 tiles and once the file is
// written while its output is still held; peak extra = the largest sample minus the start; peak RSS (VmHWM).
// Usage: Pcrs.Benchmarks.Metadata <mode> [tiles]
var mode = args.Length > 0 ? args[0] : "stac";
int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;

var projectId = Guid.Parse("01a24df7-aa81-7f3c-8b1e-2d4c6e8f0a1b");
var deliverableId = Guid.Parse("01a24df7-aa87-7c1e-9d2b-3f1e5a6b7c8d");
var project = new ProjectDocument
{
    Name = "Département de référence",
    Regime = "production",
    Nature = "raster",
    Actors = [new ProjectActor("200039865", "Syndicat départemental", null, "porteur", null, "sig@example.org", 100, null),
              new ProjectActor("552081317", "Prestataire vol", null, "presta_vol", null, null, null, null)],
};
var deliverable = new StoredDeliverable(deliverableId, projectId, new DeliverableDocument
{
    Name = "Orthophotographie 5 cm", Nature = "geotiff", Licence = "ouvert_lo",
    AcquisitionDate = new DateOnly(2026, 4, 12), AcceptanceDate = new DateOnly(2026, 10, 15), FocalLength = 100,
});
var declaration = new DeclarationRow
{
    DeliverableId = deliverableId.ToString(), StorageKey = "http://bench.example.org:80", Scheme = "http", StartPath = "/pcrs/",
    PublicConnection = true, DownloadAllowed = true, State = DeclarationState.Proven,
};
var aggregate = new CatalogueAggregate(count, 48_012_345L * count, "GTiff", "JPEG", 2154, ["Red", "Green", "Blue"],
    new GeoBox(2.0, 49.0 - 0.0018 * (count / 400 + 1), 2.0 + 0.0027 * 400, 49.0), DateTimeOffset.UtcNow);
var context = new DeliverableContext(projectId, project, deliverable, declaration, aggregate,
    $"https://pcrs.example.org/api/projects/{projectId}/deliverables/{deliverableId}/files", null);
var tiles = new SyntheticTiles(count, declaration.StorageKey, declaration.StartPath);

long baseline = SyntheticTiles.LiveHeap();
long rssBefore = VmHwm();
long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
var file = Path.Combine(Path.GetTempPath(), $"pcrs-bench-metadata-{Guid.NewGuid():N}");
var watch = Stopwatch.StartNew();
long written, afterWrite;
try
{
    switch (mode)
    {
        case "stac":
            await using (var output = File.Create(file))
            {
                await StacStaticCatalogue.WriteAsync(output, context, tiles, CancellationToken.None);
                afterWrite = SyntheticTiles.LiveHeap();
            }
            written = new FileInfo(file).Length;
            break;
        case "shp":
            await using (var output = File.Create(file))
            {
                await TileIndexShapefile.WriteZipAsync(output, "dalles", context, 2154, tiles, CancellationToken.None);
                afterWrite = SyntheticTiles.LiveHeap();
            }
            written = new FileInfo(file).Length;
            break;
        case "shp-in-memory":
            using (var buffer = new MemoryStream())
            {
                await TileIndexShapefile.WriteZipAsync(buffer, "dalles", context, 2154, tiles, CancellationToken.None);
                afterWrite = SyntheticTiles.LiveHeap();
                written = buffer.Length;
            }
            break;
        case "gpkg":
            await TileIndexGeoPackage.WriteAsync(file, context, tiles, CancellationToken.None);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            afterWrite = SyntheticTiles.LiveHeap();
            written = new FileInfo(file).Length;
            break;
        default:
            Console.Error.WriteLine($"unknown mode {mode}: stac, shp, shp-in-memory, gpkg");
            return 2;
    }
}
finally
{
    File.Delete(file);
}
watch.Stop();
var samples = tiles.Samples.Select(s => s.LiveBytes).Append(afterWrite).ToList();
Console.WriteLine(JsonSerializer.Serialize(new
{
    mode,
    tiles = count,
    seconds = Math.Round(watch.Elapsed.TotalSeconds, 1),
    fileBytes = written,
    baselineLiveMB = MB(baseline),
    peakExtraLiveMB = MB(samples.Max() - baseline),
    afterWriteExtraLiveMB = MB(afterWrite - baseline),
    extraLiveMBEvery10000 = tiles.Samples.Select(s => MB(s.LiveBytes - baseline)).ToArray(),
    allocatedMB = MB(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore),
    vmHwmBeforeMB = MB(rssBefore),
    vmHwmAfterMB = MB(VmHwm()),
}));
return 0;

static double MB(long bytes) => Math.Round(bytes / 1048576.0, 1);

// Peak resident set of this process (Linux), in bytes.
static long VmHwm()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
    return 0;
}
