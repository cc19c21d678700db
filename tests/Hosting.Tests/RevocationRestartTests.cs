using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Pcrs.Hosting.Tests.Support;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Hostile;

namespace Pcrs.Hosting.Tests;

/// <summary>
/// A storage revoked while its scan runs stays stopped across a restart of the node (a web front process with its
/// co-hosted silo), stopped gracefully or killed: nothing resumes the crawl (the watchdog reminder, the resumed
/// StorageGrain), so the storage's server hears nothing more, and a download of its files is refused.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RevocationRestartTests : IAsyncLifetime
{
    private const string AdminToken = "revocation-restart-admin-token";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(90);
    /// <summary>The node's watchdog period (set below): the StorageGrain re-sends a running scan's orders at this pace.</summary>
    private static readonly TimeSpan WatchdogPeriod = TimeSpan.FromSeconds(5);
    /// <summary>
    /// How long the restarted node is watched for a call to the server: four watchdog periods, and twenty reminder ticks
    /// (the minimum reminder period is set to 1 s below), each of which would resume a scan still taken as running.
    /// </summary>
    private static readonly TimeSpan Watch = 4 * WatchdogPeriod;
    private static readonly byte[] Tile = File.ReadAllBytes(Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));

    private readonly TestDatabase _database = new();
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly string _folder = Directory.CreateTempSubdirectory("pcrs-revoke-restart-").FullName;
    private readonly List<ProductProcess> _processes = [];

    public ValueTask InitializeAsync() => _database.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (ProductProcess process in _processes)
            await process.DisposeAsync();
        await _database.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact(Timeout = 600_000)]
    public Task A_revoked_storage_stays_silent_after_a_graceful_restart() => RevokeThenRestartAsync(kill: false, TestContext.Current.CancellationToken);

    [Fact(Timeout = 600_000)]
    public Task A_revoked_storage_stays_silent_after_a_kill() => RevokeThenRestartAsync(kill: true, TestContext.Current.CancellationToken);

    private async Task RevokeThenRestartAsync(bool kill, CancellationToken ct)
    {
        // 10 folders of 100 tiles, each file answered after 100 ms: the scan takes minutes.
        var folders = Enumerable.Range(0, 10).Select(i => $"f{i}/").ToArray();
        var files = Enumerable.Range(0, 100).Select(i => $"t{i:D3}.tif").ToArray();
        await using var server = new HostileHttpServer(path =>
            path == "/" ? HostileAnswer.Listing(path, folders)
            : path.EndsWith('/') ? HostileAnswer.Listing(path, files, _ => Tile.Length)
            : HostileAnswer.File(Tile) with { Delay = TimeSpan.FromMilliseconds(100) });

        var (node, url) = await StartWebFrontAsync("first");
        using (var admin = Client(url, AdminToken))
        {
            var created = await admin.PostAsJsonAsync("/api/projects", new JsonObject
            {
                ["name"] = "Révocation et redémarrage " + _id, ["regime"] = "production", ["nature"] = "raster",
                ["perimeters"] = new JsonArray("epci:200039865"),
                ["deliverables"] = new JsonArray(new JsonObject { ["name"] = "Ortho", ["nature"] = "geotiff", ["licence"] = "ouvert_lo" }),
            }, ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var project = JsonNode.Parse(await created.Content.ReadAsStringAsync(ct))!;
            string d = $"/api/projects/{project["id"]}/deliverables/{project["deliverableIds"]![0]}";
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PutAsJsonAsync($"{d}/storage", new JsonObject
            {
                ["type"] = "http", ["url"] = $"http://127.0.0.1:{server.Port}/", ["downloadAllowed"] = true,
            }, ct)).StatusCode);
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(TileRequests(server) >= 40), TimeSpan.FromMinutes(2)),
                $"The scan should read files.\n{node}");
            // A tile this scan read is downloadable (HTTP storages: a redirect to the source, not followed here) and
            // public: its deliverable's tiles are on the map for anyone.
            string file = $"{d}/files/f0/t000.tif";
            Assert.True(await Eventually.TrueAsync(async () => (await admin.GetAsync(file, ct)).StatusCode == HttpStatusCode.Found, TimeSpan.FromMinutes(2)),
                "A read tile should be downloadable before the revocation.");
            using (var anonymous = Client(url, bearer: null))
                Assert.True(await PublicTilesAsync(anonymous, d, ct) > 0, "The scanned tiles should be public before the revocation.");

            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"{d}/storage", ct)).StatusCode);
            var revokedAt = DateTime.UtcNow;
            int atRevocation = server.RequestCount;

            if (kill)
                await node.KillAsync();
            else
                await node.StopAsync(StopGrace);
            // From here on only the restarted node could call the server (the first one has exited).
            var stoppedAt = DateTime.UtcNow;
            var (restarted, restartedUrl) = await StartWebFrontAsync("second");
            using var after = Client(restartedUrl, AdminToken);
            var restartedAt = DateTime.UtcNow;
            await Task.Delay(Watch, ct);

            var last = server.LastRequestAt!.Value;
            int requestsAfter = server.Log.Count(r => r.At > revokedAt);
            TestContext.Current.SendDiagnosticMessage(string.Create(CultureInfo.InvariantCulture,
                $"{(kill ? "kill -9" : "graceful stop")}: {atRevocation} requests before the revocation, {requestsAfter} after; last one {(last - revokedAt).TotalSeconds:0.0} s after it; the node restarted {(restartedAt - revokedAt).TotalSeconds:0.0} s after it"));
            // Reads handed out before the revocation may end after it (no wall-clock bound here: how soon the directories
            // stop is RevocationTests' subject); after the restart, nothing may reach the server.
            Assert.True(last < stoppedAt, $"The restarted node called the revoked storage's server ({(last - restartedAt).TotalSeconds:0.0} s after it was up).\n{restarted}");
            // 1 + 10 listings and 1,000 files: the revocation came after 40 file requests, so the whole tree was not read.
            Assert.True(TileRequests(server) < files.Length * folders.Length, "The whole storage was read despite the revocation.");

            var download = await after.GetAsync(file, ct);
            Assert.True(download.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Gone,
                $"A download of the revoked storage should be refused; got {(int)download.StatusCode}.");
            using (var anonymous = Client(restartedUrl, bearer: null))
                Assert.Equal(0, await PublicTilesAsync(anonymous, d, ct));
            Assert.Equal(0, await _database.ScalarAsync<int>("SELECT count(*)::int FROM pcrs_scans WHERE status = 'running'"));
            Assert.Equal(0, await _database.ScalarAsync<int>("SELECT count(*)::int FROM pcrs_storages WHERE status IN ('listing', 'analysing')"));
        }
    }

    private static int TileRequests(HostileHttpServer server) => server.Log.Count(r => r.Path.EndsWith(".tif", StringComparison.Ordinal));

    /// <summary>Tiles anyone sees on the deliverable's map: 0 when the route answers 404 (no proven storage).</summary>
    private static async Task<int> PublicTilesAsync(HttpClient anonymous, string deliverable, CancellationToken ct)
    {
        var answer = await anonymous.GetAsync($"{deliverable}/tiles", ct);
        if (answer.StatusCode == HttpStatusCode.NotFound)
            return 0;
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return JsonNode.Parse(await answer.Content.ReadAsStringAsync(ct))!["features"]!.AsArray().Count;
    }

    private static HttpClient Client(string url, string? bearer)
    {
        // Redirects are answers to check, not to follow: a followed one would also call the storage's server.
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    private async Task<(ProductProcess Process, string Url)> StartWebFrontAsync(string name)
    {
        string Port() => FreePort.Next().ToString(CultureInfo.InvariantCulture);
        string url = $"http://127.0.0.1:{FreePort.Next()}";
        ProductProcess web = ProductProcess.Start(name, "Pcrs.WebFront", new Dictionary<string, string?>
        {
            ["ConnectionStrings__Pcrs"] = _database.ConnectionString,
            ["Orleans__ClusterId"] = "revoke-restart-" + _id,
            ["Orleans__ServiceId"] = "revoke-restart-" + _id,
            ["Orleans__Endpoints__SiloPort"] = Port(),
            ["Orleans__Endpoints__GatewayPort"] = Port(),
            ["Orleans__MinimumReminderPeriod"] = "00:00:01",
            ["Secrets__KeyFile"] = Path.Combine(_folder, "key-encryption.key"),
            ["Database__DataDirectory"] = Path.Combine(_folder, name),
            ["Auth__AdminTokenHashes"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(AdminToken))),
            ["Scanning__AllowedNetworks"] = "127.0.0.0/8",
            ["Scanning__WatchdogPeriod"] = WatchdogPeriod.ToString("c", CultureInfo.InvariantCulture),
        }, "--urls", url);
        _processes.Add(web);
        Assert.True(await web.WaitHealthyAsync(url, StartTimeout), $"{name} web front should become healthy.\n{web}");
        return (web, url);
    }
}
