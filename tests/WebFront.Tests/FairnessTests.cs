using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Pcrs.TestSupport.Hostile;

namespace Pcrs.WebFront.Tests;

/// <summary>A web front whose scans may take in 600 directories, with the output cache off (routes measured themselves).</summary>
public sealed class FairnessFixture : WebFrontFixture
{
    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Scanning:MaxDirectoriesPerScan", "600");
        builder.UseSetting("WebFront:ScanDataCacheDuration", "00:00:00");
    }
}

/// <summary>
/// One storage cannot starve the public routes: while a hostile server's wide tree (20 folders and 100 files in every
/// folder) is crawled, the public project routes keep answering 200, and their latency is measured against the same
/// routes before the crawl (p50/p95 reported; tests/Benchmarks/Fairness records them, they are not asserted).
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class FairnessTests(FairnessFixture web) : IClassFixture<FairnessFixture>
{
    private const int Requests = 150;

    [Fact]
    public async Task Public_routes_keep_answering_while_a_hostile_tree_is_crawled()
    {
        var token = TestContext.Current.CancellationToken;
        var quiet = await web.CreateProjectAsync("Projet tranquille");
        var hostile = await web.CreateProjectAsync("Projet hostile");
        // Names change with the depth (a listing repeating an ancestor's is a loop, not crawled further). Each listing is
        // answered after 10 ms, so that the crawl lasts (a few thousand folders) while the routes are measured.
        await using var server = new HostileHttpServer(path => path.EndsWith('/')
            ? HostileAnswer.Listing(path, [.. Enumerable.Range(0, 20).Select(i => $"d{Depth(path)}-{i}/"), .. Enumerable.Range(0, 100).Select(i => $"f{Depth(path)}-{i}.txt")]) with { Delay = TimeSpan.FromMilliseconds(10) }
            : new HostileAnswer(404));
        using var anonymous = web.Client();
        string[] routes = ["/api/projects", $"/api/projects/{quiet.Id}"];

        var before = await MeasureAsync(anonymous, routes, token);

        string d = $"/api/projects/{hostile.Id}/deliverables/{hostile.Deliverables[0]}";
        using (var editor = web.Client(hostile.EditorKey))
        {
            var declare = await editor.PutAsJsonAsync($"{d}/storage", new JsonObject
            {
                ["type"] = "http", ["url"] = $"http://127.0.0.1:{server.Port}/", ["publicConnection"] = false, ["downloadAllowed"] = false,
            }, token);
            Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);
        }
        // The crawl is under way: the server has been asked for folders.
        var deadline = Stopwatch.StartNew();
        while (server.RequestCount < 2)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(120), $"the crawl did not start ({server.RequestCount} requests)");
            await Task.Delay(100, token);
        }
        int requestsAtStart = server.RequestCount;
        var during = await MeasureAsync(anonymous, routes, token);
        int requestsAtEnd = server.RequestCount;
        var scan = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{d}/scan", token));

        TestContext.Current.SendDiagnosticMessage(string.Create(CultureInfo.InvariantCulture,
            $"fairness requests={Requests} before p50={Percentile(before, 50):F1}ms p95={Percentile(before, 95):F1}ms during p50={Percentile(during, 50):F1}ms p95={Percentile(during, 95):F1}ms max={during.Max():F1}ms hostile-requests-during={requestsAtEnd - requestsAtStart} hostile-requests-total={server.RequestCount} scan-after={scan["status"]} load={File.ReadAllText("/proc/loadavg").Trim()}"));
        // The crawl went on while the routes were measured (the server kept being asked), and it ends bounded.
        Assert.True(requestsAtEnd > requestsAtStart, "the hostile crawl made no request while the routes were measured");
        var settled = await ScanStates.SettledAsync(anonymous, d, TimeSpan.FromMinutes(5));
        Assert.Equal("partial", settled["status"]!.GetValue<string>());
        Assert.Contains("Scanning:MaxDirectoriesPerScan", settled.ToJsonString(), StringComparison.Ordinal);
    }

    /// <summary>Milliseconds of <see cref="Requests"/> sequential GETs over <paramref name="routes"/>; every answer must be 200.</summary>
    private static async Task<double[]> MeasureAsync(HttpClient client, string[] routes, CancellationToken token)
    {
        var times = new double[Requests];
        for (int i = 0; i < Requests; i++)
        {
            string route = routes[i % routes.Length];
            long start = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(route, token);
            await response.Content.ReadAsByteArrayAsync(token);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{route}: {(int)response.StatusCode}");
        }
        return times;
    }

    private static int Depth(string path) => path.Count(c => c == '/');

    private static double Percentile(double[] values, int percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
