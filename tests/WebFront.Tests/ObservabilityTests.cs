using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Hostile;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// Operators' views: the Prometheus scrape endpoint and the Orleans Dashboard are for administrators only, the metrics
/// carry the scanner's own instruments after a real scan, and /health lists its checks with the cluster's membership.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class ObservabilityTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    [Theory]
    [InlineData("/metrics")]
    [InlineData("/dashboard/")]
    public async Task Operator_pages_are_for_administrators_only(string path)
    {
        var project = await web.CreateProjectAsync("Observability " + path);
        using var anonymous = web.Client();
        using var editor = web.Client(project.EditorKey);
        using var admin = web.Client(WebFrontFixture.AdminToken);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Metrics_show_the_scan_grain_activations_and_http_requests()
    {
        // A storage of this test's own (a server on a port of its own): a storage another test scanned already would be
        // answered from the catalogue, and this process would have listed nothing.
        // One tile and one file that is no image: the files, bytes and errors-by-kind counters each have something to count.
        byte[] tile = await File.ReadAllBytesAsync(Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"), TestContext.Current.CancellationToken);
        byte[] notAnImage = System.Text.Encoding.ASCII.GetBytes(new string('x', 4096));
        await using var server = new HostileHttpServer(path => path switch
        {
            "/" => HostileAnswer.Listing(path, ["a/"]),
            "/a/" => HostileAnswer.Listing(path, ["t.tif", "broken.tif"], name => name == "t.tif" ? tile.Length : notAnImage.Length),
            "/a/t.tif" => HostileAnswer.File(tile),
            "/a/broken.tif" => HostileAnswer.File(notAnImage),
            _ => HostileAnswer.Listing(path, []),
        });
        var project = await web.CreateProjectAsync("Metrics after a scan");
        using var admin = web.Client(WebFrontFixture.AdminToken);
        // The counters are the process's own, shared with this class's other tests: this scan's part is the difference.
        string before = await admin.GetStringAsync("/metrics");
        string d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}";
        var declare = await admin.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "http", ["url"] = $"http://127.0.0.1:{server.Port}/",
        });
        Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);
        var deadline = Stopwatch.StartNew();
        while ((await WebFrontFixture.ReadJsonAsync(await admin.GetAsync($"{d}/scan")))["status"]!.GetValue<string>() is not ("succeeded" or "failed"))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(90), "the scan did not end");
            await Task.Delay(250);
        }

        // The exporter answers a scrape from its cache for a moment (300 ms by default): a scan this quick may end inside
        // it, so the scrape is repeated until this scan's counts show, with the scan's own patience.
        string metrics = await admin.GetStringAsync("/metrics");
        bool Counted(string now) => Value(now, "pcrs_scan_files_total") - Value(before, "pcrs_scan_files_total") >= 2
            && Value(now, "pcrs_scan_bytes_read") - Value(before, "pcrs_scan_bytes_read") > 0
            && Value(now, "pcrs_scan_errors_total{", "kind=\"format\"") - Value(before, "pcrs_scan_errors_total{", "kind=\"format\"") >= 1;
        var counting = Stopwatch.StartNew();
        while (!Counted(metrics) && counting.Elapsed < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(250);
            metrics = await admin.GetStringAsync("/metrics");
        }

        Assert.True(Value(metrics, "pcrs_scan_directories_total") >= 1, metrics);
        Assert.True(Counted(metrics), $"This scan's files (2), bytes and format error should be counted.\nbefore:\n{before}\nafter:\n{metrics}");
        Assert.Contains("pcrs_scans_running", metrics, StringComparison.Ordinal);
        Assert.Contains("pcrs_connection_leases{", metrics, StringComparison.Ordinal);
        Assert.Contains("orleans_catalog_activations", metrics, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_count", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_history_lists_the_last_scans_for_administrators()
    {
        var project = await web.CreateProjectAsync("Scan history");
        using var admin = web.Client(WebFrontFixture.AdminToken);
        using var editor = web.Client(project.EditorKey);
        using var anonymous = web.Client();
        string d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}";
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"{d}/scans")).StatusCode); // no storage declared yet
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "http", ["url"] = $"http://127.0.0.1:{Peers.Nginx}/fixtures/",
        })).StatusCode);
        await WaitForScanEndAsync(admin, d);
        long first = (await History(admin, d, 1))["scans"]![0]!["scanNumber"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"{d}/scan", null)).StatusCode);
        await Eventually(async () => (await History(admin, d, 1))["scans"]![0] is { } latest
            && latest["scanNumber"]!.GetValue<long>() > first && latest["status"]!.GetValue<string>() != "running");

        var history = await History(admin, d, 2);

        var scans = history["scans"]!.AsArray();
        Assert.Equal(2, scans.Count);
        Assert.True(scans[0]!["scanNumber"]!.GetValue<long>() > scans[1]!["scanNumber"]!.GetValue<long>(), "newest first");
        Assert.Equal($"http://127.0.0.1:{Peers.Nginx}", history["storage"]!.GetValue<string>());
        foreach (var scan in scans)
        {
            Assert.Equal("succeeded", scan!["status"]!.GetValue<string>());
            Assert.True(scan["files"]!.GetValue<long>() > 0);
            Assert.True(scan["durationSeconds"]!.GetValue<double>() >= 0);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"{d}/scans")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.GetAsync($"{d}/scans")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"{d}/scans?limit=0")).StatusCode);
    }

    private static async Task<JsonNode> History(HttpClient admin, string d, int limit)
    {
        var response = await admin.GetAsync($"{d}/scans?limit={limit}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await WebFrontFixture.ReadJsonAsync(response);
    }

    private static async Task WaitForScanEndAsync(HttpClient client, string d) =>
        await Eventually(async () => (await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"{d}/scan")))["status"]!
            .GetValue<string>() is "succeeded" or "failed");

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(90), "not reached within 90 s");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Health_lists_each_check_and_the_cluster_membership()
    {
        using var admin = web.Client(WebFrontFixture.AdminToken);
        var (status, checks) = await HealthJsonAsync(admin);

        Assert.Equal("Healthy", status);
        Assert.Equal(["self", "postgresql", "orleans", "cluster"], checks.Keys);
        Assert.Equal(1, checks["cluster"]["data"]!["active"]!.GetValue<int>());
        Assert.Equal("Healthy", await admin.GetStringAsync("/health")); // the plain answer is unchanged
    }

    /// <summary>
    /// Anyone may ask /health (load balancers do), but the details can name hosts: the cluster check's data lists the
    /// silos' addresses, a failed check's reason the database's (DatabaseOutageTests checks that case).
    /// </summary>
    [Fact]
    public async Task Health_gives_anonymous_callers_the_statuses_and_check_names_only()
    {
        using var anonymous = web.Client();
        using var stranger = web.Client("not-a-key-of-anyone-0000000000000000");
        foreach (var client in new[] { anonymous, stranger })
        {
            var (status, checks) = await HealthJsonAsync(client);
            Assert.Equal("Healthy", status);
            Assert.Equal(["self", "postgresql", "orleans", "cluster"], checks.Keys);
            foreach (var (name, check) in checks)
                Assert.True(check.AsObject().Select(p => p.Key).SequenceEqual(["name", "status"]), $"{name}: {check.ToJsonString()}");
            Assert.Equal("Healthy", await client.GetStringAsync("/health"));
        }
    }

    private static async Task<(string Status, Dictionary<string, JsonNode> Checks)> HealthJsonAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Accept.ParseAdd("application/json");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = await WebFrontFixture.ReadJsonAsync(response);
        return (health["status"]!.GetValue<string>(), health["checks"]!.AsArray().ToDictionary(c => c!["name"]!.GetValue<string>(), c => c!));
    }

    /// <summary>The sum of the series whose line starts with <paramref name="name"/> (and holds <paramref name="label"/>).</summary>
    private static double Value(string metrics, string name, string label = "") =>
        metrics.Split('\n').Where(line => line.StartsWith(name, StringComparison.Ordinal) && line.Contains(label, StringComparison.Ordinal))
            .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .Sum();
}
