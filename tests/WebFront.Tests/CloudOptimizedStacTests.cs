using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// A cloud-optimised GeoTIFF made by GDAL's COG driver and a stripped GeoTIFF, served by nginx and scanned: the scan
/// records which one is cloud-optimised, STAC gives it the COG profile, the OGC API and the tile index say so, and GDAL's
/// STACIT driver still opens the search over both.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class CloudOptimizedStacTests(SocketFixture web) : IClassFixture<SocketFixture>
{
    private static async Task<string> PrepareAsync()
    {
        var folder = Path.Combine(Peers.DataDir, "webfront-tests", "cog");
        Directory.CreateDirectory(folder);
        var source = Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif");
        async Task Make(string name, params string[] options)
        {
            var target = Path.Combine(folder, name);
            if (File.Exists(target))
                return;
            var partial = target + ".part";
            await Tools.RunAsync("gdal_translate", [.. options, source, partial]);
            File.Move(partial, target, overwrite: true);
        }
        // Side by side (the fixture covers 652000-652500 E): GDAL's mosaic drops a source another one covers whole.
        await Make("cog.tif", "-q", "-of", "COG", "-outsize", "2048", "2048", "-co", "BLOCKSIZE=256", "-a_ullr", "652500", "6863000", "653000", "6862600");
        await Make("strips.tif", "-q", "-of", "GTiff", "-outsize", "2048", "2048", "-co", "TILED=NO");
        return "/webfront-tests/cog/";
    }

    [Fact]
    public async Task A_cog_made_by_gdal_gets_the_cloud_optimized_profile_and_a_stripped_tiff_does_not()
    {
        var path = await PrepareAsync();
        var (project, d) = await GridTiles.ScannedProjectAsync(web, "COG", path, publicConnection: true);
        using var client = web.Client();
        var collectionId = "livrable-" + project.Deliverables[0];

        var page = await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/stac/search?collections={collectionId}&limit=10"));
        var types = page["features"]!.AsArray().ToDictionary(
            f => f!["id"]!.GetValue<string>(), f => f!["assets"]!["image"]!["type"]!.GetValue<string>(), StringComparer.Ordinal);
        Assert.Equal("image/tiff; application=geotiff; profile=cloud-optimized", types["cog.tif"]);
        Assert.Equal("image/tiff; application=geotiff", types["strips.tif"]);
        foreach (var item in page["features"]!.AsArray())
            StacSchemas.AssertValid(StacSchemas.Item, item!);

        // The same flag in the OGC API items and the tile index.
        var items = await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/ogc/collections/{collectionId}/items?limit=10"));
        var cog = items["features"]!.AsArray().ToDictionary(f => f!["id"]!.GetValue<string>(), f => f!["properties"]!["cog"]!.GetValue<bool>(), StringComparer.Ordinal);
        Assert.True(cog["cog.tif"]);
        Assert.False(cog["strips.tif"]);
        var gpkg = await Tools.SaveAsync(await client.GetAsync($"{d}/metadata/dalles.gpkg"), ".gpkg");
        var rows = await Tools.RunAsync("ogrinfo", "-q", "-sql", "SELECT nomImage, cog FROM dalles_wgs84 ORDER BY nomImage", gpkg);
        Assert.Matches(@"nomImage \(String\) = cog\.tif\s+cog \(Integer\(Boolean\)\) = 1", rows);
        Assert.Matches(@"nomImage \(String\) = strips\.tif\s+cog \(Integer\(Boolean\)\) = 0", rows);
        var shp = await Tools.SaveAsync(await client.GetAsync($"{d}/metadata/dalles.shp.zip"), ".zip");
        var dbf = await Tools.RunAsync("ogrinfo", "-ro", "-q", "-sql", "SELECT nomImage, cog FROM dalles ORDER BY nomImage", "/vsizip/" + shp);
        // A DBF logical field: GDAL reads it as T/F or as a boolean integer depending on its version.
        Assert.Matches(@"nomImage \(String\) = cog\.tif\s+cog \([A-Za-z()]+\) = (T|1)\s", dbf);
        Assert.Matches(@"nomImage \(String\) = strips\.tif\s+cog \([A-Za-z()]+\) = (F|0)\s", dbf);

        // GDAL reads the COG profile as a GeoTIFF: its STACIT mosaic opens over both tiles.
        var root = client.BaseAddress!.ToString().TrimEnd('/');
        var info = await Tools.RunAsync("gdalinfo", $"STACIT:\"{root}/stac/search?collections={collectionId}\"");
        Assert.True(info.Contains("Size is 4096, 2048", StringComparison.Ordinal), info);
        Assert.True(info.Contains($"/vsicurl/http://127.0.0.1:{Peers.Nginx}/webfront-tests/cog/cog.tif", StringComparison.Ordinal), info);
        Assert.True(info.Contains($"/vsicurl/http://127.0.0.1:{Peers.Nginx}/webfront-tests/cog/strips.tif", StringComparison.Ordinal), info);
    }
}
