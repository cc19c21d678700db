using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.XPath;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// STAC (API and static catalogue) checked against schemas written from the specification and opened by GDAL's STACIT
/// driver; the ISO 19139 record checked by xmllint and XPath; the conformity report on a delivery with a hole, an
/// overlapping tile off the grid, coarse tiles and an unreadable file.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class MetadataProductTests(SocketFixture web) : IClassFixture<SocketFixture>
{
    [Fact]
    public async Task Stac_api_and_static_catalogue_pass_the_schemas_and_gdal_stacit_opens_the_search()
    {
        var grid = GridTiles.Prepare("stac-4x3", 4, 3);
        var (project, d) = await GridTiles.ScannedProjectAsync(web, "STAC", grid, publicConnection: true);
        using var client = web.Client();
        var collectionId = "livrable-" + project.Deliverables[0];

        var landing = await WebFrontFixture.ReadJsonAsync(await client.GetAsync("/stac"));
        Assert.Equal("Catalog", landing["type"]!.GetValue<string>());
        Assert.Contains("https://api.stacspec.org/v1.0.0/item-search", landing["conformsTo"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("search", StacSchemas.Relations(landing));

        var collection = await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/stac/collections/{collectionId}"));
        StacSchemas.AssertValid(StacSchemas.Collection, collection);
        Assert.Equal("etalab-2.0", collection["license"]!.GetValue<string>());
        Assert.Equal("EPSG:2154", collection["summaries"]!["proj:code"]![0]!.GetValue<string>());

        // Every page of the search, following "next": 12 items, each valid, each once.
        var ids = new HashSet<string>();
        string? next = $"/stac/search?collections={collectionId}&limit=5";
        int pages = 0;
        while (next is not null)
        {
            var response = await client.GetAsync(next);
            Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
            var page = await WebFrontFixture.ReadJsonAsync(response);
            Assert.Equal(12, page["numberMatched"]!.GetValue<long>());
            foreach (var item in page["features"]!.AsArray())
            {
                StacSchemas.AssertValid(StacSchemas.Item, item!);
                Assert.Equal(["self", "root", "parent", "collection"], StacSchemas.Relations(item!));
                Assert.True(ids.Add(item!["id"]!.GetValue<string>()));
                var properties = item["properties"]!;
                Assert.Equal("EPSG:2154", properties["proj:code"]!.GetValue<string>());
                Assert.Equal(new[] { 800, 1000 }, properties["proj:shape"]!.AsArray().Select(n => n!.GetValue<int>()));
                Assert.Equal(0.5, properties["proj:transform"]![0]!.GetValue<double>());
                var asset = item["assets"]!["image"]!;
                // The grid's 1000 x 800 fixture passes GDAL's validate_cloud_optimized_geotiff (with a warning only).
                Assert.Equal("image/tiff; application=geotiff; profile=cloud-optimized", asset["type"]!.GetValue<string>());
                Assert.StartsWith($"http://127.0.0.1:{Peers.Nginx}/webfront-tests/stac-4x3/", asset["href"]!.GetValue<string>(), StringComparison.Ordinal);
                Assert.Equal(new[] { "red", "green", "blue" }, asset["bands"]!.AsArray().Select(b => b!["eo:common_name"]!.GetValue<string>()));
            }
            next = page["links"]!.AsArray().FirstOrDefault(l => l!["rel"]!.GetValue<string>() == "next")?["href"]!.GetValue<string>();
            Assert.True(++pages <= 3, "more pages than 12 items need");
        }
        Assert.Equal(12, ids.Count);
        Assert.Equal(0, (await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/stac/search?collections={collectionId}&datetime=2000-01-01/2000-12-31")))["numberMatched"]!.GetValue<long>());
        Assert.Equal(12, (await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/stac/search?collections={collectionId}&datetime=../2100-01-01T00:00:00Z")))["numberMatched"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/stac/search?bbox=a,b,c,d")).StatusCode);
        // bbox: the western half of the collection's extent holds some of the tiles, a box over Brittany none.
        var extent = collection["extent"]!["spatial"]!["bbox"]![0]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        string Box(params double[] values) => string.Join(',', values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var west = await WebFrontFixture.ReadJsonAsync(await client.GetAsync(
            $"/stac/search?collections={collectionId}&bbox={Box(extent[0], extent[1], (extent[0] + extent[2]) / 2, extent[3])}&limit=100"));
        long inWest = west["numberMatched"]!.GetValue<long>();
        Assert.InRange(inWest, 3, 9);
        Assert.Equal(inWest, west["features"]!.AsArray().Count);
        Assert.All(west["features"]!.AsArray(), f => Assert.True(f!["bbox"]![0]!.GetValue<double>() <= (extent[0] + extent[2]) / 2));
        Assert.Equal(0, (await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/stac/search?collections={collectionId}&bbox={Box(-4.5, 47.5, -4.0, 48.0)}")))["numberMatched"]!.GetValue<long>());

        // GDAL builds its mosaic from the search: 4 x 3 tiles of 1000 x 800 pixels in Lambert-93.
        var root = client.BaseAddress!.ToString().TrimEnd('/');
        var info = await Tools.RunAsync("gdalinfo", $"STACIT:\"{root}/stac/search?collections={collectionId}&limit=5\"");
        // GDAL 3.6's STACIT dataset is a VRT built from the items' assets (its first tile is opened for the bands).
        Assert.Contains("Driver: VRT/Virtual Raster", info, StringComparison.Ordinal);
        Assert.Contains($"/vsicurl/http://127.0.0.1:{Peers.Nginx}/webfront-tests/stac-4x3/", info, StringComparison.Ordinal);
        Assert.Contains("Band 3 Block=", info, StringComparison.Ordinal);
        Assert.Contains("Size is 4000, 2400", info, StringComparison.Ordinal);
        Assert.Contains("Lambert-93", info, StringComparison.Ordinal);

        // The static catalogue: every document valid, every relative link inside the ZIP.
        var zipFile = await Tools.SaveAsync(await client.GetAsync($"{d}/metadata/stac.zip"), ".zip");
        using var zip = ZipFile.OpenRead(zipFile);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("catalog.json", names);
        var staticCollection = JsonNode.Parse(await new StreamReader(zip.GetEntry("collection.json")!.Open()).ReadToEndAsync())!;
        StacSchemas.AssertValid(StacSchemas.Collection, staticCollection);
        var itemLinks = staticCollection["links"]!.AsArray().Where(l => l!["rel"]!.GetValue<string>() == "item").Select(l => l!["href"]!.GetValue<string>()).ToList();
        Assert.Equal(12, itemLinks.Count);
        foreach (var href in itemLinks)
        {
            var name = href.TrimStart('.', '/');
            Assert.Contains(name, names);
            var item = JsonNode.Parse(await new StreamReader(zip.GetEntry(name)!.Open()).ReadToEndAsync())!;
            StacSchemas.AssertValid(StacSchemas.Item, item);
            Assert.Equal("../collection.json", item["links"]!.AsArray().First(l => l!["rel"]!.GetValue<string>() == "collection")!["href"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Iso19139_record_is_well_formed_and_holds_every_inspire_element()
    {
        var grid = GridTiles.Prepare("stac-4x3", 4, 3);
        var (project, d) = await GridTiles.ScannedProjectAsync(web, "Fiche ISO", grid, downloadAllowed: true);
        using var client = web.Client();
        var response = await client.GetAsync($"{d}/metadata/iso19139.xml");
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        var file = await Tools.SaveAsync(response, ".xml");
        await Tools.RunAsync("xmllint", "--noout", file);

        var document = new XPathDocument(file).CreateNavigator();
        var ns = new XmlNamespaceManager(document.NameTable);
        ns.AddNamespace("gmd", "http://www.isotc211.org/2005/gmd");
        ns.AddNamespace("gco", "http://www.isotc211.org/2005/gco");
        ns.AddNamespace("gmx", "http://www.isotc211.org/2005/gmx");
        ns.AddNamespace("xlink", "http://www.w3.org/1999/xlink");
        string Text(string xpath) => document.SelectSingleNode(xpath, ns)?.Value ?? throw new Xunit.Sdk.XunitException($"missing {xpath}");
        int Count(string xpath) => document.Select(xpath, ns).Count;

        Assert.Equal(project.Deliverables[0].ToString(), Text("/gmd:MD_Metadata/gmd:fileIdentifier/gco:CharacterString"));
        Assert.Equal("fre", Text("/gmd:MD_Metadata/gmd:language/gmd:LanguageCode/@codeListValue"));
        Assert.Equal("dataset", Text("/gmd:MD_Metadata/gmd:hierarchyLevel/gmd:MD_ScopeCode/@codeListValue"));
        Assert.Contains("Fiche ISO", Text("//gmd:MD_DataIdentification/gmd:citation/gmd:CI_Citation/gmd:title/gco:CharacterString"), StringComparison.Ordinal);
        Assert.Contains("12 dalles", Text("//gmd:MD_DataIdentification/gmd:abstract/gco:CharacterString"), StringComparison.Ordinal);
        Assert.Equal("Metz Métropole", Text("//gmd:MD_DataIdentification/gmd:pointOfContact/gmd:CI_ResponsibleParty[gmd:role/gmd:CI_RoleCode/@codeListValue='owner']/gmd:organisationName/gco:CharacterString"));
        Assert.Equal(1, Count("//gmd:MD_LegalConstraints/gmd:otherConstraints/gmx:Anchor[@xlink:href='http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations']"));
        Assert.Contains("etalab-2.0", Text("//gmd:MD_LegalConstraints[gmd:useConstraints]/gmd:otherConstraints/gmx:Anchor"), StringComparison.Ordinal);
        Assert.Equal("EPSG:2154", Text("//gmd:referenceSystemInfo//gmd:code/gmx:Anchor[@xlink:href='http://www.opengis.net/def/crs/EPSG/0/2154']"));
        Assert.Equal("0.5", Text("//gmd:spatialResolution//gco:Distance[@uom='m']"));
        Assert.Equal(1, Count("//gmd:descriptiveKeywords//gmd:keyword/gmx:Anchor[@xlink:href='http://inspire.ec.europa.eu/theme/oi']"));
        Assert.Equal("imageryBaseMapsEarthCover", Text("//gmd:topicCategory/gmd:MD_TopicCategoryCode"));
        double west = double.Parse(Text("//gmd:EX_GeographicBoundingBox/gmd:westBoundLongitude/gco:Decimal"), System.Globalization.CultureInfo.InvariantCulture);
        double north = double.Parse(Text("//gmd:EX_GeographicBoundingBox/gmd:northBoundLatitude/gco:Decimal"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(west, 2, 3);
        Assert.InRange(north, 48, 50);
        Assert.Equal(1, Count("//gmd:citation//gmd:CI_DateTypeCode[@codeListValue='revision']"));
        Assert.Contains("1089/2010", Text("//gmd:DQ_ConformanceResult/gmd:specification/gmd:CI_Citation/gmd:title/gco:CharacterString"), StringComparison.Ordinal);
        Assert.Equal("unknown", Text("//gmd:DQ_ConformanceResult[contains(gmd:specification//gco:CharacterString, '1089/2010')]/gmd:pass/@gco:nilReason"));
        Assert.Contains("scanner PCRS", Text("//gmd:LI_Lineage/gmd:statement/gco:CharacterString"), StringComparison.Ordinal);
        Assert.InRange(Count("//gmd:transferOptions//gmd:CI_OnlineResource/gmd:linkage/gmd:URL"), 5, 10);
        Assert.Equal(1, Count($"//gmd:CI_OnlineResource[gmd:protocol/gco:CharacterString='OGC:WMS']/gmd:linkage[gmd:URL='https://example.org/wms']"));
    }

    [Fact]
    public async Task Declared_acquisition_day_dates_the_iso_record_and_the_stac_items_and_each_party_has_its_e_mail()
    {
        var grid = GridTiles.Prepare("stac-4x3", 4, 3);
        var (project, d) = await GridTiles.ScannedProjectAsync(web, "Fiche ISO datée", grid);
        using var client = web.Client();
        var (before, _) = await IsoAsync(client, d);
        // Without declared dates the record has no temporal extent and no creation date, and says so in its lineage.
        Assert.Equal(0, before.Select("//gmd:temporalElement | //gmd:CI_DateTypeCode[@codeListValue='creation']", Ns(before)).Count);
        Assert.Equal(0, before.Select("//gmd:electronicMailAddress", Ns(before)).Count);
        Assert.Contains("n'a pas été déclarée", before.SelectSingleNode("//gmd:LI_Lineage/gmd:statement/gco:CharacterString", Ns(before))!.Value, StringComparison.Ordinal);

        await GridTiles.DeclareFactsAsync(web, project, "Fiche ISO datée");
        var (after, file) = await IsoAsync(client, d);
        var ns = Ns(after);
        string Text(string xpath) => after.SelectSingleNode(xpath, ns)?.Value ?? throw new Xunit.Sdk.XunitException($"missing {xpath} in {File.ReadAllText(file)}");
        // INSPIRE (CNIG "organisation responsable"): name and e-mail of each responsible organisation, and of the metadata contact.
        Assert.Equal("sig@metzmetropole.fr", Text("//gmd:MD_DataIdentification/gmd:pointOfContact/gmd:CI_ResponsibleParty[gmd:organisationName/gco:CharacterString='Metz Métropole']" +
                                                  "/gmd:contactInfo/gmd:CI_Contact/gmd:address/gmd:CI_Address/gmd:electronicMailAddress/gco:CharacterString"));
        Assert.Equal("sig@metzmetropole.fr", Text("/gmd:MD_Metadata/gmd:contact/gmd:CI_ResponsibleParty[gmd:role/gmd:CI_RoleCode/@codeListValue='pointOfContact']//gmd:electronicMailAddress/gco:CharacterString"));
        // The phone number is not published.
        Assert.DoesNotContain("+33387201000", File.ReadAllText(file), StringComparison.Ordinal);
        Assert.Equal("2024-04-12", Text("//gmd:EX_Extent/gmd:temporalElement/gmd:EX_TemporalExtent/gmd:extent/gml:TimeInstant/gml:timePosition"));
        Assert.Equal("2024-04-12", Text("//gmd:citation//gmd:CI_Date[gmd:dateType/gmd:CI_DateTypeCode/@codeListValue='creation']/gmd:date/gco:Date"));
        Assert.Equal("2024-09-30", Text("//gmd:citation//gmd:CI_Date[gmd:dateType/gmd:CI_DateTypeCode/@codeListValue='publication']/gmd:date/gco:Date"));
        Assert.Equal(1, after.Select("//gmd:citation//gmd:CI_DateTypeCode[@codeListValue='creation']", ns).Count);
        Assert.Contains("2024-04-12", Text("//gmd:LI_Lineage/gmd:statement/gco:CharacterString"), StringComparison.Ordinal);

        // STAC dates its items with the acquisition (not the files' last change) and searches on it.
        var collectionId = "livrable-" + project.Deliverables[0];
        var collection = await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/stac/collections/{collectionId}"));
        StacSchemas.AssertValid(StacSchemas.Collection, collection);
        Assert.Equal(["2024-04-12T00:00:00Z", "2024-04-12T00:00:00Z"],
            collection["extent"]!["temporal"]!["interval"]![0]!.AsArray().Select(n => n!.GetValue<string>()));
        long Matched(JsonNode page) => page["numberMatched"]!.GetValue<long>();
        var sameDay = await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/stac/search?collections={collectionId}&datetime=2024-04-12&limit=20"));
        Assert.Equal(12, Matched(sameDay));
        Assert.All(sameDay["features"]!.AsArray(), f =>
        {
            StacSchemas.AssertValid(StacSchemas.Item, f!);
            Assert.Equal("2024-04-12T00:00:00Z", f!["properties"]!["datetime"]!.GetValue<string>());
        });
        Assert.Equal(12, Matched(await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/stac/search?collections={collectionId}&datetime=2024-01-01T00:00:00Z/2024-04-12T08:00:00Z"))));
        Assert.Equal(0, Matched(await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/stac/search?collections={collectionId}&datetime=2024-04-13/.."))));
        Assert.Equal(0, Matched(await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/stac/collections/{collectionId}/items?datetime=../2024-04-11T23:59:59Z"))));

        // OGC API Features follows the same rule: its collection and its datetime filter use the declared day.
        var ogcCollection = await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/ogc/collections/{collectionId}"));
        Assert.Equal(["2024-04-12T00:00:00Z", "2024-04-12T00:00:00Z"],
            ogcCollection["extent"]!["temporal"]!["interval"]![0]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(12, Matched(await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/ogc/collections/{collectionId}/items?datetime=2024-04-12T10:00:00Z&limit=5"))));
        var outside = await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/ogc/collections/{collectionId}/items?datetime=2024-04-13T00:00:00Z/.."));
        Assert.Equal(0, Matched(outside));
        Assert.Empty(outside["features"]!.AsArray());
    }

    private static async Task<(XPathNavigator Document, string File)> IsoAsync(HttpClient client, string d)
    {
        var file = await Tools.SaveAsync(await client.GetAsync($"{d}/metadata/iso19139.xml"), ".xml");
        await Tools.RunAsync("xmllint", "--noout", file);
        return (new XPathDocument(file).CreateNavigator(), file);
    }

    private static XmlNamespaceManager Ns(XPathNavigator document)
    {
        var ns = new XmlNamespaceManager(document.NameTable);
        ns.AddNamespace("gmd", "http://www.isotc211.org/2005/gmd");
        ns.AddNamespace("gco", "http://www.isotc211.org/2005/gco");
        ns.AddNamespace("gmx", "http://www.isotc211.org/2005/gmx");
        ns.AddNamespace("gml", "http://www.opengis.net/gml/3.2");
        return ns;
    }

    [Fact]
    public async Task Conformity_report_finds_the_hole_the_overlap_the_tile_off_the_grid_coarse_tiles_and_the_unreadable_file()
    {
        // 3 x 3 without its centre, one more tile shifted half a tile east (overlapping two), one unreadable file.
        var grid = GridTiles.Prepare("conformity-3x3", 3, 3, skip: (c, r) => c == 1 && r == 1);
        var folder = Path.Combine(Peers.DataDir, grid.Trim('/'));
        var extra = Path.Combine(folder, "t_extra.tif");
        if (!File.Exists(extra))
        {
            File.WriteAllText(Path.ChangeExtension(extra, ".tfw"), FormattableString.Invariant($"0.5\n0\n0\n-0.5\n{GridTiles.West + 250 + 0.25}\n{GridTiles.North - 0.25}\n"));
            File.WriteAllText(Path.ChangeExtension(extra, ".prj"), GridTiles.Lambert93Prj);
            HardLinks.Create(Path.Combine(Peers.FixturesDir, "nogeo_rgb_with_tfw.tif"), extra);
        }
        var broken = Path.Combine(folder, "t_broken.tif");
        if (!File.Exists(broken))
            File.Copy(Path.Combine(Peers.FixturesDir, "corrupt_random.tif"), broken);
        var (_, d) = await GridTiles.ScannedProjectAsync(web, "Conformité", grid);
        using var client = web.Client();

        var first = await client.GetAsync($"{d}/metadata/conformite.json");
        var report = await WebFrontFixture.ReadJsonAsync(first);
        // Its version is the deliverable's own: another project's change does not invalidate it.
        await web.CreateProjectAsync("Autre projet");
        using (var again = new HttpRequestMessage(HttpMethod.Get, $"{d}/metadata/conformite.json"))
        {
            again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
            Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
        }
        Assert.False(report["conforme"]!.GetValue<bool>());
        Assert.Equal(9, report["dallesAnalysees"]!.GetValue<long>());
        var rules = report["regles"]!.AsArray().ToDictionary(r => r!["id"]!.GetValue<string>(), r => r!);
        Assert.Equal(9, rules["resolution"]["dallesNonConformes"]!.GetValue<long>());
        Assert.Contains("50 cm", rules["resolution"]["dalles"]![0]!["raison"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(rules["crs"]["conforme"]!.GetValue<bool>());
        Assert.True(rules["bandes"]["conforme"]!.GetValue<bool>());
        Assert.True(rules["profondeur"]["conforme"]!.GetValue<bool>());
        var coverage = report["couverture"]!;
        Assert.Equal(1, coverage["trous"]!.GetValue<int>());
        Assert.Equal(200_000, coverage["surfaceTrousM2"]!.GetValue<double>(), 1);
        Assert.Equal(2, coverage["chevauchements"]!.GetValue<int>());
        Assert.All(coverage["listeChevauchements"]!.AsArray(), o => Assert.Equal(100_000, o!["surfaceM2"]!.GetValue<double>(), 1));
        var offGrid = Assert.Single(report["grille"]!["dalles"]!.AsArray());
        Assert.EndsWith("/t_extra.tif", offGrid!["chemin"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(500, report["grille"]!["largeurM"]!.GetValue<double>());
        var errors = report["fichiersEnErreur"]!;
        Assert.Equal(1, errors["nombre"]!.GetValue<long>());
        Assert.EndsWith("/t_broken.tif", errors["fichiers"]![0]!["chemin"]!.GetValue<string>(), StringComparison.Ordinal);
        // The readers' own notes, kept by the catalogue since migration 0140.
        Assert.Contains(report["notesDesLecteurs"]!.AsArray(), n => n!["notes"]!.AsArray().Any(t => t!.GetValue<string>().Contains("coarser than 5 cm", StringComparison.Ordinal)));
    }
}
