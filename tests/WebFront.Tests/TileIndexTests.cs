using System.Net;
using System.Text.RegularExpressions;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// The tile index ("tableau d'assemblage") of a scanned deliverable, opened by GDAL's own drivers: GeoJSON in WGS84
/// and in Lambert-93, GeoPackage with both layers, zipped Shapefile; the CNIG RasterPCRS attributes present, what the
/// scan cannot know left empty, and nothing left once the storage is revoked.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class TileIndexTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    private static readonly string[] Cnig =
    [
        "dateAcquisition", "dateRecette", "descriptionElementsQualite", "idPCRS", "nomImage",
        "precisionPlanimetriqueCorpsDeRue", "precisionPlanimetriqueZoneNaturelle", "resolution", "typeImage", "producteur",
    ];

    private static int FeatureCount(string ogrinfoSummary) =>
        int.Parse(Regex.Match(ogrinfoSummary, @"Feature Count: (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Tile_index_opens_in_gdal_as_geojson_geopackage_and_shapefile_in_both_crs()
    {
        // A 3 x 2 grid with one cell missing: 5 tiles.
        var grid = GridTiles.Prepare("index-3x2", 3, 2, skip: (c, r) => c == 2 && r == 1);
        var (project, d) = await GridTiles.ScannedProjectAsync(web, "Tableau d'assemblage", grid, downloadAllowed: true);
        using var anonymous = web.Client();
        var metadata = $"{d}/metadata";

        var wgs84 = await Tools.SaveAsync(await anonymous.GetAsync($"{metadata}/dalles.geojson"), ".geojson");
        var summary = await Tools.RunAsync("ogrinfo", "-ro", "-al", "-so", wgs84);
        Assert.Equal(5, FeatureCount(summary));
        Assert.Contains("WGS 84", summary, StringComparison.Ordinal);
        foreach (var field in Cnig.Concat(["chemin", "tailleOctets", "largeur", "hauteur", "compression", "epsg", "bandes", "url"]))
            Assert.Contains(field + ":", summary, StringComparison.Ordinal);
        var features = await Tools.RunAsync("ogrinfo", "-ro", "-al", "-q", wgs84);
        Assert.Equal(5, Regex.Matches(features, @"resolution \(Integer\) = 50\b").Count);
        Assert.Equal(5, Regex.Matches(features, @"typeImage \(String\) = image/tiff").Count);
        Assert.Equal(5, Regex.Matches(features, $@"idPCRS \(String\) = {project.Id}").Count);
        Assert.Equal(5, Regex.Matches(features, @"largeur \(Integer\) = 1000").Count);
        // Unknown to the scan: empty, never guessed.
        Assert.Equal(5, Regex.Matches(features, @"dateAcquisition \(String\) = \(null\)").Count);
        Assert.Equal(5, Regex.Matches(features, @"url \(String\) = http://[^\n]+/files/webfront-tests/index-3x2/t_\d{3}_\d{3}\.tif").Count);

        var native = await Tools.SaveAsync(await anonymous.GetAsync($"{metadata}/dalles.geojson?crs=native"), ".geojson");
        var nativeSummary = await Tools.RunAsync("ogrinfo", "-ro", "-al", "-so", native);
        Assert.Contains("Lambert-93", nativeSummary, StringComparison.Ordinal);
        // The grid's exact extent in metres: 3 columns of 500 m, 2 rows of 400 m.
        Assert.Contains("Extent: (652000.000000, 6862200.000000) - (653500.000000, 6863000.000000)", nativeSummary, StringComparison.Ordinal);

        var gpkg = await Tools.SaveAsync(await anonymous.GetAsync($"{metadata}/dalles.gpkg"), ".gpkg");
        var layers = await Tools.RunAsync("ogrinfo", "-ro", gpkg);
        Assert.Contains("dalles (Polygon)", layers, StringComparison.Ordinal);
        Assert.Contains("dalles_wgs84 (Polygon)", layers, StringComparison.Ordinal);
        var gpkgNative = await Tools.RunAsync("ogrinfo", "-ro", "-so", gpkg, "dalles");
        Assert.Equal(5, FeatureCount(gpkgNative));
        Assert.Contains("Extent: (652000.000000, 6862200.000000) - (653500.000000, 6863000.000000)", gpkgNative, StringComparison.Ordinal);
        foreach (var field in Cnig)
            Assert.Contains(field + ":", gpkgNative, StringComparison.Ordinal);
        Assert.Contains("resolution: Integer", gpkgNative, StringComparison.Ordinal);

        var shp = await Tools.SaveAsync(await anonymous.GetAsync($"{metadata}/dalles.shp.zip"), ".zip");
        var shpSummary = await Tools.RunAsync("ogrinfo", "-ro", "-al", "-so", "/vsizip/" + shp);
        Assert.Equal(5, FeatureCount(shpSummary));
        Assert.Contains("Lambert", shpSummary, StringComparison.Ordinal);
        Assert.Contains("nomImage: String", shpSummary, StringComparison.Ordinal);
        Assert.Contains("resolution: Integer", shpSummary, StringComparison.Ordinal);

        // ogr2ogr converts each of them (here to FlatGeobuf, in another CRS).
        foreach (var source in new[] { new[] { wgs84 }, [native], [gpkg, "dalles"], [gpkg, "dalles_wgs84"], ["/vsizip/" + shp] })
        {
            var target = Path.Combine(Path.GetTempPath(), $"pcrs-meta-{Guid.NewGuid():N}.fgb");
            await Tools.RunAsync("ogr2ogr", ["-f", "FlatGeobuf", "-t_srs", "EPSG:3857", target, .. source]);
            Assert.Equal(5, FeatureCount(await Tools.RunAsync("ogrinfo", "-ro", "-al", "-so", target)));
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync($"{metadata}/dalles.geojson?crs=mercator")).StatusCode);
        // Revoked: the metadata goes with the storage.
        using (var editor = web.Client(project.EditorKey))
            Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"{d}/storage")).StatusCode);
        foreach (var file in new[] { "dalles.geojson", "dalles.gpkg", "dalles.shp.zip" })
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{metadata}/{file}")).StatusCode);
    }

    [Fact]
    public async Task Declared_acquisition_and_acceptance_days_reach_every_tile_index_format()
    {
        var grid = GridTiles.Prepare("index-3x2", 3, 2, skip: (c, r) => c == 2 && r == 1);
        var (project, d) = await GridTiles.ScannedProjectAsync(web, "Dates déclarées", grid);
        await GridTiles.DeclareFactsAsync(web, project, "Dates déclarées");
        using var anonymous = web.Client();
        var metadata = $"{d}/metadata";

        var geojson = await Tools.RunAsync("ogrinfo", "-ro", "-al", "-q", await Tools.SaveAsync(await anonymous.GetAsync($"{metadata}/dalles.geojson"), ".geojson"));
        Assert.Equal(5, Regex.Matches(geojson, @"dateAcquisition \(Date\) = 2024/04/12").Count);
        Assert.Equal(5, Regex.Matches(geojson, @"dateRecette \(Date\) = 2024/10/15").Count);

        var gpkg = await Tools.SaveAsync(await anonymous.GetAsync($"{metadata}/dalles.gpkg"), ".gpkg");
        foreach (var layer in new[] { "dalles", "dalles_wgs84" })
        {
            var rows = await Tools.RunAsync("ogrinfo", "-ro", "-q", gpkg, layer);
            Assert.Equal(5, Regex.Matches(rows, @"dateAcquisition \(Date\) = 2024/04/12").Count);
            Assert.Equal(5, Regex.Matches(rows, @"dateRecette \(Date\) = 2024/10/15").Count);
        }

        var shp = await Tools.SaveAsync(await anonymous.GetAsync($"{metadata}/dalles.shp.zip"), ".zip");
        var dbf = await Tools.RunAsync("ogrinfo", "-ro", "-al", "-q", "/vsizip/" + shp);
        Assert.Equal(5, Regex.Matches(dbf, @"dateAcqui \(Date\) = 2024/04/12").Count);
        Assert.Equal(5, Regex.Matches(dbf, @"dateRecet \(Date\) = 2024/10/15").Count);
    }

    [Fact]
    public async Task Tile_urls_are_left_empty_when_the_owner_allowed_no_download()
    {
        var grid = GridTiles.Prepare("index-3x2", 3, 2, skip: (c, r) => c == 2 && r == 1);
        var (_, d) = await GridTiles.ScannedProjectAsync(web, "Sans téléchargement", grid);
        using var anonymous = web.Client();
        var features = await Tools.RunAsync("ogrinfo", "-ro", "-al", "-q",
            await Tools.SaveAsync(await anonymous.GetAsync($"{d}/metadata/dalles.geojson"), ".geojson"));
        Assert.Equal(5, Regex.Matches(features, @"url \(String\) = \(null\)").Count);
    }
}
