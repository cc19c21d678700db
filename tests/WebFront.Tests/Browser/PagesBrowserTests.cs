using System.Security.Cryptography;
using Microsoft.Playwright;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests.Browser;

/// <summary>
/// Every page in Chromium at 360, 1440 and 1920 px, anonymous and signed in (administrator, project editor): axe-core finds no serious or critical violation, and a screenshot of each
/// is kept (artifacts/screenshots). The project page shows the scan's facts in French and a clicked tile downloads the
/// storage's bytes; an unknown project gets the 404 page.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class PagesBrowserTests(PagesBrowserTests.Fixture web) : IClassFixture<PagesBrowserTests.Fixture>
{
    public sealed class Fixture : BrowserFixture;

    private static readonly string[] Tiles = ["l93_rgb_geojp2_only.jp2", "l93_rgb_tiled_lzw.tif", "l93_rgb_lossless.jp2", "corrupt_truncated_200.jp2"];

    [Fact]
    public async Task Every_page_is_accessible_at_360_1440_and_1920_px()
    {
        var project = await web.CreateProjectAsync("Metz Métropole – orthophotographie");
        await web.ScanHttpFolderAsync(project, "pages", Tiles);
        var pages = new (string Name, string Path, string? Ready)[]
        {
            ("carte", "/", "#carte[data-ready=true]"),
            ("projet", $"/projects/{project.Id}", "#projet[data-ready=true]"),
            ("suivi-projet", $"/projects/{project.Id}/suivi", "#suivi[data-ready=true]"),
            ("suivi", "/suivi", "#suivi[data-ready=true]"),
            ("admin", "/admin", "#admin[data-ready=true]"),
            ("donnees", "/donnees", null),
            ("accessibilite", "/accessibilite", null),
            ("mentions-legales", "/mentions-legales", null),
            ("donnees-personnelles", "/donnees-personnelles", null),
            ("plan-du-site", "/plan-du-site", null),
            ("404", "/projects/00000000-0000-0000-0000-000000000000", null),
        };
        foreach (var width in new[] { 360, 1440, 1920 })
        {
            foreach (var (name, path, ready) in pages)
            {
                var page = await web.NewPageAsync(width);
                await page.GotoAsync(path);
                if (ready is not null)
                    await page.WaitForSelectorAsync(ready);
                await page.WaitForLoadStateAsync(LoadState.Load);
                await BrowserFixture.AssertAccessibleAsync(page, $"{name} at {width} px");
                // Nothing wider than the screen: a phone scrolls down, never sideways.
                var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
                Assert.True(overflow <= 0, $"{name} at {width} px is {overflow} px wider than the screen");
                // Text keeps at least the design system's gutter (1rem = 16 px, fr-container) off the screen's edge.
                var titleLeft = await page.EvaluateAsync<double>("document.querySelector('main h1').getBoundingClientRect().left");
                Assert.True(titleLeft >= 16, $"{name} at {width} px: the title is {titleLeft} px from the edge");
                await BrowserFixture.ScreenshotAsync(page, $"{name}-{width}");
                await page.Context.CloseAsync();
            }
        }
    }

    [Fact]
    public async Task Signed_in_admin_and_owner_pages_are_accessible_at_360_1440_and_1920_px()
    {
        var project = await web.CreateProjectAsync("Eurométropole de Metz – suivi");
        await web.ScanHttpFolderAsync(project, "signed-in", Tiles);
        // The issue asks for each page's screenshot at 360 and 1440 px (kept as artifacts); 1920 px is the large screen.
        foreach (var width in new[] { 360, 1440, 1920 })
        {
            // The administrator signs in through the page's own form; the token stays in this tab's sessionStorage.
            var page = await web.NewPageAsync(width);
            await page.GotoAsync("/admin");
            await page.WaitForSelectorAsync("#admin[data-ready=true]");
            await page.FillAsync("#jeton", WebFrontFixture.AdminToken);
            await page.ClickAsync("#form-connexion button[type=submit]");
            await page.WaitForSelectorAsync($"tr[data-deliverable='{project.Deliverables[0]}']");
            await SignedInPageChecksAsync(page, $"admin-connecte-{width}");

            await page.GotoAsync("/suivi");
            await page.WaitForSelectorAsync("#form-projet");
            await SignedInPageChecksAsync(page, $"suivi-admin-creation-{width}");

            await page.GotoAsync($"/projects/{project.Id}/suivi");
            await page.WaitForSelectorAsync($"[data-storage-panel='{project.Deliverables[0]}'] [data-progress=succeeded]");
            await SignedInPageChecksAsync(page, $"suivi-admin-projet-{width}");
            await page.Context.CloseAsync();

            // The project's owner with its editor key: its storage panels and the project form.
            page = await web.NewPageAsync(width);
            await page.GotoAsync($"/projects/{project.Id}/suivi");
            await page.FillAsync("#cle", project.EditorKey);
            await page.ClickAsync("#form-connexion button[type=submit]");
            await page.WaitForSelectorAsync($"[data-storage-panel='{project.Deliverables[0]}'] [data-progress=succeeded]");
            await page.WaitForSelectorAsync("#form-projet");
            Assert.Contains("clé d'édition", await page.Locator("#session-texte").InnerTextAsync());
            await SignedInPageChecksAsync(page, $"suivi-proprietaire-{width}");
            await page.Context.CloseAsync();
        }
    }

    private static async Task SignedInPageChecksAsync(IPage page, string name)
    {
        await page.WaitForLoadStateAsync(LoadState.Load);
        await BrowserFixture.AssertAccessibleAsync(page, name);
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"{name} is {overflow} px wider than the screen");
        var titleLeft = await page.EvaluateAsync<double>("document.querySelector('main h1').getBoundingClientRect().left");
        Assert.True(titleLeft >= 16, $"{name}: the title is {titleLeft} px from the edge");
        await BrowserFixture.ScreenshotAsync(page, name);
    }

    [Fact]
    public async Task Project_page_shows_the_scan_in_french_and_a_clicked_tile_downloads_the_same_bytes()
    {
        var project = await web.CreateProjectAsync("Projet des dalles");
        await web.ScanHttpFolderAsync(project, "click", Tiles);
        var page = await web.NewPageAsync();
        await page.GotoAsync($"/projects/{project.Id}");
        await page.WaitForSelectorAsync("#projet[data-ready=true]");

        Assert.Equal("3", await page.GetAttributeAsync("#carte", "data-features"));
        var card = page.Locator($"[data-deliverable='{project.Deliverables[0]}']");
        var text = await card.InnerTextAsync();
        Assert.Contains("Dernier scan accompli avec succès le ", text);
        Assert.Matches(@"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d{1,2} \p{L}+ \d{4} à \d{2}:\d{2}", text);
        Assert.Contains("Nombre de dalles", text);
        Assert.Contains("dont 1 en erreur", text);
        Assert.Contains("Projection", text);
        Assert.DoesNotContain("succeeded", text);
        await card.Locator("summary", new() { HasText = "Fichiers en erreur" }).ClickAsync();
        Assert.Contains("corrupt_truncated_200.jp2", await card.Locator("[data-errors]").InnerTextAsync());
        Assert.Contains("Metz", await page.Locator("#resume").InnerTextAsync());

        // Hover shows the tile's facts; a click downloads it: the bytes are the storage's.
        var tile = page.Locator("#carte path.leaflet-interactive").First;
        await tile.HoverAsync(new() { Force = true });
        var tooltip = await page.WaitForSelectorAsync(".leaflet-tooltip");
        var tipText = await tooltip!.InnerTextAsync();
        var name = Tiles.First(t => tipText.Contains(t, StringComparison.Ordinal));
        var download = await page.RunAndWaitForDownloadAsync(() => tile.ClickAsync(new() { Force = true }));
        var saved = Path.Combine(Path.GetTempPath(), $"pcrs-click-{Guid.NewGuid():N}");
        await download.SaveAsAsync(saved);
        try
        {
            Assert.Equal(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(Peers.FixturesDir, name))), SHA256.HashData(await File.ReadAllBytesAsync(saved)));
        }
        finally
        {
            File.Delete(saved);
        }
    }

    [Fact]
    public async Task Unknown_project_and_unknown_page_answer_404_with_the_404_page()
    {
        var page = await web.NewPageAsync();
        var response = await page.GotoAsync($"/projects/{Guid.NewGuid()}");
        Assert.Equal(404, response!.Status);
        Assert.Contains("Page non trouvée", await page.Locator("h1").InnerTextAsync());
        response = await page.GotoAsync("/nulle-part");
        Assert.Equal(404, response!.Status);
        using var client = web.Client();
        var api = await client.GetAsync("/api/nulle-part");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, api.StatusCode);
        Assert.DoesNotContain("Page non trouvée", await api.Content.ReadAsStringAsync());
    }
}
