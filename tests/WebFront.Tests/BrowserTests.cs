using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>The web front on a real loopback port, for the headless browser.</summary>
public sealed class SocketWebFrontFixture : WebFrontFixture
{
    protected override bool ListenOnSocket => true;
}

/// <summary>
/// The home and project pages in headless Chromium: the maps render the scanned footprints (counted in the DOM), and
/// screenshots are kept under tests/WebFront.Tests/artifacts/ (git-ignored) for a human to look at.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class BrowserTests(SocketWebFrontFixture web) : IClassFixture<SocketWebFrontFixture>
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Home_and_project_pages_draw_the_tiles_on_the_map()
    {
        Assert.True(File.Exists(Chromium), "Chromium is missing: apt-get install -y chromium");
        var folder = Path.Combine(Peers.DataDir, "webfront-tests", "dalles");
        Directory.CreateDirectory(folder);
        foreach (var name in new[] { "l93_rgb_geojp2_only.jp2", "l93_rgb_tiled_lzw.tif", "l93_rgb_lossless.jp2" })
        {
            if (!File.Exists(Path.Combine(folder, name)))
                File.Copy(Path.Combine(Peers.FixturesDir, name), Path.Combine(folder, name));
        }
        var project = await web.CreateProjectAsync("Projet carte");
        using var editor = web.Client(project.EditorKey);
        var d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}";
        var declare = await editor.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "http", ["url"] = $"http://127.0.0.1:{Peers.Nginx}/webfront-tests/dalles/",
            ["publicConnection"] = false, ["downloadAllowed"] = true,
        });
        Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);
        var deadline = Stopwatch.StartNew();
        while ((await WebFrontFixture.ReadJsonAsync(await editor.GetAsync($"{d}/scan")))["status"]!.GetValue<string>() is not ("succeeded" or "failed"))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(90), "scan did not finish");
            await Task.Delay(250);
        }

        var baseAddress = editor.BaseAddress!.ToString().TrimEnd('/');
        var artifacts = Path.Combine(WebFrontFixture.RepositoryRoot(), "tests", "WebFront.Tests", "artifacts");
        Directory.CreateDirectory(artifacts);

        var projectDom = await ChromiumAsync($"{baseAddress}/projects/{project.Id}", "--dump-dom");
        Assert.Contains("data-ready=\"true\"", projectDom);
        Assert.Contains("data-features=\"3\"", projectDom);
        Assert.Equal(3, CountOccurrences(projectDom, "leaflet-interactive"));
        Assert.Contains("3 dalle(s) affichée(s)", projectDom);
        await ChromiumAsync($"{baseAddress}/projects/{project.Id}", $"--screenshot={Path.Combine(artifacts, "project.png")}");
        Assert.True(new FileInfo(Path.Combine(artifacts, "project.png")).Length > 5_000);

        var homeDom = await ChromiumAsync($"{baseAddress}/", "--dump-dom");
        Assert.Contains("data-ready=\"true\"", homeDom);
        Assert.Contains("data-features=\"1\"", homeDom);
        Assert.Contains("Projet carte", homeDom);
        Assert.Contains("leaflet-interactive", homeDom);
        await ChromiumAsync($"{baseAddress}/", $"--screenshot={Path.Combine(artifacts, "home.png")}");
        Assert.True(new FileInfo(Path.Combine(artifacts, "home.png")).Length > 5_000);
    }

    private static int CountOccurrences(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    private static async Task<string> ChromiumAsync(string url, string action)
    {
        var profile = Directory.CreateTempSubdirectory("pcrs-chromium-");
        try
        {
            var start = new ProcessStartInfo(Chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", $"--user-data-dir={profile.FullName}", "--window-size=1280,900",
                // Lets the page's fetches and map drawing finish before the DOM is dumped or the screenshot taken.
                "--virtual-time-budget=15000", "--run-all-compositor-stages-before-draw", action, url,
            ])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, await error);
            return await output;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
