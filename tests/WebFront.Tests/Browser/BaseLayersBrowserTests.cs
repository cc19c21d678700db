using Microsoft.AspNetCore.Hosting;

namespace Pcrs.WebFront.Tests.Browser;

/// <summary>
/// Background layers set by configuration (WebFront:BaseLayers, as production lists IGN's "Plan IGN" and "Ortho"):
/// the first is drawn, a switch offers the others, their attribution shows; a layer whose server cannot be reached
/// leaves the page working. The layout's header and footer carry the service name and the required links.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class BaseLayersBrowserTests(BaseLayersBrowserTests.Fixture web) : IClassFixture<BaseLayersBrowserTests.Fixture>
{
    public sealed class Fixture : BrowserFixture
    {
        protected override void Configure(IWebHostBuilder builder)
        {
            builder.UseSetting("WebFront:BaseLayers:0:Name", "Plan IGN");
            builder.UseSetting("WebFront:BaseLayers:0:Url", "https://fonds.example.org/plan/{z}/{x}/{y}.png");
            builder.UseSetting("WebFront:BaseLayers:0:Attribution", "© IGN – Géoplateforme");
            builder.UseSetting("WebFront:BaseLayers:1:Name", "Ortho");
            builder.UseSetting("WebFront:BaseLayers:1:Url", "https://fonds.example.org/ortho/{z}/{x}/{y}.jpg");
            builder.UseSetting("WebFront:BaseLayers:1:Attribution", "© IGN – Géoplateforme");
        }
    }

    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    [Fact]
    public async Task Configured_layers_are_drawn_and_switched_and_an_unreachable_one_leaves_the_page_working()
    {
        await web.CreateProjectAsync("Projet sur fond de plan");
        var page = await web.NewPageAsync();
        // The plan answers (inside the browser); the ortho server is unreachable.
        await page.RouteAsync("https://fonds.example.org/plan/**", route => route.FulfillAsync(new()
        {
            Status = 200, ContentType = "image/png", BodyBytes = Png, Headers = new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = "*" },
        }));
        await page.RouteAsync("https://fonds.example.org/ortho/**", route => route.AbortAsync("connectionrefused"));
        var planTile = page.WaitForRequestAsync(r => r.Url.StartsWith("https://fonds.example.org/plan/", StringComparison.Ordinal));
        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("#carte[data-ready=true]");
        await planTile;
        Assert.Contains("© IGN – Géoplateforme", await page.Locator("#carte .leaflet-control-attribution").InnerTextAsync());
        Assert.Equal(0, await page.Locator("#carte .leaflet-control-attribution", new() { HasText = "Aucun fond de carte" }).CountAsync());

        // The switch: Ortho chosen, its (unreachable) server asked; the list and the filters still work.
        await page.Locator("#carte .leaflet-control-layers").HoverAsync();
        await page.RunAndWaitForRequestAsync(
            () => page.Locator("#carte .leaflet-control-layers-base label", new() { HasText = "Ortho" }).ClickAsync(),
            r => r.Url.StartsWith("https://fonds.example.org/ortho/", StringComparison.Ordinal));
        Assert.Equal(["Plan IGN", "Ortho"], (await page.Locator("#carte .leaflet-control-layers-base label").AllInnerTextsAsync()).Select(t => t.Trim()));
        await page.SelectOptionAsync("#filtre-statut", "disponible");
        await page.WaitForFunctionAsync("document.querySelectorAll('#liste tbody tr').length === 1");
        Assert.Equal("Projet sur fond de plan", await page.Locator("#liste tbody tr a").InnerTextAsync());

        // Header and footer of the State's design system.
        Assert.Equal("Explorateur de stockages PCRS", (await page.Locator(".fr-header__service-title").InnerTextAsync()).Trim());
        Assert.Contains("République", await page.Locator(".fr-header__logo").InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
        var footer = await page.Locator(".fr-footer__bottom-link").AllInnerTextsAsync();
        foreach (var link in new[] { "Accessibilité : non conforme", "Mentions légales", "Données personnelles et gestion des cookies", "Plan du site" })
            Assert.Contains(link, footer.Select(f => f.Trim()));
        Assert.Contains("licence etalab-2.0", await page.Locator(".fr-footer__bottom-copy").InnerTextAsync());
        await BrowserFixture.AssertAccessibleAsync(page, "carte avec fonds configurés");
    }
}
