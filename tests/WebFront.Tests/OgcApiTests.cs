using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Pcrs.WebFront.Tests;

/// <summary>The web front on a socket, for GDAL and Python outside the process.</summary>
public sealed class SocketFixture : WebFrontFixture
{
    protected override bool ListenOnSocket => true;
}

/// <summary>
/// OGC API – Features at /ogc, read by the ecosystem's own clients: GDAL's OAPIF driver lists the collections and pages
/// through 1,000 tiles (whole and within a bbox), python3-owslib's Features client reads the same; the JSON answers
/// carry the standard's links, counts and media types.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class OgcApiTests(SocketFixture web, ITestOutputHelper output) : IClassFixture<SocketFixture>
{
    private const int Columns = 40, Rows = 25;

    private static int Count(string ogrinfo) => Regex.Matches(ogrinfo, "^OGRFeature\\(", RegexOptions.Multiline).Count;

    [Fact]
    public async Task Gdal_and_owslib_read_collections_and_page_through_1000_tiles_with_a_bbox()
    {
        var grid = GridTiles.Prepare("ogc-40x25", Columns, Rows);
        var (project, d) = await GridTiles.ScannedProjectAsync(web, "OGC API", grid);
        using var client = web.Client();
        var root = client.BaseAddress!.ToString().TrimEnd('/') + "/ogc";
        var collection = "livrable-" + project.Deliverables[0];

        // The standard's resources, as JSON.
        var landing = await WebFrontFixture.ReadJsonAsync(await client.GetAsync("/ogc"));
        Assert.Equal(["self", "alternate", "service-desc", "conformance", "data"],
            landing["links"]!.AsArray().Select(l => l!["rel"]!.GetValue<string>()).ToArray());
        var conformance = await WebFrontFixture.ReadJsonAsync(await client.GetAsync("/ogc/conformance"));
        foreach (var c in new[] { "core", "geojson", "oas30", "html" })
            Assert.Contains($"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{c}", conformance["conformsTo"]!.AsArray().Select(n => n!.GetValue<string>()));
        var api = await client.GetAsync("/ogc/api");
        Assert.Equal("3.0.3", (await WebFrontFixture.ReadJsonAsync(api))["openapi"]!.GetValue<string>());
        var html = await client.GetAsync("/ogc/collections?f=html");
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);

        var page = await client.GetAsync($"/ogc/collections/{collection}/items?limit=100");
        Assert.Equal("application/geo+json", page.Content.Headers.ContentType?.MediaType);
        var first = await WebFrontFixture.ReadJsonAsync(page);
        Assert.Equal(Columns * Rows, first["numberMatched"]!.GetValue<long>());
        Assert.Equal(100, first["numberReturned"]!.GetValue<int>());
        Assert.Contains(first["links"]!.AsArray(), l => l!["rel"]!.GetValue<string>() == "next");
        var one = first["features"]![0]!;
        var single = await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/ogc/collections/{collection}/items/{one["id"]!.GetValue<string>()}"));
        Assert.Equal(one["properties"]!["nomImage"]!.GetValue<string>(), single["properties"]!["nomImage"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/ogc/collections/{collection}/items/absent.tif")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/ogc/collections/{collection}/items?bbox=1,2,3")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/ogc/collections/{collection}/items?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/ogc/collections/{collection}/items?datetime=hier")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/ogc/collections/livrable-{Guid.NewGuid()}/items")).StatusCode);

        // A box over the grid's western columns and northern rows, in WGS84, from the collection's own extent.
        var extent = (await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/ogc/collections/{collection}")))["extent"]!["spatial"]!["bbox"]![0]!.AsArray()
            .Select(v => v!.GetValue<double>()).ToArray();
        double[] box = [extent[0], extent[1] + (extent[3] - extent[1]) * 0.6, extent[0] + (extent[2] - extent[0]) * 0.3, extent[3]];
        string Invariant(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var boxed = await WebFrontFixture.ReadJsonAsync(await client.GetAsync(
            $"/ogc/collections/{collection}/items?limit=1&bbox={string.Join(',', box.Select(Invariant))}"));
        long inBox = boxed["numberMatched"]!.GetValue<long>();
        Assert.InRange(inBox, 100, 500);

        // GDAL: the collections, then every tile in pages of 100, then the tiles within the box.
        var layers = await Tools.RunAsync("ogrinfo", "-ro", "OAPIF:" + root);
        Assert.Contains("projets", layers, StringComparison.Ordinal);
        Assert.Contains(collection, layers, StringComparison.Ordinal);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var all = await Tools.RunAsync("ogrinfo", "-ro", "-al", "-q", "-oo", "PAGE_SIZE=100", "OAPIF:" + root, collection);
        Assert.Equal(Columns * Rows, Count(all));
        Assert.Equal(Columns * Rows, Regex.Matches(all, @"resolution \(Integer\) = 50\b").Count);
        output.WriteLine($"ogrinfo OAPIF read {Columns * Rows} tiles in pages of 100 in {watch.Elapsed.TotalSeconds:F1} s; load {File.ReadAllText("/proc/loadavg").Trim()}");
        var spatial = await Tools.RunAsync("ogrinfo", "-ro", "-al", "-q", "-oo", "PAGE_SIZE=100", "-spat",
            Invariant(box[0]), Invariant(box[1]), Invariant(box[2]), Invariant(box[3]), "OAPIF:" + root, collection);
        Assert.Equal(inBox, Count(spatial));

        // owslib's OGC API Features client.
        var script = """
            import json, sys
            from owslib.ogcapi.features import Features
            w = Features(sys.argv[1])
            items = w.collection_items(sys.argv[2], bbox=[float(v) for v in sys.argv[3].split(',')], limit=1000)
            print(json.dumps({"collections": w.feature_collections(), "conformance": w.conformance()["conformsTo"],
                              "matched": items["numberMatched"], "returned": len(items["features"]),
                              "title": w.collection(sys.argv[2])["title"]}))
            """;
        var owslib = JsonNode.Parse(await Tools.RunAsync("/usr/bin/python3", "-c", script, root, collection, string.Join(',', box.Select(Invariant))))!;
        Assert.Contains(collection, owslib["collections"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("projets", owslib["collections"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(inBox, owslib["matched"]!.GetValue<long>());
        Assert.Equal(inBox, owslib["returned"]!.GetValue<long>());

        // Revoked: the collection is gone from the list and from its routes.
        using (var editor = web.Client(project.EditorKey))
            Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"{d}/storage")).StatusCode);
        Assert.DoesNotContain(collection, await client.GetStringAsync("/ogc/collections"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/ogc/collections/{collection}/items")).StatusCode);
    }
}
