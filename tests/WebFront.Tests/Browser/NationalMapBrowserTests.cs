using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Pcrs.WebFront.Tests.Browser;

/// <summary>
/// The national map's filters in Chromium: by status and by a commune's name; the list follows and names each
/// project's places before any scan.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class NationalMapBrowserTests(NationalMapBrowserTests.Fixture web) : IClassFixture<NationalMapBrowserTests.Fixture>
{
    public sealed class Fixture : BrowserFixture;

    private async Task CreateAsync(string name, string status, string perimeter)
    {
        var body = WebFrontFixture.SampleProject(name);
        body["perimeters"] = new JsonArray(perimeter);
        body["steps"] = new JsonArray(new JsonObject { ["status"] = status, ["startDate"] = "2020-01-01" });
        using var admin = web.Client(WebFrontFixture.AdminToken);
        var response = await admin.PostAsJsonAsync("/api/projects", body);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task<string[]> ListedAsync(IPage page) =>
        (await page.Locator("#liste tbody tr a").AllInnerTextsAsync()).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task Filters_by_status_and_by_commune_name_and_the_list_follows()
    {
        await CreateAsync("PCRS Metz", "prod_en_cours", "commune:57463");
        await CreateAsync("PCRS Metz Métropole", "disponible", "epci:200039865");
        await CreateAsync("PCRS Bouches-du-Rhône", "disponible", "departement:13");
        await CreateAsync("PCRS Évry", "investigation", "commune:91228");

        var page = await web.NewPageAsync();
        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("#carte[data-ready=true]");
        Assert.Equal(["PCRS Bouches-du-Rhône", "PCRS Metz", "PCRS Metz Métropole", "PCRS Évry"], await ListedAsync(page));

        // None is scanned: none is drawn, each is listed with its places by their official names.
        Assert.Contains("4 projets sans dalle scannée", await page.Locator("#sans-emprise").InnerTextAsync());
        Assert.Equal("Périmètre : Metz (57)", await page.Locator("#liste tr:has-text('PCRS Metz') [data-perimeters]").First.InnerTextAsync());
        Assert.Equal("Périmètre : Metz Métropole", await page.Locator("#liste tr:has-text('PCRS Metz Métropole') [data-perimeters]").InnerTextAsync());
        Assert.Equal("Périmètre : Bouches-du-Rhône", await page.Locator("#liste tr:has-text('Bouches') [data-perimeters]").InnerTextAsync());

        await page.SelectOptionAsync("#filtre-statut", "disponible");
        Assert.Equal(["PCRS Bouches-du-Rhône", "PCRS Metz Métropole"], await ListedAsync(page));
        Assert.Contains("2 projets sur 4", await page.Locator("#compte").InnerTextAsync());

        await page.SelectOptionAsync("#filtre-statut", "");
        // The commune typed without its accent or capital; its EPCI's project is found too, the département's of another place not.
        await page.Locator("#lieu").PressSequentiallyAsync("metz");
        await page.Locator("#lieu-suggestions li", new() { HasText = "Moselle" }).First.ClickAsync();
        await page.WaitForFunctionAsync("document.querySelectorAll('#liste tbody tr').length === 2");
        Assert.Equal(["PCRS Metz", "PCRS Metz Métropole"], await ListedAsync(page));

        await page.ClickAsync("#effacer");
        await page.Locator("#lieu").PressSequentiallyAsync("evry");
        await page.Locator("#lieu-suggestions li", new() { HasText = "Essonne" }).First.ClickAsync();
        await page.WaitForFunctionAsync("document.querySelectorAll('#liste tbody tr').length === 1");
        Assert.Equal(["PCRS Évry"], await ListedAsync(page));

        // Both filters together.
        await page.SelectOptionAsync("#filtre-statut", "disponible");
        Assert.Empty(await ListedAsync(page));
        Assert.Contains("0 projet sur 4", await page.Locator("#compte").InnerTextAsync());
    }
}
