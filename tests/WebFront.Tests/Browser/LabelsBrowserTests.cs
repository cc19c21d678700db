using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Formats;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;
using Pcrs.WebFront.Problems;
using Pcrs.WebFront.Validation;

namespace Pcrs.WebFront.Tests.Browser;

/// <summary>
/// Every code the API can put on a page has its French label in the pages' one table (wwwroot/js/labels.js), read in
/// the browser: the vocabularies the server validates, every scan state it writes (partial included), every tile
/// classification and summary nature, the formats and band names the readers report. A code added on the server
/// without its label fails here instead of showing raw on a page. A partial scan (a folder the server refuses, a file
/// that is no tile) is named as such on the project page and the owner's form, with the folders and files not read.
/// Each error sentence's French takes exactly the variable parts its English has.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class LabelsBrowserTests(LabelsBrowserTests.Fixture web) : IClassFixture<LabelsBrowserTests.Fixture>
{
    public sealed class Fixture : BrowserFixture;

    private static Dictionary<string, string[]> Codes() => new(StringComparer.Ordinal)
    {
        ["status"] = ProjectVocabulary.StepStatuses,
        ["regime"] = ProjectVocabulary.Regimes,
        ["projectNature"] = ProjectVocabulary.ProjectNatures,
        ["deliverableNature"] = ProjectVocabulary.DeliverableNatures,
        ["licence"] = ProjectVocabulary.Licences,
        ["diffusion"] = ProjectVocabulary.Diffusions,
        ["storageType"] = ProjectVocabulary.StorageTypes,
        ["tls"] = ProjectVocabulary.FtpTls,
        ["role"] = ProjectVocabulary.ActorRoles,
        ["subsidy"] = ProjectVocabulary.SubsidyNatures,
        ["scan"] = [.. Enum.GetValues<ScanStatus>().Select(ScanStatusText.ToText), ScanStatusText.Running],
        // A deliverable's summary nature is a tile classification, or mixed, empty, unknown (Grains/Scanning/ScanSummaries).
        ["classification"] = [.. Enum.GetValues<TileClassification>().Select(TileRows.ClassificationLabel), "mixed", "empty"],
        // TileMetadata.Format and the band names (GDAL colour interpretations) the readers report.
        ["format"] = ["GeoTIFF", "JPEG2000", "GML", "GeoPackage", "DXF"],
        ["band"] = ["Red", "Green", "Blue", "NIR", "Alpha", "Gray", "Undefined"],
        // Every coded error sentence: validation messages, problem details, scan and file errors (WebFront/Problems).
        ["error"] = [.. ErrorSentences.All.Select(s => s.Code)],
    };

    [Fact]
    public async Task Every_code_the_api_can_send_has_a_french_label()
    {
        var page = await web.NewPageAsync();
        await page.GotoAsync("/donnees");
        var codes = Codes();
        var missing = await page.EvaluateAsync<string[]>("""
            async (codes) => {
              const { entries } = await import("/js/labels.js");
              const missing = [];
              for (const [kind, list] of Object.entries(codes)) {
                const known = new Set(entries(kind).map(([code]) => code));
                for (const code of list) if (!known.has(code)) missing.push(`${kind}: ${code}`);
              }
              return missing;
            }
            """, codes);
        Assert.True(missing.Length == 0, "Codes without a French label:\n" + string.Join('\n', missing));
        Assert.Contains("partial", codes["scan"]);
        Assert.Equal("Partiel", await page.EvaluateAsync<string>("async () => (await import('/js/labels.js')).label('scan', 'partial')"));
    }

    [Fact]
    public async Task Every_error_sentence_has_french_with_the_same_variable_parts()
    {
        var page = await web.NewPageAsync();
        await page.GotoAsync("/donnees");
        var arity = ErrorSentences.All.ToDictionary(s => s.Code, s => s.Arity, StringComparer.Ordinal);
        var wrong = await page.EvaluateAsync<string[]>("""
            async (arity) => {
              const { entries } = await import("/js/labels.js");
              const wrong = [];
              for (const [code, french] of entries("error")) {
                const holes = new Set([...french.matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1])));
                const expected = arity[code];
                if (expected === undefined) wrong.push(`${code}: no such code on the server`);
                else if (holes.size !== expected || [...holes].some((h) => h >= expected)) wrong.push(`${code}: ${holes.size} parts for ${expected}`);
              }
              return wrong;
            }
            """, arity);
        Assert.True(wrong.Length == 0, string.Join('\n', wrong));
        // A reason inside a reason, a server's reply kept as said, and French articles after "à".
        Assert.Equal("Identification sur le stockage en tant que « peer » : le serveur FTP a répondu « 530 Login incorrect. ».",
            await page.EvaluateAsync<string>("async (json) => (await import('/js/labels.js')).errorText(JSON.parse(json), '')",
                System.Text.Json.JsonSerializer.Serialize(ErrorSentences.Identify("Logging in to the storage as 'peer': the FTP server answered '530 Login incorrect.'."))));
        Assert.Equal("Connexion au stockage impossible (connexion refusée : Connexion refusée).",
            await page.EvaluateAsync<string>("async (json) => (await import('/js/labels.js')).errorText(JSON.parse(json), '')",
                System.Text.Json.JsonSerializer.Serialize(ErrorSentences.Identify("Could not connect to the storage (ConnectionRefused: Connection refused)."))));
    }

    [Fact]
    public async Task A_partial_scan_is_named_with_its_folders_and_files_not_read()
    {
        var token = TestContext.Current.CancellationToken;
        var project = await web.CreateProjectAsync("Projet au scan partiel");
        await using var server = StorageWithErrors.Start();
        string d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}";
        using var editor = web.Client(project.EditorKey);
        var declare = await editor.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "http", ["url"] = $"http://127.0.0.1:{server.Port}/", ["publicConnection"] = false, ["downloadAllowed"] = false,
        }, token);
        Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);
        Assert.Equal("partial", (await ScanStates.SettledAsync(editor, d))["status"]!.GetValue<string>());

        var page = await web.NewPageAsync(360, 900);
        await page.GotoAsync($"/projects/{project.Id}");
        await page.WaitForSelectorAsync("#projet[data-ready=true]");
        var card = page.Locator($"#livrable-{project.Deliverables[0]}");
        Assert.Contains("Dernier scan partiel", await card.Locator("[data-partial]").InnerTextAsync(), StringComparison.Ordinal);
        await card.Locator("summary", new() { HasText = "Dossiers non lus" }).ClickAsync();
        Assert.Contains("/refuse", await card.Locator($"[data-directory-errors='{project.Deliverables[0]}']").InnerTextAsync(), StringComparison.Ordinal);
        await card.Locator("summary", new() { HasText = "Fichiers en erreur" }).ClickAsync();
        Assert.Contains("casse.tif", await card.Locator($"[data-errors='{project.Deliverables[0]}']").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("partial", await card.InnerTextAsync(), StringComparison.Ordinal);
        await BrowserFixture.AssertAccessibleAsync(page, "projet au scan partiel, 360 px");
        await BrowserFixture.ScreenshotAsync(page, "projet-scan-partiel-360");

        // The administration names it too, as a warning.
        var admin = await web.NewPageAsync();
        await admin.GotoAsync("/admin");
        await admin.FillAsync("#jeton", WebFrontFixture.AdminToken);
        await admin.ClickAsync("#form-connexion button[type=submit]");
        var row = admin.Locator($"tr[data-deliverable='{project.Deliverables[0]}']");
        await row.WaitForAsync();
        Assert.Equal("Partiel", (await row.Locator(".fr-badge--warning").TextContentAsync())?.Trim()); // shown in capitals by the CSS
    }
}
