using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests.Browser;

/// <summary>
/// An owner's whole path in Chromium: sign in with the editor key, declare an FTP storage through the form, see the
/// scan's progress end, the footprints on the public page, a clicked tile's bytes, a rectangle's ZIP (unzip -t and
/// SHA-256 against the storage's files); then revoke it and see the data leave the public page. The administrator's
/// project form finds perimeters by their names and keeps their official codes.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class OwnerFlowBrowserTests(OwnerFlowBrowserTests.Fixture web) : IClassFixture<OwnerFlowBrowserTests.Fixture>
{
    public sealed class Fixture : BrowserFixture;

    private static readonly string[] Tiles = ["l93_rgb_geojp2_only.jp2", "l93_rgb_tiled_lzw.tif", "l93_rgb_lossless.jp2"];
    private const string Folder = "/webfront-tests/owner-ftp";

    private static string Local(string name) => Path.Combine(Peers.DataDir, Folder.TrimStart('/'), name);

    private static string Sha256(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    [Fact]
    public async Task Owner_declares_an_ftp_storage_in_the_form_downloads_tiles_and_revokes_it()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Local("x"))!);
        foreach (var name in Tiles)
        {
            if (!File.Exists(Local(name)))
                File.Copy(Path.Combine(Peers.FixturesDir, name), Local(name));
        }
        var project = await web.CreateProjectAsync("Projet du propriétaire");
        var page = await web.NewPageAsync();

        // Sign in: the key stays in this tab's sessionStorage only.
        await page.GotoAsync($"/projects/{project.Id}/suivi");
        await page.FillAsync("#cle", project.EditorKey);
        await page.ClickAsync("#form-connexion button[type=submit]");
        var form = page.Locator($"[data-storage-form='{project.Deliverables[0]}']");
        await form.WaitForAsync();
        Assert.Equal(project.EditorKey, await page.EvaluateAsync<string>("sessionStorage.getItem('pcrs-token')"));
        Assert.False(await page.EvaluateAsync<bool>("k => Object.values(localStorage).some(v => v.includes(k))", project.EditorKey));
        await BrowserFixture.AssertAccessibleAsync(page, "suivi, connecté");

        // A wrong port first: the server's message shows beside the field.
        await form.Locator("[data-field=type]").SelectOptionAsync("ftp");
        await form.Locator("[data-field=host]").FillAsync("127.0.0.1");
        await form.Locator("[data-field=port]").FillAsync("70000");
        await form.Locator("[data-field=path]").FillAsync(Folder);
        await form.Locator("[data-field=username]").FillAsync(Peers.User);
        await form.Locator("[data-field=password]").FillAsync(Peers.Password);
        await form.Locator("[data-field=tls]").SelectOptionAsync("none");
        await form.Locator("button[type=submit]").ClickAsync();
        await form.Locator("[data-group=port].fr-input-group--error").WaitForAsync();
        var portError = form.Locator("[data-group=port] .fr-error-text");
        Assert.False(string.IsNullOrWhiteSpace(await portError.InnerTextAsync()));

        await form.Locator("[data-field=port]").FillAsync(Peers.VsftpdFtp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await form.Locator("button[type=submit]").ClickAsync();
        var panel = page.Locator($"[data-storage-panel='{project.Deliverables[0]}']");
        // The progress view updates without a reload until the scan ends.
        var seen = new List<string>();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await panel.Locator("[data-progress]").GetAttributeAsync("data-progress");
            if (status is not null && (seen.Count == 0 || seen[^1] != status))
                seen.Add(status);
            if (status is "succeeded" or "failed")
                break;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"scan states seen: {string.Join(", ", seen)}");
            await Task.Delay(100);
        }
        Assert.Equal("succeeded", seen[^1]);
        var progressText = await panel.Locator("[data-progress]").InnerTextAsync();
        Assert.Contains("3 analysés", progressText);
        Assert.Contains("Dernier scan accompli avec succès le", progressText);
        Assert.Equal(await panel.Locator("progress").GetAttributeAsync("max"), await panel.Locator("progress").GetAttributeAsync("value"));

        // The public page: footprints, a clicked tile's bytes.
        var visitor = await web.NewPageAsync();
        await visitor.GotoAsync($"/projects/{project.Id}");
        await visitor.WaitForSelectorAsync("#projet[data-ready=true]");
        Assert.Equal("3", await visitor.GetAttributeAsync("#carte", "data-features"));
        var tile = visitor.Locator("#carte path.leaflet-interactive").First;
        var download = await visitor.RunAndWaitForDownloadAsync(() => tile.ClickAsync(new() { Force = true }));
        var clicked = Path.Combine(Path.GetTempPath(), $"pcrs-tile-{Guid.NewGuid():N}");
        await download.SaveAsAsync(clicked);
        try
        {
            Assert.Contains(Sha256(clicked), Tiles.Select(n => Sha256(Local(n))));
        }
        finally
        {
            File.Delete(clicked);
        }

        // A rectangle drawn over the tiles: size shown first, then a ZIP whose entries are the storage's bytes.
        await visitor.ClickAsync("label[for=etendue-rectangle]");
        await visitor.ClickAsync("#dessiner-rectangle");
        await visitor.Locator("#carte").ScrollIntoViewIfNeededAsync();
        var map = (await visitor.Locator("#carte").BoundingBoxAsync())!;
        // From a third of the map to two thirds: over the tiles, clear of the map's controls.
        await visitor.Mouse.MoveAsync(map.X + map.Width * 0.3f, map.Y + map.Height * 0.3f);
        await visitor.Mouse.DownAsync();
        await visitor.Mouse.MoveAsync(map.X + map.Width * 0.5f, map.Y + map.Height * 0.5f, new() { Steps = 5 });
        await visitor.Mouse.MoveAsync(map.X + map.Width * 0.7f, map.Y + map.Height * 0.7f, new() { Steps = 5 });
        await visitor.Mouse.UpAsync();
        await visitor.WaitForSelectorAsync("#telecharger-zip");
        Assert.Equal("3", await visitor.GetAttributeAsync("#telechargement-resume", "data-tiles"));
        Assert.Contains("3 dalles", await visitor.Locator("#telechargement-resume").InnerTextAsync());
        var zipDownload = await visitor.RunAndWaitForDownloadAsync(() => visitor.ClickAsync("#telecharger-zip"));
        await visitor.WaitForSelectorAsync("#telechargement-progression [data-done=true]");
        var zip = Path.Combine(Path.GetTempPath(), $"pcrs-rect-{Guid.NewGuid():N}.zip");
        await zipDownload.SaveAsAsync(zip);
        try
        {
            var start = new ProcessStartInfo("unzip", ["-t", zip]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using (var unzip = Process.Start(start)!)
            {
                var text = await unzip.StandardOutput.ReadToEndAsync() + await unzip.StandardError.ReadToEndAsync();
                await unzip.WaitForExitAsync();
                Assert.True(unzip.ExitCode == 0, text);
            }
            using var archive = ZipFile.OpenRead(zip);
            Assert.Equal(Tiles.Order(), archive.Entries.Select(e => e.FullName).Order());
            foreach (var entry in archive.Entries)
            {
                await using var stream = entry.Open();
                Assert.Equal(Sha256(Local(entry.FullName)), Convert.ToHexString(await SHA256.HashDataAsync(stream)));
            }
        }
        finally
        {
            File.Delete(zip);
        }
        await BrowserFixture.AssertAccessibleAsync(visitor, "projet, sélection d'un rectangle");
        await BrowserFixture.ScreenshotAsync(visitor, "projet-telechargement-1440");

        // Revoke with the confirmation; the public page no longer shows the storage's data.
        await panel.Locator("[data-action=supprimer]").ClickAsync();
        await panel.Locator("[data-action=confirmer-suppression]").ClickAsync();
        await panel.Locator("text=Stockage supprimé.").WaitForAsync();
        await visitor.ReloadAsync();
        await visitor.WaitForSelectorAsync("#projet[data-ready=true]");
        Assert.Equal("0", await visitor.GetAttributeAsync("#carte", "data-features"));
        var card = await visitor.Locator($"[data-deliverable='{project.Deliverables[0]}']").InnerTextAsync();
        Assert.Contains("Aucun stockage déclaré", card);
        Assert.DoesNotContain("Dernier scan", card);
        Assert.True(await visitor.Locator("#telechargement").IsHiddenAsync());
    }

    [Fact]
    public async Task The_form_finds_perimeters_by_name_and_keeps_their_codes()
    {
        var page = await web.NewPageAsync();
        await page.GotoAsync("/suivi");
        await page.FillAsync("#cle", WebFrontFixture.AdminToken);
        await page.ClickAsync("#form-connexion button[type=submit]");
        var form = page.Locator("#form-projet");
        await form.WaitForAsync();
        await form.Locator("[data-field=name]").FillAsync("PCRS choisi par nom");
        await form.Locator("[data-field='steps[0].startDate']").FillAsync("2024-01-15");
        await form.Locator("[data-field='deliverables[0].name']").FillAsync("Orthophotographie 2024");
        var perimeters = form.Locator("[data-list=perimeters]");
        // Typed without accent: the commune is offered with its département, its code goes in the code field.
        await perimeters.Locator("[data-perimeter-search]").First.PressSequentiallyAsync("thionville");
        await page.Locator("[role=option]", new() { HasText = "Moselle" }).First.ClickAsync();
        Assert.Equal("commune:57672", await perimeters.Locator("[data-field='perimeters[0]']").InputValueAsync());
        Assert.StartsWith("Thionville — Commune, Moselle (57)", await perimeters.Locator("[data-perimeter-name]").First.InnerTextAsync());
        // A second one, an EPCI; a code typed by hand is named too, and an unknown code is said to be unknown.
        await perimeters.Locator("button", new() { HasText = "Ajouter" }).ClickAsync();
        await perimeters.Locator("[data-field='perimeters[1]']").FillAsync("departement:13");
        await perimeters.Locator("[data-field='perimeters[1]']").DispatchEventAsync("change");
        await page.WaitForFunctionAsync("document.querySelectorAll('[data-perimeter-name]')[1].textContent.startsWith('Bouches-du-Rhône')");
        await perimeters.Locator("button", new() { HasText = "Ajouter" }).ClickAsync();
        await perimeters.Locator("[data-field='perimeters[2]']").FillAsync("commune:99999");
        await perimeters.Locator("[data-field='perimeters[2]']").DispatchEventAsync("change");
        await page.WaitForFunctionAsync("document.querySelectorAll('[data-perimeter-name]')[2].textContent.includes('absent de la liste officielle')");
        await perimeters.Locator("[data-perimeter-search]").Nth(2).PressSequentiallyAsync("CA du Val de Fensch");
        await page.Locator("[role=option]", new() { HasText = "EPCI" }).First.ClickAsync();
        Assert.Equal("epci:245701222", await perimeters.Locator("[data-field='perimeters[2]']").InputValueAsync());
        await BrowserFixture.AssertAccessibleAsync(page, "suivi, périmètres par nom");

        // Wait on the creation's answer, then on the page it leads to (both can be slow on a loaded machine).
        var created = await page.RunAndWaitForResponseAsync(
            () => form.Locator("button[type=submit]").ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/api/projects", StringComparison.Ordinal), new() { Timeout = 180_000 });
        Assert.Equal(201, created.Status);
        // (Its body is gone once the page reloads: the id is read from the address the page moves to.)
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/projects/[0-9a-f-]{36}/suivi$"), new() { Timeout = 180_000 });
        await page.WaitForSelectorAsync("#suivi[data-ready=true]", new() { Timeout = 180_000 });
        var id = page.Url.Split('/')[^2];
        using var client = web.Client();
        var project = await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"/api/projects/{id}"));
        Assert.Equal(["commune:57672", "departement:13", "epci:245701222"], project["perimeters"]!.AsArray().Select(p => p!.GetValue<string>()));
        // The list gives the names of the places, the API too.
        var listed = (await WebFrontFixture.ReadJsonAsync(await client.GetAsync("/api/projects"))).AsArray().Single(p => p!["id"]!.GetValue<string>() == id)!;
        Assert.Equal(["Thionville", "Bouches-du-Rhône", "CA du Val de Fensch"], listed["territories"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
    }
}
