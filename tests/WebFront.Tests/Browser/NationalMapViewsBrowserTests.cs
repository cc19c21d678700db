using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Pcrs.WebFront.Tests.Browser;

/// <summary>
/// The national map's other views in Chromium, on 18 projects of which two are scanned over the same tiles: their
/// extents are drawn; the list pages and sorts; the nature, régime and actor filters (the actor found without its
/// accents, or by its SIREN) narrow the list and the map together; the colour switch changes the legend and the
/// colours; a click where the two overlap offers both in the side panel.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class NationalMapViewsBrowserTests(NationalMapViewsBrowserTests.Fixture web) : IClassFixture<NationalMapViewsBrowserTests.Fixture>
{
    public sealed class Fixture : BrowserFixture;

    private static readonly string[] Tiles = ["l93_rgb_geojp2_only.jp2", "l93_rgb_tiled_lzw.tif"];

    private async Task<CreatedProject> CreateAsync(string name, string status, string nature, string regime, string siren, string actor)
    {
        var body = WebFrontFixture.SampleProject(name);
        body["nature"] = nature;
        body["regime"] = regime;
        body["steps"] = new JsonArray(new JsonObject { ["status"] = status, ["startDate"] = "2020-01-01" });
        body["actors"] = new JsonArray(new JsonObject { ["siren"] = siren, ["name"] = actor, ["role"] = "porteur" });
        using var admin = web.Client(WebFrontFixture.AdminToken);
        var response = await admin.PostAsJsonAsync("/api/projects", body);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var json = await WebFrontFixture.ReadJsonAsync(response);
        return new CreatedProject(json["id"]!.GetValue<Guid>(), json["editorKey"]!.GetValue<string>(),
            json["deliverableIds"]!.AsArray().Select(n => n!.GetValue<Guid>()).ToArray());
    }

    private static Task<IReadOnlyList<string>> ListedAsync(IPage page) => page.Locator("#liste tbody tr a").AllInnerTextsAsync();

    private static Task WaitForListAsync(IPage page, int rows) =>
        page.WaitForFunctionAsync($"document.querySelectorAll('#liste tbody tr').length === {rows}");

    private static async Task<string[]> LegendAsync(IPage page) => (await page.Locator("#legende li").AllInnerTextsAsync()).Select(t => t.Trim()).ToArray();

    [Fact]
    public async Task List_pages_and_sorts_filters_by_nature_regime_and_actor_colours_switch_and_overlaps_are_offered()
    {
        var north = await CreateAsync("Recouvrement Nord", "disponible", "raster", "production", "200039865", "Metz Métropole");
        var south = await CreateAsync("Recouvrement Sud", "prod_en_cours", "mixte", "maj", "237500079", "Région Île-de-France");
        await web.ScanHttpFolderAsync(north, "national-overlap", Tiles);
        await web.ScanHttpFolderAsync(south, "national-overlap", Tiles);
        for (int i = 1; i <= 16; i++)
            await CreateAsync($"Projet {i:00}", "investigation", "vecteur", "anticipation", "229102280", "Département de l'Essonne");

        var page = await web.NewPageAsync();
        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("#carte[data-ready=true]");
        // The two scanned projects are drawn by their extents; the others are listed only.
        Assert.Equal("2", await page.GetAttributeAsync("#carte", "data-features"));
        Assert.Equal("18 projets", await page.Locator("#compte").InnerTextAsync());

        // Paged by 15, sorted by name first.
        Assert.Equal(15, (await ListedAsync(page)).Count);
        Assert.Equal("Projet 01", (await ListedAsync(page))[0]);
        await page.Locator("#pages button", new() { HasText = "Suivante" }).ClickAsync();
        await WaitForListAsync(page, 3);
        Assert.Equal(["Projet 16", "Recouvrement Nord", "Recouvrement Sud"], await ListedAsync(page));
        Assert.Equal("2", await page.Locator("#pages [aria-current=page]").InnerTextAsync());
        await page.SelectOptionAsync("#tri", "name:desc");
        await WaitForListAsync(page, 15);
        Assert.Equal(["Recouvrement Sud", "Recouvrement Nord", "Projet 16"], (await ListedAsync(page)).Take(3));
        await page.SelectOptionAsync("#tri", "tiles:desc");
        Assert.Equal(["Recouvrement Nord", "Recouvrement Sud"], (await ListedAsync(page)).Take(2).Order(StringComparer.Ordinal));
        await page.SelectOptionAsync("#tri", "status:desc");
        Assert.Equal("Recouvrement Nord", (await ListedAsync(page))[0]);

        // Nature, régime: the list and the map follow.
        await page.SelectOptionAsync("#filtre-nature", "mixte");
        await WaitForListAsync(page, 1);
        Assert.Equal(["Recouvrement Sud"], await ListedAsync(page));
        Assert.Equal("1", await page.GetAttributeAsync("#carte", "data-features"));
        await page.SelectOptionAsync("#filtre-nature", "");
        await page.SelectOptionAsync("#filtre-regime", "anticipation");
        await WaitForListAsync(page, 15);
        Assert.Contains("16 projets sur 18", await page.Locator("#compte").InnerTextAsync());
        Assert.Equal("0", await page.GetAttributeAsync("#carte", "data-features"));
        await page.SelectOptionAsync("#filtre-regime", "");

        // Actor: typed without accents or capitals, then by the start of a SIREN.
        await page.Locator("#acteur").PressSequentiallyAsync("departement de l'ess");
        await page.Locator("#acteur-suggestions li", new() { HasText = "Département de l'Essonne" }).ClickAsync();
        await page.WaitForFunctionAsync("document.getElementById('compte').textContent.includes('16 projets sur 18')");
        Assert.Equal("0", await page.GetAttributeAsync("#carte", "data-features"));
        await page.ClickAsync("#effacer");
        await page.Locator("#acteur").PressSequentiallyAsync("ile-de");
        await page.Locator("#acteur-suggestions li", new() { HasText = "Région Île-de-France" }).ClickAsync();
        await WaitForListAsync(page, 1);
        Assert.Equal(["Recouvrement Sud"], await ListedAsync(page));
        await page.ClickAsync("#effacer");
        await page.Locator("#acteur").PressSequentiallyAsync("2000398");
        await page.Locator("#acteur-suggestions li", new() { HasText = "Metz Métropole" }).ClickAsync();
        await WaitForListAsync(page, 1);
        Assert.Equal(["Recouvrement Nord"], await ListedAsync(page));
        await page.ClickAsync("#effacer");
        await WaitForListAsync(page, 15);

        // The colour switch: the legend names the values in use, the list's swatches change with it.
        var swatch = page.Locator("#liste tr:has-text('Recouvrement Nord') .pcrs-swatch");
        Assert.Equal(["Investigation", "Production en cours", "Publié"], await LegendAsync(page));
        var byStatus = await swatch.GetAttributeAsync("style");
        await page.ClickAsync("label[for=couleur-nature]");
        await page.WaitForFunctionAsync("document.querySelector('#legende li')?.textContent.trim() === 'Vecteur'");
        Assert.Equal(["Vecteur", "Raster", "Mixte"], await LegendAsync(page));
        Assert.NotEqual(byStatus, await swatch.GetAttributeAsync("style"));
        await page.ClickAsync("label[for=couleur-regime]");
        await page.WaitForFunctionAsync("document.querySelector('#legende li')?.textContent.trim() === 'Production initiale'");
        Assert.Equal(["Production initiale", "Mise à jour", "Anticipation"], await LegendAsync(page));

        // Where the two extents overlap, a click offers both in the side panel.
        await page.Locator("#carte").ScrollIntoViewIfNeededAsync();
        var at = await page.EvaluateAsync<double[]>("""
            () => {
              const map = window.__pcrsMap, box = map.getContainer().getBoundingClientRect();
              let point = null;
              map.eachLayer((l) => { if (l instanceof L.CircleMarker && l.projectId) point = map.latLngToContainerPoint(l.getLatLng()); });
              return [box.left + point.x, box.top + point.y];
            }
            """);
        await page.Mouse.ClickAsync((float)at[0], (float)at[1]);
        var picker = page.Locator("#superposes");
        await picker.WaitForAsync();
        Assert.Contains("2 projets à cet endroit", await picker.InnerTextAsync());
        var hrefs = await picker.Locator("a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.Equal(new[] { $"/projects/{north.Id}", $"/projects/{south.Id}" }.Order(StringComparer.Ordinal), hrefs.Order(StringComparer.Ordinal));
        await BrowserFixture.AssertAccessibleAsync(page, "carte, projets superposés");
        await BrowserFixture.ScreenshotAsync(page, "carte-superposes-1440");
    }
}
