using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests.Browser;

/// <summary>
/// Real errors reach the pages in French, never as the server's English sentences: wrong form fields (the server's
/// validation messages beside the fields), an FTP login the server refuses, a storage nobody answers on, a file whose
/// TIFF header is malformed and a folder the server refuses (the files in error grouped by kind, with their reasons,
/// on the project page and in the owner's panel), and the administration's "last error" column. What remains in
/// English on a page is data: paths and addresses in code, and a server's own reply, quoted between « ».
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class FrenchErrorsBrowserTests(FrenchErrorsBrowserTests.Fixture web) : IClassFixture<FrenchErrorsBrowserTests.Fixture>
{
    public sealed class Fixture : BrowserFixture;

    private static readonly TimeSpan ScanWait = ScanStates.DefaultTimeout;

    /// <summary>
    /// The sentences of <paramref name="selector"/>'s text that read as English: words every English error sentence of the
    /// server uses and French never does. Code (paths, addresses) and quotes of a server's own words are left aside.
    /// </summary>
    private static Task<string[]> EnglishSentencesAsync(IPage page, string selector) => page.EvaluateAsync<string[]>("""
        (selector) => {
          for (const d of document.querySelectorAll("details")) d.open = true;
          const copy = document.querySelector(selector).cloneNode(true);
          for (const n of copy.querySelectorAll("code, script, style, [lang=en]")) n.remove();
          const text = copy.textContent.replace(/«[^»]*»/g, "« »");
          const english = /\b(the|is|was|were|not|could|failed|refused|denied|server|file|files|folder|expected|allowed|required|must|connection|this|field|characters|between|login|reading|listing|directory|timed|answered|does|has|no longer)\b/i;
          return text.split(/(?<=[.:;!?])\s+|\n+/).map((s) => s.trim()).filter((s) => english.test(s));
        }
        """, selector);

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port; // closed again at once: nothing answers there
    }

    [Fact]
    public async Task Errors_provoked_through_the_pages_read_in_french()
    {
        var token = TestContext.Current.CancellationToken;
        // A folder with one tile and one TIFF whose header points its first image directory past the end of the file.
        var dir = Path.Combine(Peers.DataDir, "webfront-tests", "erreurs-fr");
        Directory.CreateDirectory(dir);
        if (!File.Exists(Path.Combine(dir, "l93_rgb_tiled_lzw.tif")))
            File.Copy(Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"), Path.Combine(dir, "l93_rgb_tiled_lzw.tif"));
        await File.WriteAllBytesAsync(Path.Combine(dir, "entete-cassee.tif"), [0x49, 0x49, 0x2A, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00], token);

        var project = await web.CreateProjectAsync("Projet aux erreurs en français", deliverables: 4);
        await using var refusing = StorageWithErrors.Start();
        using (var editor = web.Client(project.EditorKey))
        {
            var d3 = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[3]}";
            var declare = await editor.PutAsJsonAsync($"{d3}/storage", new JsonObject
            {
                ["type"] = "http", ["url"] = $"http://127.0.0.1:{refusing.Port}/", ["publicConnection"] = false, ["downloadAllowed"] = false,
            }, token);
            Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);
            Assert.Equal("partial", (await ScanStates.SettledAsync(editor, d3))["status"]!.GetValue<string>());
        }
        await web.ScanHttpFolderAsync(project, "erreurs-fr", [], deliverable: 2);

        var page = await web.NewPageAsync(360, 900);
        await page.GotoAsync($"/projects/{project.Id}/suivi");
        await page.FillAsync("#cle", project.EditorKey);
        await page.ClickAsync("#form-connexion button[type=submit]");

        // 1. Wrong fields: the server's messages beside them, in French.
        var form = page.Locator($"[data-storage-form='{project.Deliverables[0]}']");
        await form.WaitForAsync();
        await form.Locator("[data-field=type]").SelectOptionAsync("ftp");
        await form.Locator("[data-field=host]").FillAsync("127.0.0.1");
        await form.Locator("[data-field=port]").FillAsync("70000");
        await form.Locator("[data-field=path]").FillAsync("pas-absolu");
        await form.Locator("button[type=submit]").ClickAsync();
        var portError = form.Locator("[data-group=port] .fr-error-text");
        await portError.WaitForAsync();
        Assert.Equal("Le port est compris entre 1 et 65 535 (reçu : 70000).", (await portError.InnerTextAsync()).Trim());
        Assert.Contains("commence par « / »", await form.Locator("[data-group=path] .fr-error-text").InnerTextAsync(), StringComparison.Ordinal);

        // 2. A login the FTP server refuses.
        await form.Locator("[data-field=port]").FillAsync(Peers.VsftpdFtp.ToString(CultureInfo.InvariantCulture));
        await form.Locator("[data-field=path]").FillAsync("/");
        await form.Locator("[data-field=username]").FillAsync(Peers.User);
        await form.Locator("[data-field=password]").FillAsync("pas-le-bon-mot-de-passe");
        await form.Locator("button[type=submit]").ClickAsync();
        var refused = page.Locator($"[data-storage-panel='{project.Deliverables[0]}'] [data-progress=failed]");
        await refused.WaitForAsync(new() { Timeout = (float)ScanWait.TotalMilliseconds });
        var refusedText = await refused.InnerTextAsync();
        Assert.True(refusedText.Contains("Identification sur", StringComparison.Ordinal) && refusedText.Contains("« 530 ", StringComparison.Ordinal), refusedText);

        // 3. A storage nobody answers on.
        var unreachable = page.Locator($"[data-storage-form='{project.Deliverables[1]}']");
        await unreachable.Locator("[data-field=type]").SelectOptionAsync("ftp");
        await unreachable.Locator("[data-field=host]").FillAsync("127.0.0.1");
        await unreachable.Locator("[data-field=port]").FillAsync(ClosedPort().ToString(CultureInfo.InvariantCulture));
        await unreachable.Locator("[data-field=path]").FillAsync("/");
        await unreachable.Locator("button[type=submit]").ClickAsync();
        var down = page.Locator($"[data-storage-panel='{project.Deliverables[1]}'] [data-progress=failed]");
        await down.WaitForAsync(new() { Timeout = (float)ScanWait.TotalMilliseconds });
        var downText = await down.InnerTextAsync();
        Assert.True(downText.Contains("Échec du scan", StringComparison.Ordinal) && downText.Contains("Connexion refusée", StringComparison.Ordinal), downText);

        // 4. The malformed header and the refused folder, grouped by kind in the owner's panel.
        var ownerErrors = page.Locator($"[data-owner-errors='{project.Deliverables[2]}'] [data-error-kind=format]");
        await ownerErrors.WaitForAsync(new() { State = WaitForSelectorState.Attached });
        Assert.Contains("entete-cassee.tif", await ownerErrors.TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("au-delà de la fin du fichier de 12 octets", await ownerErrors.TextContentAsync(), StringComparison.Ordinal);
        await page.Locator($"[data-owner-errors='{project.Deliverables[3]}'] [data-directory-errors]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var english = await EnglishSentencesAsync(page, "main");
        Assert.True(english.Length == 0, "English on the owner's page:\n" + string.Join('\n', english));
        await BrowserFixture.AssertAccessibleAsync(page, "suivi avec erreurs, 360 px");
        await BrowserFixture.ScreenshotAsync(page, "suivi-erreurs-360");

        // 5. The public page: the same lists, grouped by kind, and the failed scans' reasons.
        var project360 = await web.NewPageAsync(360, 900);
        await project360.GotoAsync($"/projects/{project.Id}");
        await project360.WaitForSelectorAsync("#projet[data-ready=true]");
        var card = project360.Locator($"#livrable-{project.Deliverables[2]}");
        Assert.Contains("entete-cassee.tif", await card.Locator("[data-errors] [data-error-kind=format]").TextContentAsync(), StringComparison.Ordinal);
        var refusedCard = project360.Locator($"#livrable-{project.Deliverables[3]}");
        Assert.Contains("/refuse", await refusedCard.Locator("[data-directory-errors] [data-error-kind=server]").TextContentAsync(), StringComparison.Ordinal);
        english = await EnglishSentencesAsync(project360, "main");
        Assert.True(english.Length == 0, "English on the project page:\n" + string.Join('\n', english));
        await BrowserFixture.ScreenshotAsync(project360, "projet-erreurs-360");

        // 6. The administration's last errors.
        var admin = await web.NewPageAsync(1920, 1000);
        await admin.GotoAsync("/admin");
        await admin.FillAsync("#jeton", WebFrontFixture.AdminToken);
        await admin.ClickAsync("#form-connexion button[type=submit]");
        await admin.Locator($"tr[data-deliverable='{project.Deliverables[1]}']").WaitForAsync();
        english = await EnglishSentencesAsync(admin, "main");
        Assert.True(english.Length == 0, "English on the administration page:\n" + string.Join('\n', english));
    }
}
