using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Npgsql;
using Pcrs.TestSupport.Hostile;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// A web front whose scans may take in 1,500 directories and record one listing at a time (a node on 2 cores), with the
/// output cache off (routes measured themselves).
/// </summary>
public sealed class FairnessFixture : WebFrontFixture
{
    public const int DirectoryBudget = 1500;

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Scanning:MaxDirectoriesPerScan", DirectoryBudget.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("WebFront:ScanDataCacheDuration", "00:00:00");
        // A single node on 2 cores, set up as the README advises (half the cores): with the default 4 turns the crawl
        // takes both cores from the routes (tests/Benchmarks/Fairness/RESULTS.md), 6-20 times slower round trips.
        builder.UseSetting("Scanning:CrawlTurnsPerSilo", "1");
    }
}

/// <summary>
/// One storage cannot starve the others: while a hostile server's wide tree (20 folders and 100 files in every folder)
/// is crawled, another storage is scanned to its exact counts and the public project routes keep answering 200. Their
/// latency is measured against the same routes before the crawl, interleaved with two probes that tell where time goes:
/// <c>/alive</c> (the process's own queueing, no database) and a query on a connection of the test's (the database
/// server). The ratio of the routes' p50 during the crawl to their p50 before it is bounded; the figures themselves are
/// reported, never asserted (tests/Benchmarks/Fairness records them).
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class FairnessTests(FairnessFixture web) : IClassFixture<FairnessFixture>
{
    private const int Requests = 150;
    private const int NeighbourFolders = 4;
    private const int NeighbourFilesPerFolder = 25;

    /// <summary>Bound on p50 during the crawl / p50 before it (see the assertion for where it comes from).</summary>
    private const double MaxLatencyRatio = 50;

    /// <summary>
    /// A "before" p50 under this is taken as this: "before" p50s measured 1.5-6.2 ms (median 2.4), and a lucky quiet
    /// moment before the crawl must not turn an ordinary "during" figure into a failure.
    /// </summary>
    private const double MinimumBaselineMilliseconds = 2.0;

    [Fact]
    public async Task Another_storage_and_the_public_routes_keep_working_while_a_hostile_tree_is_crawled()
    {
        var token = TestContext.Current.CancellationToken;
        var quiet = await web.CreateProjectAsync("Projet tranquille");
        var hostile = await web.CreateProjectAsync("Projet hostile");
        var neighbour = await web.CreateProjectAsync("Projet voisin");
        // Names change with the depth (a listing repeating an ancestor's is a loop, not crawled further). Each listing is
        // answered after 10 ms, so that the crawl lasts (over a thousand folders) while the routes are measured.
        await using var server = new HostileHttpServer(path => path.EndsWith('/')
            ? HostileAnswer.Listing(path, [.. Enumerable.Range(0, 20).Select(i => $"d{Depth(path)}-{i}/"), .. Enumerable.Range(0, 100).Select(i => $"f{Depth(path)}-{i}.txt")]) with { Delay = TimeSpan.FromMilliseconds(10) }
            : new HostileAnswer(404));
        // An ordinary storage: a root with 5 files and 4 folders of 25 files each, answered as slowly as the hostile one.
        await using var ordinary = new HostileHttpServer(path => path switch
        {
            "/" => HostileAnswer.Listing(path, [.. Enumerable.Range(0, NeighbourFolders).Select(i => $"dalle-{i}/"), .. Enumerable.Range(0, 5).Select(i => $"lisezmoi-{i}.txt")]) with { Delay = TimeSpan.FromMilliseconds(10) },
            _ when path.EndsWith('/') => HostileAnswer.Listing(path, Enumerable.Range(0, NeighbourFilesPerFolder).Select(i => $"note-{i}.txt")) with { Delay = TimeSpan.FromMilliseconds(10) },
            _ => new HostileAnswer(404),
        });
        using var anonymous = web.Client();
        string[] routes = ["/api/projects", $"/api/projects/{quiet.Id}"];

        var before = await MeasureAsync(anonymous, routes, token);

        string d = $"/api/projects/{hostile.Id}/deliverables/{hostile.Deliverables[0]}";
        string n = $"/api/projects/{neighbour.Id}/deliverables/{neighbour.Deliverables[0]}";
        await DeclareAsync(hostile.EditorKey, d, server.Port, token);
        // The crawl is under way: the server has been asked for folders.
        var deadline = Stopwatch.StartNew();
        while (server.RequestCount < 2)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(120), $"the crawl did not start ({server.RequestCount} requests)");
            await Task.Delay(100, token);
        }
        var neighbourClock = Stopwatch.StartNew();
        await DeclareAsync(neighbour.EditorKey, n, ordinary.Port, token);
        int requestsAtStart = server.RequestCount;
        var duringClock = Stopwatch.StartNew();
        var during = await MeasureAsync(anonymous, routes, token);
        double duringSeconds = duringClock.Elapsed.TotalSeconds;
        int requestsAtEnd = server.RequestCount;

        // The other storage is scanned meanwhile, to its exact counts.
        var settledNeighbour = await ScanStates.SucceededAsync(anonymous, n, TimeSpan.FromMinutes(5));
        double neighbourSeconds = neighbourClock.Elapsed.TotalSeconds;
        int hostileRequestsWhenNeighbourDone = server.RequestCount;
        var progress = settledNeighbour["progress"]!;
        Assert.Equal(1 + NeighbourFolders, progress["directories"]!.GetValue<long>());
        Assert.Equal(5 + NeighbourFolders * NeighbourFilesPerFolder, progress["files"]!.GetValue<long>());
        Assert.Equal(0, progress["errors"]!.GetValue<long>());
        Assert.Null(settledNeighbour["lastError"]);
        var hostileWhenNeighbourDone = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{d}/scan", token));

        TestContext.Current.SendDiagnosticMessage(string.Create(CultureInfo.InvariantCulture,
            $"fairness requests={Requests} routes before {before} | during {during} | hostile-requests-during={requestsAtEnd - requestsAtStart} in {duringSeconds:F1}s neighbour-scan={neighbourSeconds:F1}s hostile-at-neighbour-end={hostileWhenNeighbourDone["status"]}/{hostileRequestsWhenNeighbourDone} requests load={File.ReadAllText("/proc/loadavg").Trim()}"));
        // The crawl went on while the routes were measured (the server kept being asked), and it ends bounded.
        Assert.True(requestsAtEnd > requestsAtStart, "the hostile crawl made no request while the routes were measured");
        // The public routes keep answering within a bounded multiple of their latency without the crawl, measured in this
        // same run (a ratio, never a wall-clock figure: both phases see the machine's load). Measured on 2 shared cores at
        // load 30-84 (tests/Benchmarks/Fairness/RESULTS.md): p50 during / p50 before 4.4-4.5 with one crawl turn (this fixture's
        // setting) at normal priority, 2.6-20.5 in five niced runs beside other tests; 11.7-38.5 with 4 turns, and
        // 31-73 before crawl turns existed. The bound is the worst figure measured with the default times 2.5: it fails
        // when a crawl floods the catalogue or the process as before crawl turns, not when the machine is busy.
        double ratio = Percentile(during.Routes, 50) / Math.Max(Percentile(before.Routes, 50), MinimumBaselineMilliseconds);
        Assert.True(ratio <= MaxLatencyRatio, string.Create(CultureInfo.InvariantCulture,
            $"public routes p50 {ratio:F1}x slower during the hostile crawl (bound {MaxLatencyRatio}x): before {before}, during {during}"));
        var settled = await ScanStates.SettledAsync(anonymous, d, TimeSpan.FromMinutes(10));
        Assert.Equal("partial", settled["status"]!.GetValue<string>());
        Assert.Contains("Scanning:MaxDirectoriesPerScan", settled.ToJsonString(), StringComparison.Ordinal);
    }

    private async Task DeclareAsync(string editorKey, string deliverable, int port, CancellationToken token)
    {
        using var editor = web.Client(editorKey);
        var declare = await editor.PutAsJsonAsync($"{deliverable}/storage", new JsonObject
        {
            ["type"] = "http", ["url"] = $"http://127.0.0.1:{port}/", ["publicConnection"] = false, ["downloadAllowed"] = false,
        }, token);
        Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);
    }

    /// <summary>
    /// <see cref="Requests"/> sequential GETs over <paramref name="routes"/> (every answer must be 200), each followed by
    /// the two probes: a GET of /alive and a query on a connection of the test's own.
    /// </summary>
    private async Task<Latencies> MeasureAsync(HttpClient client, string[] routes, CancellationToken token)
    {
        var (times, alive, database) = (new double[Requests], new double[Requests], new double[Requests]);
        await using var connection = new NpgsqlConnection(web.ConnectionString);
        await connection.OpenAsync(token);
        for (int i = 0; i < Requests; i++)
        {
            string route = routes[i % routes.Length];
            long start = Stopwatch.GetTimestamp();
            using (var response = await client.GetAsync(route, token))
            {
                await response.Content.ReadAsByteArrayAsync(token);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{route}: {(int)response.StatusCode}");
            }
            start = Stopwatch.GetTimestamp();
            using (var response = await client.GetAsync("/alive", token))
            {
                alive[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            start = Stopwatch.GetTimestamp();
            await using (var command = new NpgsqlCommand("SELECT count(*) FROM pcrs_storages", connection))
                await command.ExecuteScalarAsync(token);
            database[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return new Latencies(times, alive, database);
    }

    private static int Depth(string path) => path.Count(c => c == '/');

    private static double Percentile(IEnumerable<double> values, int percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    /// <summary>
    /// Milliseconds of the routes and of the two probes, reported as p50/p95 (max for the routes), and the p50 of each
    /// route alone (the list and the project page make different numbers of catalogue round trips).
    /// </summary>
    private sealed record Latencies(double[] Routes, double[] Alive, double[] Database)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"routes p50={Percentile(Routes, 50):F1}ms p95={Percentile(Routes, 95):F1}ms max={Routes.Max():F1}ms list p50={Percentile(Routes.Where((_, i) => i % 2 == 0), 50):F1}ms project p50={Percentile(Routes.Where((_, i) => i % 2 == 1), 50):F1}ms alive p50={Percentile(Alive, 50):F1}ms p95={Percentile(Alive, 95):F1}ms db p50={Percentile(Database, 50):F1}ms p95={Percentile(Database, 95):F1}ms");
    }
}
