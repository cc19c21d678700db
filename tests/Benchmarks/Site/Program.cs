using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

// Browser benchmark of the site's heaviest pages in Debian's Chromium (Playwright, no browser download):
// for each page, N cold loads (a fresh context each) measuring first contentful paint, the time until the page says
// its data is drawn (data-ready), and then a pan of the map: 20 programmatic pans, with the longest frame and the
// long tasks (> 50 ms) the browser reported. With a zoom (PAGE name=path=selector=zoom), the map is first zoomed there
// (centre kept) and the time until the tiles in view are on the map is measured (the project page draws a large
// deliverable's tiles only from zoom 14, for the view), then the pans run at that zoom.
// Prints one JSON object per page and run, then a Markdown table.
// Usage: Pcrs.Benchmarks.Site BASE_URL RUNS PAGE... where PAGE is name=path=readySelector[=zoom]
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: Pcrs.Benchmarks.Site BASE_URL RUNS name=path=selector ...");
    return 2;
}
var baseUrl = args[0].TrimEnd('/');
int runs = int.Parse(args[1], CultureInfo.InvariantCulture);
// The selector may hold "=" itself ([data-ready=true]): a zoom is a trailing "=digits".
var pages = args.Skip(2).Select(a => a.Split('=', 3)).Select(p =>
{
    int cut = p[2].LastIndexOf('=');
    bool zoomed = cut > 0 && p[2][(cut + 1)..].All(char.IsAsciiDigit) && cut + 1 < p[2].Length;
    return (Name: p[0], Path: p[1], Ready: zoomed ? p[2][..cut] : p[2],
        Zoom: zoomed ? int.Parse(p[2][(cut + 1)..], CultureInfo.InvariantCulture) : (int?)null);
}).ToList();

Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium",
    Headless = true,
    Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

const string Instrument = """
    window.__longTasks = [];
    try { new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: "longtask", buffered: true }); } catch (e) {}
    """;
const string Pan = """
    async () => {
      const map = window.__pcrsMap;
      if (!map) return { pans: 0, maxFrame: null, longTasks: null };
      const before = window.__longTasks.length;
      let last = performance.now(), maxFrame = 0, running = true;
      const tick = (t) => { maxFrame = Math.max(maxFrame, t - last); last = t; if (running) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
      for (let i = 0; i < 20; i++) {
        map.panBy([i % 2 ? 300 : -300, i % 4 < 2 ? 200 : -200], { animate: false });
        await new Promise((r) => setTimeout(r, 120));
      }
      running = false;
      const tasks = window.__longTasks.slice(before);
      return { pans: 20, maxFrame, longTasks: tasks.length, longestTask: tasks.length ? Math.max(...tasks) : 0 };
    }
    """;

// Zooms in and waits until map layers that are tiles (a feature with a path) are on the map, then one frame (the
// canvas paints on the next frame): works on any version of the page, which need not say when it drew the view.
const string ZoomIn = """
    async (zoom) => {
      const map = window.__pcrsMap;
      const tilesOnMap = () => { let n = 0; map.eachLayer((l) => { if (l.feature?.properties?.path) n++; }); return n; };
      const before = window.__longTasks.length;
      const started = performance.now();
      map.setZoom(zoom, { animate: false });
      let n = 0;
      while ((n = tilesOnMap()) === 0 && performance.now() - started < 300000) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => requestAnimationFrame(() => r()));
      const tasks = window.__longTasks.slice(before);
      return { zoom: map.getZoom(), drawnMs: performance.now() - started, tiles: n, longTasks: tasks.length, longestTask: tasks.length ? Math.max(...tasks) : 0 };
    }
    """;

var rows = new List<string>();
foreach (var (name, path, ready, zoom) in pages)
{
    var samples = new List<JsonElement>();
    for (int run = 0; run < runs; run++)
    {
        await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 }, Locale = "fr-FR" });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(600_000);
        await page.AddInitScriptAsync(Instrument);
        var started = DateTime.UtcNow;
        await page.GotoAsync(baseUrl + path, new() { WaitUntil = WaitUntilState.Commit });
        await page.WaitForSelectorAsync(ready, new() { State = WaitForSelectorState.Attached });
        double wallReady = (DateTime.UtcNow - started).TotalMilliseconds;
        var timing = await page.EvaluateAsync<JsonElement>("""
            () => ({
              fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null,
              ready: performance.now(),
              domContentLoaded: performance.getEntriesByType("navigation")[0]?.domContentLoadedEventEnd ?? null,
              longTasksDuringLoad: window.__longTasks.length,
              longestTaskDuringLoad: window.__longTasks.length ? Math.max(...window.__longTasks) : 0,
              features: document.querySelector("[data-features]")?.dataset.features ?? null,
            })
            """);
        JsonElement? zoomIn = zoom is { } z ? await page.EvaluateAsync<JsonElement>(ZoomIn, z) : null;
        var pan = await page.EvaluateAsync<JsonElement>(Pan);
        var sample = JsonSerializer.SerializeToElement(new { page = name, run, wallReadyMs = wallReady, timing, zoomIn, pan });
        Console.WriteLine(sample.GetRawText());
        samples.Add(sample);
    }
    double Median(Func<JsonElement, double?> pick)
    {
        var values = samples.Select(pick).OfType<double>().Order().ToList();
        return values.Count == 0 ? double.NaN : values[values.Count / 2];
    }
    static string Cell(double value) => double.IsNaN(value) ? "—" : value.ToString("0", CultureInfo.InvariantCulture);
    double? Num(JsonElement e, params string[] path)
    {
        foreach (var p in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e))
                return null;
        }
        return e.ValueKind == JsonValueKind.Number ? e.GetDouble() : null;
    }
    rows.Add(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {samples.Count} | {Median(s => Num(s, "timing", "fcp")):0} | {Median(s => Num(s, "timing", "ready")):0} | {Median(s => Num(s, "timing", "longestTaskDuringLoad")):0} | {Median(s => Num(s, "pan", "maxFrame")):0} | {Median(s => Num(s, "pan", "longTasks")):0} | {Median(s => Num(s, "pan", "longestTask")):0} | {samples[0].GetProperty("timing").GetProperty("features")} | {Num(samples[0], "timing", "ready"):0} | {Cell(Median(s => Num(s, "zoomIn", "drawnMs")))} | {Cell(Median(s => Num(s, "zoomIn", "tiles")))} |"));
}
Console.WriteLine();
Console.WriteLine("| page | runs | first contentful paint (ms) | data drawn (ms) | longest task while loading (ms) | longest frame while panning (ms) | long tasks while panning | longest task while panning (ms) | features drawn | data drawn, first load (ms) | tiles in view drawn after zooming in (ms) | tiles in view |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
foreach (var row in rows)
    Console.WriteLine(row);
return 0;
