using System.Net;
using System.Text.Json.Nodes;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// The two published dalles.geojson files come from one writer and keep the names each one published: the platform's
/// file the géostandard's spellings, /api/exports its own; the same tile carries the same facts in both.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class TileFeatureShapesTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    // Written out here, not taken from the product: a rename there must fail this test.
    private static readonly string[] PlatformKeys =
    [
        "dateAcquisition", "dateRecette", "descriptionElementsQualite", "idPCRS", "nomImage",
        "precisionPlanimetriqueCorpsDeRue", "precisionPlanimetriqueZoneNaturelle", "resolution", "typeImage", "producteur",
        "licence", "tailleFichier", "tailleImage", "compression", "epsg", "bandes", "open", "focale",
    ];

    private static readonly string[] ExportsKeys =
    [
        "dateAcquisition", "dateRecette", "descriptionElementsQualite", "idPCRS", "nomImage",
        "precisionplanimetriqueCorpsdeRue", "precisionplanimetriqueZonesNaturelles", "resolution", "typeImage", "producteur",
        "licence", "tailleFichier", "tailleImage", "compression", "epsg", "bandes", "open", "focale",
    ];

    private static async Task<Dictionary<string, JsonObject>> TilesAsync(HttpClient client, string route, Guid projectId)
    {
        var response = await client.GetAsync(route);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await WebFrontFixture.ReadJsonAsync(response);
        return json["features"]!.AsArray()
            .Select(f => f!["properties"]!.AsObject())
            .Where(p => p["idPCRS"]?.GetValue<string>() == projectId.ToString())
            .ToDictionary(p => p["nomImage"]!.GetValue<string>(), StringComparer.Ordinal);
    }

    [Fact]
    public async Task Both_dalles_geojson_keep_their_published_names_and_agree_on_every_fact()
    {
        var grid = GridTiles.Prepare("shapes-2x1", 2, 1);
        var (project, _) = await GridTiles.ScannedProjectAsync(web, "Deux formes de dalles", grid);
        using var anonymous = web.Client();

        var platform = await TilesAsync(anonymous, "/data/stockages/dalles.geojson", project.Id);
        var exports = await TilesAsync(anonymous, "/api/exports/dalles.geojson", project.Id);
        Assert.Equal(["t_000_000.tif", "t_001_000.tif"], platform.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(platform.Keys.Order(StringComparer.Ordinal), exports.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, p) in platform)
        {
            var e = exports[name];
            Assert.Equal(PlatformKeys, p.Select(kv => kv.Key));
            Assert.Equal(ExportsKeys, e.Select(kv => kv.Key));
            // 0.5 m: whole centimetres on the platform's file, centimetres with decimals in the exports (50 either way here).
            Assert.Equal(50, p["resolution"]!.GetValue<int>());
            Assert.Equal(50.0, e["resolution"]!.GetValue<double>());
            Assert.Equal("image/tiff", p["typeImage"]!.GetValue<string>());
            Assert.Equal("800x1000", p["tailleImage"]!.GetValue<string>());
            Assert.Equal("EPSG:2154", p["epsg"]!.GetValue<string>());
            Assert.True(p["tailleFichier"]!.GetValue<long>() > 0);
            Assert.Null(p["dateAcquisition"]);
            Assert.Null(p["precisionPlanimetriqueCorpsDeRue"]);
            Assert.Null(e["precisionplanimetriqueCorpsdeRue"]);
            // Every other field: the same value under the same name.
            foreach (var key in PlatformKeys.Intersect(ExportsKeys, StringComparer.Ordinal).Where(k => k != "resolution"))
                Assert.True(JsonNode.DeepEquals(p[key], e[key]), $"{name} {key}: {p[key]?.ToJsonString()} != {e[key]?.ToJsonString()}");
        }
    }
}
