using System.Diagnostics;
using System.IO.Compression;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests.Browser;

/// <summary>
/// The project page in Chromium: the project's facts (figures, steps, territories, actors, subsidies, sources) and
/// each deliverable's scan facts with why it is not "PCRS raster"; the imagery previewed from the declared WMS and WMTS
/// services (their requests caught in the browser); the whole deliverable as a URL list whose every address gives
/// the storage's bytes, and as a ZIP that passes unzip -t with the same bytes.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class ProjectPageBrowserTests(ProjectPageBrowserTests.Fixture web) : IClassFixture<ProjectPageBrowserTests.Fixture>
{
    public sealed class Fixture : BrowserFixture;

    private static readonly string[] Tiles = ["l93_rgb_geojp2_only.jp2", "l93_rgb_tiled_lzw.tif", "l93_rgb_lossless.jp2"];

    /// <summary>A 1×1 transparent PNG: the answer of the stand-in diffusion services.</summary>
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    private static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    /// <summary>French numbers use narrow no-break spaces: compared with plain ones.</summary>
    private static string Plain(string text) => text.Replace('\u202f', ' ').Replace('\u00a0', ' ');

    [Fact]
    public async Task Project_page_shows_every_fact_previews_the_diffusion_and_downloads_the_whole_deliverable()
    {
        var body = WebFrontFixture.SampleProject("Projet à tout voir", 2);
        var second = body["deliverables"]![1]!;
        second["diffusion"] = "wmts";
        second["diffusionUrl"] = "https://diffusion.example.org/wmts";
        second["diffusionLayer"] = "ortho";
        body["deliverables"]![0]!["diffusionUrl"] = "https://diffusion.example.org/wms";
        using var admin = web.Client(WebFrontFixture.AdminToken);
        var response = await admin.PostAsJsonAsync("/api/projects", body);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var json = await WebFrontFixture.ReadJsonAsync(response);
        var project = new CreatedProject(json["id"]!.GetValue<Guid>(), json["editorKey"]!.GetValue<string>(),
            json["deliverableIds"]!.AsArray().Select(n => n!.GetValue<Guid>()).ToArray());
        await web.ScanHttpFolderAsync(project, "project-page", Tiles);
        var expected = Tiles.ToDictionary(t => Sha256(File.ReadAllBytes(Path.Combine(Peers.FixturesDir, t))), t => t);

        var page = await web.NewPageAsync();
        // The diffusion services are stood in for inside the browser: every request they get is recorded.
        var previews = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await page.RouteAsync("https://diffusion.example.org/**", async route =>
        {
            previews.Enqueue(route.Request.Url);
            await route.FulfillAsync(new() { Status = 200, ContentType = "image/png", BodyBytes = Png });
        });
        await page.GotoAsync($"/projects/{project.Id}");
        await page.WaitForSelectorAsync("#projet[data-ready=true]");

        // The project's facts.
        var summary = Plain(await page.Locator("#resume").InnerTextAsync());
        foreach (var fact in new[] { "Production initiale", "Raster", "120 000 €", "Metz Métropole", "EPCI 200039865", "Investigation", "Publié",
            "2017", "2019", "SIREN 200039865", "100 %", "Participation FEDER", "https://example.org/doc.pdf" })
            Assert.Contains(fact, summary);
        Assert.Equal("https://example.org/doc.pdf", await page.Locator("#resume a[href^='https://example.org']").GetAttributeAsync("href"));
        Assert.Equal("step", await page.Locator("#resume .pcrs-steps li", new() { HasText = "Publié" }).GetAttributeAsync("aria-current"));

        // The deliverable's scan facts, and why it is not "PCRS raster" (its tiles are 50 cm).
        var card = page.Locator($"[data-deliverable='{project.Deliverables[0]}']");
        var text = Plain(await card.InnerTextAsync());
        foreach (var fact in new[] { "Nature constatée", "Autre raster", "Format", "Nombre de dalles", "3", "Projection", "EPSG:2154", "Poids", "Résolution", "50 cm",
            "Fichiers scannés", "aucun en erreur", "Bandes" })
            Assert.Contains(fact, text);
        var why = card.Locator(".fr-callout");
        Assert.Equal("Pourquoi « Autre raster » et pas « PCRS raster » ?", Plain(await why.Locator(".fr-callout__title").InnerTextAsync()));
        Assert.Contains("résolution de 50 cm : un PCRS raster demande 5 cm ou mieux", Plain(await why.InnerTextAsync()));
        Assert.Contains("Aucun stockage déclaré", await page.Locator($"[data-deliverable='{project.Deliverables[1]}']").InnerTextAsync());

        // The previews: off until chosen, then the map asks the declared service for the declared layer.
        Assert.Empty(previews);
        var wmsRequest = await page.RunAndWaitForRequestAsync(
            () => page.Locator(".leaflet-control-layers-overlays label", new() { HasText = "Aperçu WMS : Images raster 0" }).ClickAsync(),
            r => r.Url.StartsWith("https://diffusion.example.org/wms?", StringComparison.Ordinal));
        var wms = Query(wmsRequest.Url);
        Assert.Equal(("WMS", "GetMap", "pcrs", "EPSG:3857"), (wms["service"], wms["request"], wms["layers"], wms["crs"]));
        Assert.Equal(4, wms["bbox"].Split(',').Length);
        var wmtsRequest = await page.RunAndWaitForRequestAsync(
            () => page.Locator(".leaflet-control-layers-overlays label", new() { HasText = "Aperçu WMTS : Images raster 1" }).ClickAsync(),
            r => r.Url.StartsWith("https://diffusion.example.org/wmts?", StringComparison.Ordinal));
        var wmts = Query(wmtsRequest.Url);
        Assert.Equal(("WMTS", "GetTile", "ortho", "PM"), (wmts["service"], wmts["request"], wmts["layer"], wmts["tilematrixset"]));
        Assert.All(new[] { "tilematrix", "tilerow", "tilecol" }, k => Assert.Matches("^[0-9]+$", wmts[k]));
        await BrowserFixture.AssertAccessibleAsync(page, "projet, aperçus WMS et WMTS");
        await BrowserFixture.ScreenshotAsync(page, "projet-apercu-1440");

        // The whole deliverable: its size first, then the URL list, each address giving a storage file's bytes.
        Assert.Equal("3", await page.GetAttributeAsync("#telechargement-resume", "data-tiles"));
        Assert.Contains("3 dalles", await page.Locator("#telechargement-resume").InnerTextAsync());
        var listDownload = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#telecharger-liste"));
        var list = await File.ReadAllLinesAsync(await listDownload.PathAsync());
        var urls = list.Where(l => l.Length > 0).ToArray();
        Assert.Equal(3, urls.Length);
        using (var http = new HttpClient { BaseAddress = new Uri(web.BaseAddress) })
        {
            var names = new List<string>();
            foreach (var url in urls)
                names.Add(expected[Sha256(await http.GetByteArrayAsync(url))]);
            Assert.Equal(Tiles.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        }

        // And as one ZIP (the default scope is the whole deliverable).
        var zipDownload = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#telecharger-zip"));
        await page.WaitForSelectorAsync("#telechargement-progression [data-done=true]");
        var zip = await zipDownload.PathAsync();
        var start = new ProcessStartInfo("unzip", ["-t", zip]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using (var unzip = Process.Start(start)!)
        {
            var output = await unzip.StandardOutput.ReadToEndAsync() + await unzip.StandardError.ReadToEndAsync();
            await unzip.WaitForExitAsync();
            Assert.True(unzip.ExitCode == 0, output);
        }
        using var archive = ZipFile.OpenRead(zip);
        Assert.Equal(Tiles.Order(StringComparer.Ordinal), archive.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        foreach (var entry in archive.Entries)
        {
            await using var stream = entry.Open();
            Assert.Equal(entry.FullName, expected[Convert.ToHexString(await SHA256.HashDataAsync(stream))]);
        }
    }

    private static Dictionary<string, string> Query(string url) =>
        new Uri(url).Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]).ToLowerInvariant(), p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""), StringComparer.Ordinal);
}
