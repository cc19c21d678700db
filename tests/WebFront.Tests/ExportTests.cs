using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// The export files through a real scan (nginx): declared media types, RFC 4180 quoting, the emprise of an L-shaped
/// delivery, and revoked storages and deleted projects gone from every file at once.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class ExportTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    // ESRI WKT of Lambert-93, as ArcGIS writes it next to a world file (gdalsrsinfo -o wkt_esri EPSG:2154).
    private const string Lambert93Prj =
        "PROJCS[\"RGF_1993_Lambert_93\",GEOGCS[\"GCS_RGF_1993\",DATUM[\"D_RGF_1993\",SPHEROID[\"GRS_1980\",6378137.0,298.257222101]]," +
        "PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Lambert_Conformal_Conic\"]," +
        "PARAMETER[\"False_Easting\",700000.0],PARAMETER[\"False_Northing\",6600000.0],PARAMETER[\"Central_Meridian\",3.0]," +
        "PARAMETER[\"Standard_Parallel_1\",49.0],PARAMETER[\"Standard_Parallel_2\",44.0],PARAMETER[\"Latitude_Of_Origin\",46.5],UNIT[\"Meter\",1.0]]";

    /// <summary>
    /// Three tiles of 500 m x 400 m (the fixture without georeferencing, 1000 x 800 px at 0.5 m) placed by world files at
    /// grid cells (0,0), (0,1) and (1,1): an L whose bounding box has a fourth, empty cell.
    /// </summary>
    private static string PrepareLShapedTiles()
    {
        var folder = Path.Combine(Peers.DataDir, "webfront-tests", "emprise-l");
        Directory.CreateDirectory(folder);
        (string Name, int Column, int Row)[] cells = [("l_0_0", 0, 0), ("l_0_1", 0, 1), ("l_1_1", 1, 1)];
        foreach (var (name, column, row) in cells)
        {
            var tile = Path.Combine(folder, name + ".tif");
            if (!File.Exists(tile))
                File.Copy(Path.Combine(Peers.FixturesDir, "nogeo_rgb_with_tfw.tif"), tile);
            // World file: pixel size, rotations, then the centre of the top-left pixel; rows go south.
            double west = 652000 + column * 500, north = 6863000 - row * 400;
            File.WriteAllText(Path.ChangeExtension(tile, ".tfw"), FormattableString.Invariant($"0.5\n0\n0\n-0.5\n{west + 0.25}\n{north - 0.25}\n"));
            File.WriteAllText(Path.ChangeExtension(tile, ".prj"), Lambert93Prj);
        }
        return folder;
    }

    private async Task<(CreatedProject Project, string Deliverable)> ProjectOnLTilesAsync(string name)
    {
        var project = await web.CreateProjectAsync(name);
        var d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}";
        using var editor = web.Client(project.EditorKey);
        var declare = await editor.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "http", ["url"] = $"http://127.0.0.1:{Peers.Nginx}/webfront-tests/emprise-l/",
            ["publicConnection"] = false, ["downloadAllowed"] = false,
        });
        Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);
        using var anonymous = web.Client();
        await ScanStates.SucceededAsync(anonymous, d);
        return (project, d);
    }

    private static async Task<JsonArray> FeaturesAsync(HttpClient client, string route)
    {
        var response = await client.GetAsync(route);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        var json = await WebFrontFixture.ReadJsonAsync(response);
        Assert.Equal("FeatureCollection", json["type"]!.GetValue<string>());
        return json["features"]!.AsArray();
    }

    private static async Task<string> CsvAsync(HttpClient client, string route)
    {
        var response = await client.GetAsync(route);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        return await response.Content.ReadAsStringAsync();
    }

    private static IEnumerable<JsonNode> Of(JsonArray features, string property, Guid id) =>
        features.Where(f => f!["properties"]![property]?.GetValue<string>() == id.ToString()).Select(f => f!);

    [Fact]
    public async Task An_L_shaped_delivery_gets_an_L_shaped_emprise_not_its_box()
    {
        PrepareLShapedTiles();
        var (project, _) = await ProjectOnLTilesAsync("Projet en L");
        using var anonymous = web.Client();

        var feature = Assert.Single(Of(await FeaturesAsync(anonymous, "/api/exports/livrables.geojson"), "initiative", project.Id));
        var geometry = feature["geometry"]!;
        Assert.Equal("Polygon", geometry["type"]!.GetValue<string>());
        var ring = geometry["coordinates"]![0]!.AsArray().Select(p => (X: p![0]!.GetValue<double>(), Y: p[1]!.GetValue<double>())).ToList();
        // Six corners (the joints of the three tiles are merged away) and the closing point.
        Assert.Equal(7, ring.Count);
        Assert.Equal(ring[0], ring[^1]);
        // RFC 7946: the exterior ring is counter-clockwise (positive area); three cells of the four in its box.
        double area = 0;
        for (int i = 0; i < ring.Count - 1; i++)
            area += ring[i].X * ring[i + 1].Y - ring[i + 1].X * ring[i].Y;
        area /= 2;
        Assert.True(area > 0, "exterior ring is clockwise");
        double boxArea = (ring.Max(p => p.X) - ring.Min(p => p.X)) * (ring.Max(p => p.Y) - ring.Min(p => p.Y));
        Assert.InRange(area / boxArea, 0.74, 0.76);
        // The géostandard fields stay.
        var properties = feature["properties"]!;
        Assert.Equal("01", properties["calendrier"]!.GetValue<string>());
        Assert.Equal("image/tiff", properties["format"]!.GetValue<string>());
        Assert.Equal("EPSG:2154", properties["epsg"]!.GetValue<string>());
        Assert.Equal(3, properties["nbDalles"]!.GetValue<long>());
        Assert.Equal("ouvert_lo", properties["licence"]!.GetValue<string>());
        Assert.Equal(["initiative", "dateActualite", "calendrier", "nom", "format", "compression", "epsg", "taille", "nbDalles",
            "recouvrLat", "recouvrLon", "focale", "licence", "subventions", "acteurs", "diffusion", "diffusionUrl", "diffusionLayer"],
            properties.AsObject().Select(p => p.Key));

        // Each tile keeps its own footprint in dalles.geojson: its four corners (the scanner's densified edge points
        // are straight within 1 cm at this size and are not written), rounded to 1e-7°.
        var tiles = Of(await FeaturesAsync(anonymous, "/api/exports/dalles.geojson"), "idPCRS", project.Id).ToList();
        Assert.Equal(3, tiles.Count);
        foreach (var tile in tiles)
        {
            var corners = tile["geometry"]!["coordinates"]![0]!.AsArray();
            Assert.Equal(5, corners.Count);
            Assert.All(corners, p => Assert.Equal(Math.Round(p![0]!.GetValue<double>(), 7), p[0]!.GetValue<double>()));
        }
    }

    [Fact]
    public async Task Csv_files_are_rfc4180_and_revoked_or_deleted_data_leave_every_export_at_once()
    {
        PrepareLShapedTiles();
        const string awkwardName = "Métropole \"Nord\", lot 1";
        var (kept, _) = await ProjectOnLTilesAsync(awkwardName);
        var (revoked, revokedRoute) = await ProjectOnLTilesAsync("Projet à révoquer");
        using var anonymous = web.Client();

        var projects = await CsvAsync(anonymous, "/api/exports/projets.csv");
        Assert.Contains("\r\n", projects);
        Assert.DoesNotContain("\n", projects.Replace("\r\n", "", StringComparison.Ordinal));
        // A field with a comma and quotes is quoted, its quotes doubled.
        Assert.Contains($"{kept.Id},\"Métropole \"\"Nord\"\", lot 1\",production,", projects);
        var deliverables = await CsvAsync(anonymous, "/api/exports/livrables.csv");
        Assert.Contains($"{kept.Id},\"Métropole \"\"Nord\"\", lot 1\",{kept.Deliverables[0]},", deliverables);
        Assert.Contains($"{revoked.Deliverables[0]},Images raster 0,jpeg2000,ouvert_lo,wms,https://example.org/wms,pcrs,,,http,false,false,,,,3,", deliverables);
        Assert.Single(Of(await FeaturesAsync(anonymous, "/api/exports/livrables.geojson"), "initiative", revoked.Id));
        Assert.Equal(3, Of(await FeaturesAsync(anonymous, "/api/exports/dalles.geojson"), "idPCRS", revoked.Id).Count());

        // Revocation: the deliverable stays (it is the project's), its storage and scan data leave the exports.
        using (var editor = web.Client(revoked.EditorKey))
            Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"{revokedRoute}/storage")).StatusCode);
        deliverables = await CsvAsync(anonymous, "/api/exports/livrables.csv");
        Assert.Contains($"{revoked.Deliverables[0]},Images raster 0,jpeg2000,ouvert_lo,wms,https://example.org/wms,pcrs,,,,,,,,,,,,,\r\n", deliverables);
        Assert.Empty(Of(await FeaturesAsync(anonymous, "/api/exports/livrables.geojson"), "initiative", revoked.Id));
        Assert.Empty(Of(await FeaturesAsync(anonymous, "/api/exports/dalles.geojson"), "idPCRS", revoked.Id));
        // The other project on the same storage keeps its data: the scan data stays in the catalogue.
        Assert.Equal(3, Of(await FeaturesAsync(anonymous, "/api/exports/dalles.geojson"), "idPCRS", kept.Id).Count());

        // Deletion: the project leaves every file.
        using (var admin = web.Client(WebFrontFixture.AdminToken))
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/projects/{kept.Id}")).StatusCode);
        Assert.DoesNotContain(kept.Id.ToString(), await CsvAsync(anonymous, "/api/exports/projets.csv"));
        Assert.DoesNotContain(kept.Id.ToString(), await CsvAsync(anonymous, "/api/exports/livrables.csv"));
        Assert.Empty(Of(await FeaturesAsync(anonymous, "/api/exports/livrables.geojson"), "initiative", kept.Id));
        Assert.Empty(Of(await FeaturesAsync(anonymous, "/api/exports/dalles.geojson"), "idPCRS", kept.Id));
    }
}
