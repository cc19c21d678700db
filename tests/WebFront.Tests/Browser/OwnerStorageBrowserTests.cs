using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests.Browser;

/// <summary>
/// The owner's storage forms in Chromium, signed in with the editor key: one form per storage type; a self-signed
/// FTPS certificate refused, then trusted by the fingerprint the failed scan named, with "download not allowed" ticked
/// off (the public page then offers no download); "Relancer le scan" shows the new scan to its end; an HTTP storage on
/// the second deliverable; the public page draws each deliverable's tiles in its own colour with a legend.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class OwnerStorageBrowserTests(OwnerStorageBrowserTests.Fixture web) : IClassFixture<OwnerStorageBrowserTests.Fixture>
{
    public sealed class Fixture : BrowserFixture;

    private static readonly string[] FtpsTiles = ["l93_rgb_geojp2_only.jp2", "l93_rgb_tiled_lzw.tif"];
    private static readonly string[] HttpTiles = ["l93_rgb_lossless.jp2"];
    private const string FtpsFolder = "/webfront-tests/owner-trust";

    private static readonly TimeSpan ScanWait = TimeSpan.FromSeconds(180);

    private static async Task<string> WaitForSettledAsync(ILocator panel)
    {
        await panel.Locator("[data-progress=succeeded], [data-progress=failed]").WaitForAsync(new() { Timeout = (float)ScanWait.TotalMilliseconds });
        return (await panel.Locator("[data-progress]").GetAttributeAsync("data-progress"))!;
    }

    [Fact]
    public async Task Owner_trusts_a_certificate_by_its_fingerprint_rescans_and_sees_each_deliverable_in_its_colour()
    {
        var local = Path.Combine(Peers.DataDir, FtpsFolder.TrimStart('/'));
        Directory.CreateDirectory(local);
        foreach (var name in FtpsTiles)
        {
            if (!File.Exists(Path.Combine(local, name)))
                File.Copy(Path.Combine(Peers.FixturesDir, name), Path.Combine(local, name));
        }
        var httpLocal = Path.Combine(Peers.DataDir, "webfront-tests", "owner-http");
        Directory.CreateDirectory(httpLocal);
        foreach (var name in HttpTiles)
        {
            if (!File.Exists(Path.Combine(httpLocal, name)))
                File.Copy(Path.Combine(Peers.FixturesDir, name), Path.Combine(httpLocal, name));
        }
        var project = await web.CreateProjectAsync("Projet à deux livrables", deliverables: 2);
        var page = await web.NewPageAsync();
        await page.GotoAsync($"/projects/{project.Id}/suivi");
        await page.FillAsync("#cle", project.EditorKey);
        await page.ClickAsync("#form-connexion button[type=submit]");
        var form = page.Locator($"[data-storage-form='{project.Deliverables[0]}']");
        var panel = page.Locator($"[data-storage-panel='{project.Deliverables[0]}']");
        await form.WaitForAsync();

        // One form per type: HTTP asks for an address, SFTP for a server on port 22, FTP also for its encryption.
        Assert.Equal(1, await form.Locator("[data-field=url]").CountAsync());
        Assert.Equal(0, await form.Locator("[data-field=host]").CountAsync());
        await form.Locator("[data-field=type]").SelectOptionAsync("sftp");
        Assert.Equal("22", await form.Locator("[data-field=port]").InputValueAsync());
        Assert.Equal(0, await form.Locator("[data-field=tls]").CountAsync());
        Assert.Equal(0, await form.Locator("[data-field=url]").CountAsync());
        await form.Locator("[data-field=type]").SelectOptionAsync("ftp");
        Assert.Equal("21", await form.Locator("[data-field=port]").InputValueAsync());
        // The two checkboxes and the responsibility notice.
        Assert.Contains("Rendre publiques les informations de connexion", await form.InnerTextAsync());
        Assert.Contains("vous confirmez avoir le droit de le diffuser", await form.InnerTextAsync());

        // Implicit FTPS with the peers' self-signed certificate; downloads not allowed.
        await form.Locator("[data-field=host]").FillAsync("127.0.0.1");
        await form.Locator("[data-field=port]").FillAsync(Peers.VsftpdImplicit.ToString(CultureInfo.InvariantCulture));
        await form.Locator("[data-field=path]").FillAsync(FtpsFolder);
        await form.Locator("[data-field=username]").FillAsync(Peers.User);
        await form.Locator("[data-field=password]").FillAsync(Peers.Password);
        await form.Locator("[data-field=tls]").SelectOptionAsync("implicit");
        // The design system draws the box over the input: the label takes the click.
        await form.Locator("[data-group=downloadAllowed] label").ClickAsync();
        Assert.False(await form.Locator("[data-field=downloadAllowed]").IsCheckedAsync());
        await form.Locator("button[type=submit]").ClickAsync();

        // Refused, naming the certificate's fingerprint; trusting exactly that one makes the next scan succeed.
        Assert.Equal("failed", await WaitForSettledAsync(panel));
        var trust = panel.Locator("button", new() { HasText = "Faire confiance à cette empreinte" });
        await trust.WaitForAsync();
        var fingerprint = await panel.Locator(".fr-callout code").InnerTextAsync();
        Assert.Matches(new Regex("^SHA256:[A-Za-z0-9+/]{43}=?$"), fingerprint);
        Assert.Contains(fingerprint, await panel.Locator("[data-progress=failed]").InnerTextAsync());
        await BrowserFixture.AssertAccessibleAsync(page, "suivi, empreinte à approuver");
        await BrowserFixture.ScreenshotAsync(page, "suivi-empreinte-1440");
        await trust.ClickAsync();
        await panel.Locator("text=Empreinte enregistrée").WaitForAsync();
        await panel.Locator("[data-progress=succeeded]").WaitForAsync(new() { Timeout = (float)ScanWait.TotalMilliseconds });
        Assert.Contains("2 analysés", await panel.Locator("[data-progress]").InnerTextAsync());
        Assert.Equal(0, await panel.Locator(".fr-callout").CountAsync());
        using var anonymous = web.Client();
        var scanUrl = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}/scan";
        var first = (await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync(scanUrl)))["lastSuccessAt"]!.GetValue<DateTimeOffset>();

        // "Relancer le scan": the panel follows the new scan, not the previous one's end, until it ends: its last
        // drawing comes after the new scan's success (same machine clock), and it is a success.
        await page.EvaluateAsync($$"""
            () => {
              window.__drawn = [];
              const panel = document.querySelector("[data-storage-panel='{{project.Deliverables[0]}}']");
              new MutationObserver(() => { const p = panel.querySelector('[data-progress]'); if (p) window.__drawn.push([Date.now(), p.dataset.progress]); })
                .observe(panel, { childList: true, subtree: true });
            }
            """);
        await panel.Locator("[data-action=relancer]").ClickAsync();
        await panel.Locator("text=Scan relancé.").WaitForAsync();
        DateTimeOffset second;
        using (var cts = new CancellationTokenSource(ScanWait))
        {
            while ((second = (await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync(scanUrl, cts.Token)))["lastSuccessAt"]!.GetValue<DateTimeOffset>()) <= first)
                await Task.Delay(250, cts.Token);
        }
        await page.Locator($"[data-storage-panel='{project.Deliverables[0]}'] [aria-busy=true]").WaitForAsync(
            new() { State = WaitForSelectorState.Detached, Timeout = (float)ScanWait.TotalMilliseconds });
        using var drawn = System.Text.Json.JsonDocument.Parse(await page.EvaluateAsync<string>("JSON.stringify(window.__drawn)"));
        var last = drawn.RootElement.EnumerateArray().Last();
        Assert.Equal("succeeded", last[1].GetString());
        Assert.True(last[0].GetDouble() >= second.ToUnixTimeMilliseconds() - 1000,
            $"last drawn at {last[0].GetDouble()}, new scan succeeded at {second.ToUnixTimeMilliseconds()}");
        Assert.Contains("Dernier scan accompli avec succès le", await panel.Locator("[data-progress]").InnerTextAsync());

        // The second deliverable on HTTP, through its form.
        var httpForm = page.Locator($"[data-storage-form='{project.Deliverables[1]}']");
        var httpPanel = page.Locator($"[data-storage-panel='{project.Deliverables[1]}']");
        await httpForm.Locator("[data-field=url]").FillAsync($"http://127.0.0.1:{Peers.Nginx}/webfront-tests/owner-http/");
        await httpForm.Locator("button[type=submit]").ClickAsync();
        Assert.Equal("succeeded", await WaitForSettledAsync(httpPanel));

        // The public page: each deliverable in its colour, with a legend; the first offers no download.
        var visitor = await web.NewPageAsync();
        await visitor.GotoAsync($"/projects/{project.Id}");
        await visitor.WaitForSelectorAsync("#projet[data-ready=true]");
        Assert.Equal("3", await visitor.GetAttributeAsync("#carte", "data-features"));
        var legend = await visitor.Locator("#legende li").AllInnerTextsAsync();
        Assert.Equal(["Images raster 0 (2 dalles)", "Images raster 1 (1 dalle)"], legend.Select(l => l.Trim()));
        var strokes = await visitor.Locator("#carte path.leaflet-interactive").EvaluateAllAsync<string[]>("paths => paths.map(p => p.getAttribute('stroke'))");
        Assert.Equal(["#000091", "#000091", "#c9191e"], strokes.Order(StringComparer.Ordinal));
        var card = await visitor.Locator($"[data-deliverable='{project.Deliverables[0]}']").InnerTextAsync();
        // (Badges are drawn in capitals: the text is compared without case.)
        Assert.Contains("Téléchargement non autorisé", card, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Stockage FTP", card, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Téléchargement autorisé", await visitor.Locator($"[data-deliverable='{project.Deliverables[1]}']").InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
        // Only the second deliverable is offered for bulk download.
        Assert.Equal(["Images raster 1 (1 dalle)"], (await visitor.Locator("#telechargement-livrable option").AllInnerTextsAsync()).Select(t => t.Trim()));
        await BrowserFixture.AssertAccessibleAsync(visitor, "projet à deux livrables");
    }
}
