using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests.Browser;

/// <summary>
/// The web front on a real loopback port (its own database) and Debian's Chromium driven by Playwright. No browser is
/// ever downloaded: the executable path is given, and Playwright's own download is switched off.
/// </summary>
public class BrowserFixture : WebFrontFixture, IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    protected override bool ListenOnSocket => true;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseAddress { get; private set; } = "";

    /// <summary>Screenshots of every page, kept as test artifacts (git-ignored) at the repository's artifacts/screenshots.</summary>
    public static string ScreenshotDir { get; } = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    public new async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Assert.True(File.Exists(Chromium), "Chromium is missing: apt-get install -y chromium (tests/peers/start.sh installs it)");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        using var client = Client();
        BaseAddress = client.BaseAddress!.ToString().TrimEnd('/');
        Directory.CreateDirectory(ScreenshotDir);
    }

    public new async ValueTask DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>A fresh browser context (no shared session storage) at the given width, French locale, Paris time.</summary>
    public async Task<IPage> NewPageAsync(int width = 1440, int height = 1000)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = BaseAddress,
            ViewportSize = new() { Width = width, Height = height },
            Locale = "fr-FR",
            TimezoneId = "Europe/Paris",
            AcceptDownloads = true,
        });
        var page = await context.NewPageAsync();
        // Generous: two shared cores run every engineer's builds and tests; waits are on page state, never on time.
        page.SetDefaultTimeout(90_000);
        return page;
    }

    /// <summary>axe-core on the page as it is now: no serious or critical violation (the list says which and where).</summary>
    public static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(bad.Count == 0, $"{what}: " + string.Join("\n", bad.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} at {string.Join(" | ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target?.ToString() ?? "")))}")));
    }

    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDir, name + ".png"), FullPage = true });

    /// <summary>Declares an HTTP storage over the nginx peer for one of the project's deliverables (the first by default) and waits for its scan.</summary>
    public async Task ScanHttpFolderAsync(CreatedProject project, string folder, IEnumerable<string> fixtures, bool downloadAllowed = true, int deliverable = 0)
    {
        var dir = Path.Combine(Peers.DataDir, "webfront-tests", folder);
        Directory.CreateDirectory(dir);
        foreach (var name in fixtures)
        {
            if (!File.Exists(Path.Combine(dir, name)))
                File.Copy(Path.Combine(Peers.FixturesDir, name), Path.Combine(dir, name));
        }
        using var editor = Client(project.EditorKey);
        var d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[deliverable]}";
        var declare = await editor.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "http", ["url"] = $"http://127.0.0.1:{Peers.Nginx}/webfront-tests/{folder}/",
            ["publicConnection"] = false, ["downloadAllowed"] = downloadAllowed,
        });
        Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);
        await ScanStates.SettledAsync(editor, d);
    }
}
