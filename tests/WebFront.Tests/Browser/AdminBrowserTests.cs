using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests.Browser;

/// <summary>
/// The administration page in Chromium, signed in with an administrator token: filters by scan state, by error and by
/// text; "Relancer" shows the new scan's progress in the row until it ends; a project's editor key renewed (the old
/// one stops working, the shown one works); a storage revoked after its confirmation leaves the list and the API.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class AdminBrowserTests(AdminBrowserTests.Fixture web) : IClassFixture<AdminBrowserTests.Fixture>
{
    public sealed class Fixture : BrowserFixture;

    private static readonly string[] WithError = ["l93_rgb_geojp2_only.jp2", "corrupt_truncated_200.jp2"];
    private static readonly string[] Clean = ["l93_rgb_tiled_lzw.tif", "l93_rgb_lossless.jp2"];

    private static async Task<string[]> RowsAsync(IPage page) =>
        (await page.Locator("#table-stockages tbody tr td:first-child a").AllInnerTextsAsync()).Order(StringComparer.Ordinal).ToArray();

    private static Task WaitForRowsAsync(IPage page, int count) =>
        page.WaitForFunctionAsync($"document.querySelectorAll('#table-stockages tbody tr').length === {count}", null, new() { Timeout = 120_000 });

    [Fact]
    public async Task Admin_filters_rescans_with_live_progress_renews_a_key_and_revokes()
    {
        var errors = await web.CreateProjectAsync("Admin – avec erreurs");
        await web.ScanHttpFolderAsync(errors, "admin-errors", WithError);
        var clean = await web.CreateProjectAsync("Admin – sans erreur");
        await web.ScanHttpFolderAsync(clean, "admin-clean", Clean);
        var broken = await web.CreateProjectAsync("Admin – en échec");
        using (var editor = web.Client(broken.EditorKey))
        {
            var d = $"/api/projects/{broken.Id}/deliverables/{broken.Deliverables[0]}";
            var declare = await editor.PutAsJsonAsync($"{d}/storage", new JsonObject
            {
                ["type"] = "http", ["url"] = $"http://127.0.0.1:{Peers.Nginx}/webfront-tests/dossier-absent/",
                ["publicConnection"] = false, ["downloadAllowed"] = true,
            });
            Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);
            Assert.Equal("failed", (await ScanStates.SettledAsync(editor, d))["status"]!.GetValue<string>());
        }

        var page = await web.NewPageAsync();
        await page.GotoAsync("/admin");
        await page.WaitForSelectorAsync("#admin[data-ready=true]");
        await page.FillAsync("#jeton", WebFrontFixture.AdminToken);
        await page.ClickAsync("#form-connexion button[type=submit]");
        await WaitForRowsAsync(page, 3);
        string[] all = ["Admin – avec erreurs", "Admin – en échec", "Admin – sans erreur"];
        Assert.Equal(all, await RowsAsync(page));

        // Filters: by scan state, by error (a failed scan or files in error), by text (accents ignored).
        await page.SelectOptionAsync("#filtre-etat", "failed");
        await WaitForRowsAsync(page, 1);
        Assert.Equal(["Admin – en échec"], await RowsAsync(page));
        await page.SelectOptionAsync("#filtre-etat", "");
        await page.ClickAsync("label[for=filtre-erreur]"); // the design system draws the box over the input
        await WaitForRowsAsync(page, 2);
        Assert.Equal(["Admin – avec erreurs", "Admin – en échec"], await RowsAsync(page));
        Assert.Contains("1 sur 2", await page.Locator($"tr[data-deliverable='{errors.Deliverables[0]}']").InnerTextAsync());
        await page.ClickAsync("label[for=filtre-erreur]");
        await page.FillAsync("#recherche", "echec");
        await WaitForRowsAsync(page, 1);
        Assert.Equal(["Admin – en échec"], await RowsAsync(page));
        await page.FillAsync("#recherche", "");
        await WaitForRowsAsync(page, 3);
        await BrowserFixture.AssertAccessibleAsync(page, "admin, connecté");

        // Relancer: the row shows the new scan's progress bar (recorded as it is drawn), then its state again.
        using var anonymous = web.Client();
        var cleanScan = $"/api/projects/{clean.Id}/deliverables/{clean.Deliverables[0]}/scan";
        var before = DateTimeOffset.Parse((await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync(cleanScan)))["lastSuccessAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        await page.EvaluateAsync("""
            () => {
              window.__progress = [];
              new MutationObserver(() => {
                for (const n of document.querySelectorAll('#table-stockages [data-progress]'))
                  window.__progress.push(n.dataset.progress + ':' + (n.querySelector('progress')?.value ?? '') + '/' + (n.querySelector('progress')?.max ?? ''));
              }).observe(document.querySelector('#table-stockages'), { childList: true, subtree: true });
            }
            """);
        var row = page.Locator($"tr[data-deliverable='{clean.Deliverables[0]}']");
        await row.Locator("[data-action=relancer]").ClickAsync();
        await page.Locator("#messages", new() { HasText = "Scan relancé" }).WaitForAsync();
        // The watch ends with the settled state drawn in the row, then the list is read again (the badge is back).
        await page.WaitForFunctionAsync("window.__progress.some(p => p.startsWith('succeeded:'))", null, new() { Timeout = 180_000 });
        await page.WaitForFunctionAsync(
            $"document.querySelector(\"tr[data-deliverable='{clean.Deliverables[0]}'] [data-state] .fr-badge\") !== null", null, new() { Timeout = 120_000 });
        var seen = await page.EvaluateAsync<string[]>("window.__progress");
        // Drawn at its end as a full bar.
        Assert.Contains(seen, p => p.StartsWith("succeeded:", StringComparison.Ordinal) && p["succeeded:".Length..].Split('/') is [var value, var max] && value == max);
        var after = DateTimeOffset.Parse((await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync(cleanScan)))["lastSuccessAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(after > before, $"last success {before:O} then {after:O}");

        // A new editor key: shown once; the old one is refused, the new one opens that project.
        var errorsRow = page.Locator($"tr[data-deliverable='{errors.Deliverables[0]}']");
        await errorsRow.Locator("[data-action=cle]").ClickAsync();
        await errorsRow.Locator("[data-confirm=cle]").ClickAsync();
        var alert = page.Locator("#messages .fr-alert--success", new() { HasText = "Nouvelle clé" });
        await alert.WaitForAsync();
        var key = (await alert.InnerTextAsync()).Split(" : ")[^1].Trim();
        using (var old = web.Client(errors.EditorKey))
            Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync("/api/session")).StatusCode);
        using (var renewed = web.Client(key))
        {
            var me = await WebFrontFixture.ReadJsonAsync(await renewed.GetAsync("/api/session"));
            Assert.Equal("editor", me["role"]!.GetValue<string>());
            Assert.Equal(errors.Id, me["projectId"]!.GetValue<Guid>());
        }

        // Revoke, confirmed: the row leaves the list, the storage leaves the project.
        var brokenRow = page.Locator($"tr[data-deliverable='{broken.Deliverables[0]}']");
        await brokenRow.Locator("[data-action=revoquer]").ClickAsync();
        await brokenRow.Locator("[data-confirm=revoquer]").ClickAsync();
        await page.Locator("#messages", new() { HasText = "Stockage révoqué" }).WaitForAsync();
        await WaitForRowsAsync(page, 2);
        Assert.Equal(["Admin – avec erreurs", "Admin – sans erreur"], await RowsAsync(page));
        var project = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"/api/projects/{broken.Id}"));
        Assert.Null(project["deliverables"]![0]!["storage"]);
        await BrowserFixture.AssertAccessibleAsync(page, "admin, après les actions");
        await BrowserFixture.ScreenshotAsync(page, "admin-actions-1440");
    }
}
