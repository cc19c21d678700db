using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Pcrs.Grains.Catalogue;

namespace Pcrs.WebFront.Tests.Browser;

/// <summary>
/// Exports built on request show their progress in the page and can be cancelled: the test holds the catalogue's
/// tiles behind a gate it opens one tile at a time, so the page's "tiles written" is seen to move from 0 to 1 to all
/// (the server's own count, polled by the page), then the saved file is byte-identical to the route's answer.
/// A cancelled build ends on the server too (its progress entry goes). The progress route gives counts only, to the
/// holder of a well-formed id; the metadata routes decide who sees the export as before (anonymous here: these
/// routes answer the same to anyone, by the declaration's proof, not by the caller).
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class ExportProgressBrowserTests(ExportProgressBrowserTests.Fixture web) : IClassFixture<ExportProgressBrowserTests.Fixture>
{
    /// <summary>Tiles leave the catalogue only as the test allows while the gate is closed.</summary>
    public sealed class Gate
    {
        public volatile bool Closed;
        public SemaphoreSlim Permits { get; } = new(0);

        /// <summary>Holds every tile from now on, permits left by an earlier opening included.</summary>
        public void Close()
        {
            while (Permits.Wait(0)) { }
            Closed = true;
        }

        /// <summary>Lets every tile through, the ones waiting (at most a deliverable's three) included.</summary>
        public void Open()
        {
            Closed = false;
            Permits.Release(3);
        }
    }

    private sealed class GatedTileReader(ITileMetadataReader inner, Gate gate) : ITileMetadataReader
    {
        public async IAsyncEnumerable<TileRow> ListAsync(string storageKey, string startPath, TileQuery query,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var tile in inner.ListAsync(storageKey, startPath, query, cancellationToken))
            {
                if (gate.Closed)
                    await gate.Permits.WaitAsync(cancellationToken);
                yield return tile;
            }
        }

        public Task<long> CountAsync(string storageKey, string startPath, TileQuery query, CancellationToken cancellationToken = default) =>
            inner.CountAsync(storageKey, startPath, query, cancellationToken);

        public Task<(DateTimeOffset? First, DateTimeOffset? Last)> GetModifiedRangeAsync(string storageKey, string startPath, CancellationToken cancellationToken = default) =>
            inner.GetModifiedRangeAsync(storageKey, startPath, cancellationToken);

        public Task<IReadOnlyList<ScanRow>> ListRecentScansAsync(string storageKey, int limit, CancellationToken cancellationToken = default) =>
            inner.ListRecentScansAsync(storageKey, limit, cancellationToken);

        public Task<CatalogueVersion> GetVersionAsync(CancellationToken cancellationToken = default) => inner.GetVersionAsync(cancellationToken);
    }

    public sealed class Fixture : BrowserFixture
    {
        public Gate Gate { get; } = new();

        protected override void Configure(IWebHostBuilder builder) =>
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<PostgresTileMetadataReader>();
                services.AddSingleton<ITileMetadataReader>(sp => new GatedTileReader(sp.GetRequiredService<PostgresTileMetadataReader>(), Gate));
            });
    }

    private static readonly string[] Tiles = ["l93_rgb_geojp2_only.jp2", "l93_rgb_tiled_lzw.tif", "l93_rgb_lossless.jp2"];

    private static readonly TimeSpan Long = TimeSpan.FromMinutes(3);

    private static string Plain(string text) => text.Replace('\u202f', ' ').Replace('\u00a0', ' ');

    [Fact]
    public async Task A_building_export_shows_the_tiles_written_saves_the_same_bytes_and_can_be_cancelled()
    {
        var project = await web.CreateProjectAsync("Projet aux exports suivis");
        await web.ScanHttpFolderAsync(project, "export-progress", Tiles);
        var meta = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}/metadata";
        using var anonymous = web.Client();

        var page = await web.NewPageAsync();
        await page.GotoAsync($"/projects/{project.Id}");
        await page.WaitForSelectorAsync("#projet[data-ready=true]");
        await page.ClickAsync($"details[data-metadata='{project.Deliverables[0]}'] summary");
        var stac = page.Locator("a[data-fichier]", new() { HasText = "Catalogue STAC" });
        var panel = page.Locator(".pcrs-file-progress").First;

        // The build waits at the gate: the page shows the server's count, 0 then 1 then the download.
        web.Gate.Close();
        var download = page.WaitForDownloadAsync(new() { Timeout = (float)Long.TotalMilliseconds });
        await stac.ClickAsync();
        await page.WaitForSelectorAsync(".pcrs-file-progress[data-written='0']", new() { Timeout = (float)Long.TotalMilliseconds });
        Assert.Equal("0 dalle écrite sur 3", Plain(await panel.Locator("[data-detail]").InnerTextAsync()));
        Assert.Equal("3", await panel.Locator("progress").GetAttributeAsync("max"));
        Assert.Contains("catalogue STAC : préparation par le serveur", await panel.Locator("[role=status]").InnerTextAsync(), StringComparison.Ordinal);
        await BrowserFixture.AssertAccessibleAsync(page, "export en préparation");
        await BrowserFixture.ScreenshotAsync(page, "projet-export-en-cours-1440");
        web.Gate.Permits.Release(1);
        await page.WaitForSelectorAsync(".pcrs-file-progress[data-written='1']", new() { Timeout = (float)Long.TotalMilliseconds });
        Assert.Equal("1", await panel.Locator("progress").EvaluateAsync<string>("p => String(p.value)"));
        web.Gate.Open();
        var saved = await download;
        await page.WaitForSelectorAsync(".pcrs-file-progress[data-state='done']", new() { Timeout = (float)Long.TotalMilliseconds });
        var expected = await anonymous.GetByteArrayAsync($"{meta}/stac.zip", TestContext.Current.CancellationToken);
        var path = Path.Combine(Path.GetTempPath(), $"export-progress-{Guid.NewGuid():N}.zip");
        await saved.SaveAsAsync(path);
        try
        {
            Assert.Equal($"stac-{project.Deliverables[0]}.zip", saved.SuggestedFilename);
            Assert.Equal(expected, await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
            Assert.Equal(expected.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), await panel.GetAttributeAsync("data-received"));
            Assert.Contains("enregistré", await panel.InnerTextAsync(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }

        // Cancelled from the keyboard while the server builds: the page says so, the server stops (its entry goes).
        web.Gate.Close();
        var gpkg = page.Locator("a[data-fichier]", new() { HasText = "GeoPackage" });
        await gpkg.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var building = page.Locator(".pcrs-file-progress[data-state='building']");
        await page.WaitForSelectorAsync(".pcrs-file-progress[data-state='building'][data-written='0']", new() { Timeout = (float)Long.TotalMilliseconds });
        var id = await building.GetAttributeAsync("data-progress-id");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/api/exports/progress/{id}", TestContext.Current.CancellationToken)).StatusCode);
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Annuler", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync(".pcrs-file-progress[data-state='cancelled']", new() { Timeout = (float)Long.TotalMilliseconds });
        Assert.Contains("annulé", await page.Locator(".pcrs-file-progress[data-state='cancelled']").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("GeoPackage", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        HttpStatusCode status;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            status = (await anonymous.GetAsync($"/api/exports/progress/{id}", TestContext.Current.CancellationToken)).StatusCode;
        }
        while (status == HttpStatusCode.OK && waited.Elapsed < Long);
        Assert.Equal(HttpStatusCode.NotFound, status);
        web.Gate.Open();

        // The open data page: a platform CSV saved through the same progress, equal to the route's bytes.
        await page.GotoAsync("/donnees");
        var csv = await page.RunAndWaitForDownloadAsync(() => page.Locator("a[data-fichier='projets.csv']").First.ClickAsync(),
            new() { Timeout = (float)Long.TotalMilliseconds });
        var csvPath = Path.Combine(Path.GetTempPath(), $"export-progress-{Guid.NewGuid():N}.csv");
        await csv.SaveAsAsync(csvPath);
        try
        {
            Assert.Equal(await anonymous.GetByteArrayAsync("/api/exports/projets.csv", TestContext.Current.CancellationToken),
                await File.ReadAllBytesAsync(csvPath, TestContext.Current.CancellationToken));
        }
        finally
        {
            File.Delete(csvPath);
        }
        await page.WaitForSelectorAsync(".pcrs-file-progress[data-state='done']");
        await BrowserFixture.AssertAccessibleAsync(page, "données, fichier enregistré");
    }

    [Fact]
    public async Task The_progress_route_answers_counts_only_for_a_well_formed_id_of_an_export_in_progress()
    {
        using var anonymous = web.Client();
        var ct = TestContext.Current.CancellationToken;
        var bad = await anonymous.GetAsync("/api/exports/progress/short", ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.NotNull((await WebFrontFixture.ReadJsonAsync(bad))["errors"]!["progressId"]);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/exports/progress/{Guid.NewGuid()}", ct)).StatusCode);

        // A malformed header is refused before any work, naming the header.
        var project = await web.CreateProjectAsync("Projet sans stockage prouvé");
        var meta = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}/metadata";
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"{meta}/dalles.gpkg"))
        {
            request.Headers.Add("X-Progress-Id", "pas un identifiant !");
            var refused = await anonymous.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.NotNull((await WebFrontFixture.ReadJsonAsync(refused))["errors"]!["X-Progress-Id"]);
        }

        // A deliverable without a proven storage answers 404 to anyone and leaves no progress behind.
        var id = Guid.NewGuid().ToString();
        foreach (var file in new[] { "dalles.gpkg", "dalles.shp.zip", "stac.zip", "dalles.geojson", "iso19139.xml" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{meta}/{file}");
            request.Headers.Add("X-Progress-Id", id);
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.SendAsync(request, ct)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/exports/progress/{id}", ct)).StatusCode);
    }
}
