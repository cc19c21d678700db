using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Pcrs.Hosting.Tests.Support;

namespace Pcrs.Hosting.Tests;

/// <summary>
/// /health knows the cluster's membership: a web front (its co-hosted silo) and a worker silo in one cluster; once the
/// worker stopped, an administrator's /health counts it dead and the cluster stays healthy on the web front's silo.
/// Anonymous callers get the statuses only, never the silos' addresses.
/// </summary>
public sealed class ClusterHealthTests : IAsyncLifetime
{
    private const string AdminToken = "cluster-health-admin-token";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(90);

    private readonly TestDatabase _database = new();
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly List<ProductProcess> _processes = [];
    private string _folder = "";

    private string ClusterId => "health-" + _id;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _folder = Directory.CreateTempSubdirectory("pcrs-health-").FullName;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
        await _database.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact(Timeout = 600_000)]
    public async Task A_stopped_silo_counts_as_dead_and_the_cluster_stays_healthy()
    {
        var ct = TestContext.Current.CancellationToken;
        string url = $"http://127.0.0.1:{FreePort.Next()}";
        var web = Start("web", "Pcrs.WebFront", "--urls", url);
        // (the web front's own data folder, as an operator's would be: nothing of it is shared with the worker)
        Assert.True(await web.WaitHealthyAsync(url, StartTimeout), $"The web front should become healthy.\n{web}");
        var worker = Start("worker", "Pcrs.Silo", "run");
        // Active in the membership table comes before the host's start is over; stopped in between, the worker's start
        // is cancelled instead (exit code 1). The host's "Application started" line says it is over.
        Assert.True(await Eventually.TrueAsync(async () => await ActiveSilosAsync() == 2
                && worker.Output.Contains("Application started", StringComparison.Ordinal), StartTimeout),
            "The web front's silo and the worker should both be Active.\n" + Outputs());

        using var admin = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        JsonNode cluster = new JsonObject();
        Assert.True(await Eventually.TrueAsync(async () => (cluster = await ClusterCheckAsync(admin, ct))["data"]!["active"]!.GetValue<int>() == 2, StartTimeout),
            $"/health should see both silos active: {cluster.ToJsonString()}");

        await worker.StopAsync(StopGrace);
        Assert.True(worker.ExitCode == 0, $"The worker should stop cleanly.\n{worker}");
        // A graceful stop marks the silo dead in the membership table itself; the web front's silo reads it within its
        // table refresh, hence the wait.
        Assert.True(await Eventually.TrueAsync(async () =>
            {
                cluster = await ClusterCheckAsync(admin, ct);
                return cluster["data"]!["dead"]!.GetValue<int>() == 1 && cluster["data"]!["active"]!.GetValue<int>() == 1;
            }, StartTimeout),
            $"/health should count the stopped worker dead: {cluster.ToJsonString()}\n{Outputs()}");
        Assert.Equal("Healthy", cluster["status"]!.GetValue<string>());
        Assert.Contains("1 silo(s) active, 1 dead", cluster["description"]!.GetValue<string>(), StringComparison.Ordinal);

        using var anonymous = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        var anonymousCluster = await ClusterCheckAsync(anonymous, ct);
        Assert.Equal("{\"name\":\"cluster\",\"status\":\"Healthy\"}", anonymousCluster.ToJsonString());
    }

    private static async Task<JsonNode> ClusterCheckAsync(HttpClient client, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await client.SendAsync(request, ct);
        var health = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
        return health["checks"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "cluster")!;
    }

    private Task<int> ActiveSilosAsync() => _database.ScalarAsync<int>(
        $"SELECT count(*)::int FROM orleans_members WHERE deployment_id = '{ClusterId}' AND status = 3");

    private ProductProcess Start(string name, string assembly, params string[] arguments)
    {
        string Port() => FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var process = ProductProcess.Start(name, assembly, new Dictionary<string, string?>
        {
            ["ConnectionStrings__Pcrs"] = _database.ConnectionString,
            ["Orleans__ClusterId"] = ClusterId,
            ["Orleans__ServiceId"] = ClusterId,
            ["Orleans__SiloName"] = name,
            ["Orleans__Endpoints__SiloPort"] = Port(),
            ["Orleans__Endpoints__GatewayPort"] = Port(),
            ["Secrets__KeyFile"] = Path.Combine(_folder, "key-encryption.key"),
            ["Auth__AdminTokenHashes"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(AdminToken))),
            ["Database__DataDirectory"] = Path.Combine(_folder, name),
        }, arguments);
        _processes.Add(process);
        return process;
    }

    private string Outputs() => string.Join("\n", _processes.Select(p => p.ToString()));
}
