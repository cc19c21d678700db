using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// The platform-compatible export files under /data: headers and column order equal to pcrs.beta.gouv.fr's (as its
/// backend/export/csv.js writes them), read back with Python's csv module, also in the French spreadsheet variant;
/// GeoJSON files opened by ogrinfo and converted by ogr2ogr; ETag / 304 and gzip; personal data left out.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class PlatformExportTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    private static readonly string[] Statuses =
    [
        "investigation", "convention_signee", "marche_public_en_cours", "prod_en_cours", "controle_en_cours", "realise", "disponible", "obsolete",
    ];

    private static readonly Dictionary<string, string[]> PlatformHeaders = new()
    {
        ["projets.csv"] = ["id_projet", "nom", "regime", "nature", "budget", "statut", .. Statuses.Select(s => s + "_date")],
        ["livrables.csv"] =
        [
            "ref_projet", "nom_projet", "nom", "nature", "date_livraison", "licence", "diffusion", "diffusion_url", "diffusion_layer",
            "stockage", "stockage_public", "avancement", "recouvr_lat", "recouvr_lon", "focale", "cout", "publication", "crs", "compression",
        ],
        ["tours-de-table.csv"] =
            ["ref_projet", "nom_projet", "nom_acteur", "siren_acteur", "interlocuteur", "mail", "telephone", "role", "finance_part_perc", "finance_part_euro"],
        ["subventions.csv"] = ["ref_projet", "nom_projet", "nom", "nature", "montant", "echeance"],
        ["territoires.csv"] = ["ref_projet", "nature_territoire", "reference"],
        ["changes.csv"] = ["ref_projet", "nom_projet", "action", "update_date"],
    };

    /// <summary>Python's csv module reads the file; the rows come back as JSON.</summary>
    private static async Task<List<string[]>> PythonCsvAsync(string file, string delimiter, string encoding)
    {
        var json = await Tools.RunAsync("python3", "-c",
            "import csv, json, sys\nwith open(sys.argv[1], newline='', encoding=sys.argv[3]) as f:\n    print(json.dumps(list(csv.reader(f, delimiter=sys.argv[2]))))",
            file, delimiter, encoding);
        return JsonNode.Parse(json)!.AsArray().Select(r => r!.AsArray().Select(c => c!.GetValue<string>()).ToArray()).ToList();
    }

    [Fact]
    public async Task Csv_files_have_the_platforms_columns_in_its_order_for_python_and_french_spreadsheets()
    {
        var grid = GridTiles.Prepare("platform-2x2", 2, 2);
        var (project, _) = await GridTiles.ScannedProjectAsync(web, "Export plateforme", grid);
        using var anonymous = web.Client();

        foreach (var (name, header) in PlatformHeaders)
        {
            var file = await Tools.SaveAsync(await anonymous.GetAsync($"/data/{name}"), ".csv");
            var rows = await PythonCsvAsync(file, ",", "utf-8");
            Assert.Equal(header, rows[0]);
            Assert.All(rows, r => Assert.Equal(header.Length, r.Length));

            var french = await anonymous.GetAsync($"/data/{name}?separator=semicolon");
            var bytes = await french.Content.ReadAsByteArrayAsync();
            Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
            var frenchFile = await Tools.SaveAsync(french, ".csv");
            var frenchRows = await PythonCsvAsync(frenchFile, ";", "utf-8-sig");
            Assert.Equal(header, frenchRows[0]);
            Assert.Equal(rows.Count, frenchRows.Count);
        }

        var projects = await PythonCsvAsync(await Tools.SaveAsync(await anonymous.GetAsync("/data/projets.csv?includesWkt=1"), ".csv"), ",", "utf-8");
        Assert.Equal([.. PlatformHeaders["projets.csv"], "geometrie"], projects[0]);
        var mine = Assert.Single(projects, r => r[0] == project.Id.ToString());
        Assert.Equal(["Export plateforme", "production", "raster", "120000", "disponible", "2017-01-01"], mine[1..7]);
        // investigation_date is column 6, disponible_date (the 7th status) column 12.
        Assert.Equal("2019-06-01", mine[12]);
        Assert.StartsWith("POLYGON ((", mine[^1], StringComparison.Ordinal);
        // GDAL's CSV driver reads the WKT column as the geometry, as QGIS does.
        var wktFile = await Tools.SaveAsync(await anonymous.GetAsync("/data/projets.csv?includesWkt=1"), ".csv");
        var wktLayer = await Tools.RunAsync("ogrinfo", "-ro", "-al", "-q", "-oo", "GEOM_POSSIBLE_NAMES=geometrie", "-oo", "KEEP_GEOM_COLUMNS=NO",
            "-where", $"id_projet = '{project.Id}'", wktFile);
        Assert.Contains("POLYGON ((", wktLayer, StringComparison.Ordinal);
        Assert.Contains("nom (String) = Export plateforme", wktLayer, StringComparison.Ordinal);

        var actors = await PythonCsvAsync(await Tools.SaveAsync(await anonymous.GetAsync("/data/tours-de-table.csv"), ".csv"), ",", "utf-8");
        var actor = Assert.Single(actors, r => r[0] == project.Id.ToString());
        Assert.Equal(["Metz Métropole", "200039865"], actor[2..4]);
        // The sample actor has a phone number: personal data, not published.
        Assert.Equal(("", ""), (actor[5], actor[6]));
        Assert.DoesNotContain("+33387201000", await anonymous.GetStringAsync("/data/tours-de-table.csv"));

        var territories = await PythonCsvAsync(await Tools.SaveAsync(await anonymous.GetAsync("/data/territoires.csv"), ".csv"), ",", "utf-8");
        Assert.Contains(territories, r => r.SequenceEqual([project.Id.ToString(), "commune", "57463"]));

        var changes = await PythonCsvAsync(await Tools.SaveAsync(await anonymous.GetAsync("/data/changes.csv?since=2020-01-01"), ".csv"), ",", "utf-8");
        var change = Assert.Single(changes, r => r[0] == project.Id.ToString());
        Assert.Equal("created", change[2]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", change[3]);
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync("/data/changes.csv?since=hier")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync("/data/projets.csv?separator=tab")).StatusCode);

        // Deleted: the project leaves the files; changes.csv says so without its name.
        using (var admin = web.Client(WebFrontFixture.AdminToken))
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/projects/{project.Id}")).StatusCode);
        Assert.DoesNotContain(project.Id.ToString(), await anonymous.GetStringAsync("/data/projets.csv"));
        changes = await PythonCsvAsync(await Tools.SaveAsync(await anonymous.GetAsync("/data/changes.csv"), ".csv"), ",", "utf-8");
        Assert.Equal(["", "deleted"], Assert.Single(changes, r => r[0] == project.Id.ToString())[1..3]);
    }

    [Fact]
    public async Task Geojson_files_open_in_ogr_with_the_cnig_field_names()
    {
        var grid = GridTiles.Prepare("platform-2x2", 2, 2);
        var (project, _) = await GridTiles.ScannedProjectAsync(web, "Export GeoJSON", grid);
        using var anonymous = web.Client();

        var tiles = await Tools.SaveAsync(await anonymous.GetAsync("/data/stockages/dalles.geojson"), ".geojson");
        var summary = await Tools.RunAsync("ogrinfo", "-ro", "-al", "-so", tiles);
        foreach (var field in new[] { "dateAcquisition", "dateRecette", "descriptionElementsQualite", "idPCRS", "nomImage",
                     "precisionPlanimetriqueCorpsDeRue", "precisionPlanimetriqueZoneNaturelle", "resolution", "typeImage", "producteur" })
            Assert.Contains(field + ":", summary, StringComparison.Ordinal);
        Assert.Contains("resolution: Integer", summary, StringComparison.Ordinal);
        var all = await Tools.RunAsync("ogrinfo", "-ro", "-al", "-q", "-where", $"idPCRS = '{project.Id}'", tiles);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(all, "resolution \\(Integer\\) = 50").Count);

        // Every GeoJSON export, the platform's and the earlier ones, opened and converted by GDAL.
        foreach (var route in new[] { "/data/stockages/livrables.geojson", "/data/projets.geojson", "/data/stockages/dalles.geojson",
                     "/api/exports/livrables.geojson", "/api/exports/dalles.geojson" })
        {
            var file = await Tools.SaveAsync(await anonymous.GetAsync(route), ".geojson");
            await Tools.RunAsync("ogrinfo", "-ro", "-al", "-so", file);
            var gpkg = Path.ChangeExtension(file, ".gpkg");
            await Tools.RunAsync("ogr2ogr", "-f", "GPKG", gpkg, file);
            Assert.Contains("Feature Count", await Tools.RunAsync("ogrinfo", "-ro", "-al", "-so", gpkg), StringComparison.Ordinal);
        }
        var deliverables = await Tools.RunAsync("ogrinfo", "-ro", "-al", "-q", "-where", $"initiative = '{project.Id}'",
            await Tools.SaveAsync(await anonymous.GetAsync("/data/stockages/livrables.geojson"), ".geojson"));
        Assert.Contains("calendrier (String) = 01", deliverables, StringComparison.Ordinal);
        Assert.Contains("epsg (String) = EPSG:2154", deliverables, StringComparison.Ordinal);
        // The platform's shape of the same feature writer: no tile count.
        Assert.Contains("format (String) = image/tiff", deliverables, StringComparison.Ordinal);
        Assert.DoesNotContain("nbDalles", deliverables, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Declared_deliverable_facts_fill_the_platforms_columns_and_properties()
    {
        var grid = GridTiles.Prepare("platform-2x2", 2, 2);
        var (project, _) = await GridTiles.ScannedProjectAsync(web, "Export déclaré", grid);
        await GridTiles.DeclareFactsAsync(web, project, "Export déclaré");
        using var anonymous = web.Client();

        var rows = await PythonCsvAsync(await Tools.SaveAsync(await anonymous.GetAsync("/data/livrables.csv"), ".csv"), ",", "utf-8");
        var header = rows[0];
        var row = Assert.Single(rows, r => r[0] == project.Id.ToString());
        string Cell(string name) => row[Array.IndexOf(header, name)];
        Assert.Equal(["Export déclaré", "Images raster 0", "jpeg2000", "2024-09-30", "ouvert_lo", "wms", "https://example.org/wms", "pcrs", "http"], row[1..10]);
        Assert.Equal(["30", "60.5", "100", "85000.5"], [Cell("recouvr_lat"), Cell("recouvr_lon"), Cell("focale"), Cell("cout")]);
        // The platform's deprecated columns stay empty, as it writes them.
        Assert.Equal(["", "", ""], [Cell("publication"), Cell("crs"), Cell("compression")]);
        var french = await PythonCsvAsync(await Tools.SaveAsync(await anonymous.GetAsync("/data/livrables.csv?separator=semicolon"), ".csv"), ";", "utf-8-sig");
        var frenchRow = Assert.Single(french, r => r[0] == project.Id.ToString());
        Assert.Equal(["30", "60,5", "100", "85000,5"], frenchRow[12..16]);

        var deliverables = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync("/data/stockages/livrables.geojson"));
        var feature = Assert.Single(deliverables["features"]!.AsArray(), f => f!["properties"]!["initiative"]!.GetValue<string>() == project.Id.ToString())!;
        var properties = feature["properties"]!;
        Assert.Equal(30, properties["recouvrLat"]!.GetValue<decimal>());
        Assert.Equal(60.5m, properties["recouvrLon"]!.GetValue<decimal>());
        Assert.Equal(100, properties["focale"]!.GetValue<int>());

        var tiles = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync("/data/stockages/dalles.geojson"));
        var mine = tiles["features"]!.AsArray().Where(f => f!["properties"]!["idPCRS"]!.GetValue<string>() == project.Id.ToString()).ToList();
        Assert.Equal(4, mine.Count);
        Assert.All(mine, f =>
        {
            Assert.Equal("2024-04-12", f!["properties"]!["dateAcquisition"]!.GetValue<string>());
            Assert.Equal("2024-10-15", f["properties"]!["dateRecette"]!.GetValue<string>());
            Assert.Equal(100, f["properties"]!["focale"]!.GetValue<int>());
        });
    }

    [Fact]
    public async Task Every_export_has_validators_answers_304_and_compresses()
    {
        var grid = GridTiles.Prepare("platform-2x2", 2, 2);
        var (_, d) = await GridTiles.ScannedProjectAsync(web, "Validateurs", grid);
        using var anonymous = web.Client();
        string[] routes =
        [
            .. PlatformHeaders.Keys.Select(name => "/data/" + name), "/data/projets.csv?includesWkt=1", "/data/livrables.csv?separator=semicolon",
            "/data/projets.geojson", "/data/stockages/livrables.geojson", "/data/stockages/dalles.geojson",
            "/api/exports/projets.csv", "/api/exports/livrables.csv", "/api/exports/livrables.geojson", "/api/exports/dalles.geojson",
            $"{d}/metadata/dalles.geojson", $"{d}/metadata/iso19139.xml", $"{d}/metadata/conformite.json",
        ];
        foreach (var route in routes)
        {
            var first = await anonymous.GetAsync(route);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var etag = first.Headers.ETag;
            Assert.NotNull(etag);
            Assert.NotNull(first.Content.Headers.LastModified);

            using var again = new HttpRequestMessage(HttpMethod.Get, route);
            again.Headers.IfNoneMatch.Add(etag);
            Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(again)).StatusCode);

            using var zipped = new HttpRequestMessage(HttpMethod.Get, route);
            zipped.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
            var compressed = await anonymous.SendAsync(zipped);
            Assert.True(compressed.Content.Headers.ContentEncoding.Contains("gzip"), $"{route}: {compressed.StatusCode} {compressed.Content.Headers}");
            await using var gunzip = new GZipStream(await compressed.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
            using var text = new StreamReader(gunzip);
            Assert.Equal(await first.Content.ReadAsStringAsync(), await text.ReadToEndAsync());
        }

        // A change of the projects changes the ETag: the old one no longer gets a 304.
        var before = (await anonymous.GetAsync("/data/projets.csv")).Headers.ETag!;
        await web.CreateProjectAsync("Nouveau projet");
        using var stale = new HttpRequestMessage(HttpMethod.Get, "/data/projets.csv");
        stale.Headers.IfNoneMatch.Add(before);
        var fresh = await anonymous.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Contains("Nouveau projet", await fresh.Content.ReadAsStringAsync());
    }
}
