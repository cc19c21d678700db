using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Pcrs.Hosting.Tests.Support;
using Pcrs.TestSupport;

namespace Pcrs.Hosting.Tests;

/// <summary>
/// The several-machines set-up on this machine: PostgreSQL, two silos and the web front (with its co-hosted silo) each in
/// a network namespace of its own with its own address (tests/netns/netns.sh), the silos advertising their addresses;
/// an HTTP storage (nginx on the bridge) served to all. The scan spreads over both silo hosts (nginx's access log names
/// each reader's address); then one silo host's cable is pulled mid-scan and the scan ends with exact counts on the others.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MultiHostTests : IAsyncLifetime
{
    private const string AdminToken = "multi-host-admin-token";
    private const int Directories = 10;
    private const int FilesPerDirectory = 100;
    private const int Tiles = Directories * FilesPerDirectory;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly string _folder = Directory.CreateTempSubdirectory("pcrs-multihost-").FullName;
    private readonly List<ProductProcess> _processes = [];
    private readonly List<Process> _servers = [];
    private NetworkHosts? _hosts;
    private string _treeRoot = "";

    public async ValueTask InitializeAsync()
    {
        _treeRoot = Path.Combine(_folder, "www", "multihost");
        HardLinks.CreateTree(_treeRoot, Directories, FilesPerDirectory, Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));
        // nginx's workers (nobody) read the tree.
        for (var dir = new DirectoryInfo(_treeRoot); dir is not null && dir.FullName != "/tmp"; dir = dir.Parent)
            File.SetUnixFileMode(dir.FullName, (UnixFileMode)0b111_101_101);
        foreach (string folder in Directory.GetDirectories(_treeRoot))
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        _hosts = await NetworkHosts.UpAsync("pg", "silo1", "silo2", "web");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ProductProcess process in _processes)
            await process.DisposeAsync();
        foreach (Process server in _servers)
        {
            if (!server.HasExited)
                server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            server.Dispose();
        }
        if (_hosts is not null)
            await _hosts.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact(Timeout = 900_000)]
    public async Task A_scan_spreads_over_two_silo_hosts_and_ends_exact_when_one_is_cut_off()
    {
        var ct = TestContext.Current.CancellationToken;
        var hosts = _hosts!;
        string connectionString = await StartPostgresAsync(hosts);
        string accessLog = StartStorageServer(hosts);
        string key = Path.Combine(_folder, "key-encryption.key");

        StartSilo(hosts, "silo1", connectionString, key);
        StartSilo(hosts, "silo2", connectionString, key);
        string url = $"http://{hosts.AddressOf("web")}:8080";
        var web = ProductProcess.StartWith(hosts.Launcher("web"), "web", "Pcrs.WebFront", HostEnvironment(hosts, "web", connectionString, key, new()
        {
            ["Auth__AdminTokenHashes"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(AdminToken))),
        }), "--urls", url);
        _processes.Add(web);
        Assert.True(await web.WaitHealthyAsync(url, StartTimeout), $"The web front should become healthy.\n{Outputs()}");
        await using (var database = NpgsqlDataSource.Create(connectionString))
        {
            Assert.True(await Eventually.TrueAsync(async () => await ActiveSilosAsync(database) == 3, StartTimeout),
                $"Two silos and the web front's should be active, each at its own address.\n{Outputs()}");
            string advertised = await ScalarAsync<string>(database,
                "SELECT string_agg(address, ' ' ORDER BY address) FROM orleans_members WHERE deployment_id = 'multihost' AND status = 3");
            Assert.Equal(string.Join(' ', new[] { "silo1", "silo2", "web" }.Select(hosts.AddressOf).Order(StringComparer.Ordinal)), advertised);

            using var admin = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
            var created = await admin.PostAsJsonAsync("/api/projects", new JsonObject
            {
                ["name"] = "Plusieurs machines " + _id, ["regime"] = "production", ["nature"] = "raster",
                ["perimeters"] = new JsonArray("epci:200039865"),
                ["deliverables"] = new JsonArray(new JsonObject { ["name"] = "Ortho", ["nature"] = "geotiff", ["licence"] = "ouvert_lo" }),
            }, ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var project = JsonNode.Parse(await created.Content.ReadAsStringAsync(ct))!;
            string d = $"/api/projects/{project["id"]}/deliverables/{project["deliverableIds"]![0]}";
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PutAsJsonAsync($"{d}/storage", new JsonObject
            {
                ["type"] = "http", ["url"] = $"http://{hosts.Gateway}:8080/multihost/",
            }, ct)).StatusCode);

            // Both silo hosts read tiles (nginx logs each request's client address).
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(
                    TileReadsBy(accessLog, hosts.AddressOf("silo1")) >= 10 && TileReadsBy(accessLog, hosts.AddressOf("silo2")) >= 10),
                TimeSpan.FromMinutes(4)), $"Both silo hosts should read files: {Readers(accessLog)}\n{Outputs()}");
            int rowsAtCut = await ScalarAsync<int>(database, "SELECT count(*)::int FROM pcrs_tiles");
            string readersAtCut = Readers(accessLog);
            Assert.True(rowsAtCut < Tiles - 100, $"The cut should come mid-scan ({rowsAtCut} of {Tiles} tiles read).");
            await hosts.CutAsync("silo2");

            bool finished = await Eventually.TrueAsync(async () =>
                await ScalarAsync<string>(database, "SELECT coalesce(min(status), 'none') FROM pcrs_scans") is not ("running" or "none"),
                TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(2));
            string counts = await ScalarAsync<string>(database,
                "SELECT concat_ws(' ', status, directories, files, analysed + unchanged, errors) FROM pcrs_scans ORDER BY scan_number DESC LIMIT 1");
            TestContext.Current.SendDiagnosticMessage($"tile reads by address when silo2 was cut off ({rowsAtCut} rows): {readersAtCut}; at the end: {Readers(accessLog)}; scan: {counts}");
            Assert.True(finished, $"The scan should end on the hosts left.\n{Outputs()}");
            // On a failure: which host ran the StorageGrain (its log names the scan it started) and the errors recorded.
            string errors = await ScalarAsync<string>(database,
                "SELECT coalesce(string_agg(error || ' x' || n, '; '), '') FROM (SELECT error, count(*) n FROM pcrs_tiles WHERE error IS NOT NULL GROUP BY error) e");
            string storageHosts = string.Join(", ", _processes.Where(p => p.Output.Contains($"Scan 1 of http://{hosts.Gateway}:8080 started", StringComparison.Ordinal)).Select(p => p.Name));
            Assert.True($"succeeded {Directories + 1} {Tiles} {Tiles} 0" == counts,
                $"scan: {counts}; errors: {errors}; StorageGrain's scan started on: {storageHosts}; readers at the cut: {readersAtCut}");
            Assert.Equal(Tiles, await ScalarAsync<int>(database, "SELECT count(*)::int FROM pcrs_tiles WHERE error IS NULL"));
        }
    }

    private async Task<string> StartPostgresAsync(NetworkHosts hosts)
    {
        string data = Path.Combine(_folder, "pg");
        Directory.CreateDirectory(data);
        await RunAsync("chown", "postgres:postgres", data);
        string bin = Directory.GetDirectories("/usr/lib/postgresql").Order(StringComparer.Ordinal).Last() + "/bin";
        await RunAsync("su", "postgres", "-s", "/bin/sh", "-c", $"{bin}/initdb -D {data}/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null");
        await File.AppendAllTextAsync(Path.Combine(data, "data", "pg_hba.conf"), $"host all all {hosts.Subnet} trust\n");
        var server = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string part in hosts.Launcher("pg").Skip(1).Concat(["su", "postgres", "-s", "/bin/sh", "-c",
            $"exec {bin}/postgres -D {data}/data -k {data} -c listen_addresses={hosts.AddressOf("pg")} -p 5432 -c max_connections=300 -c fsync=off"]))
            server.ArgumentList.Add(part);
        var process = Process.Start(server)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _servers.Add(process);
        string admin = $"Host={hosts.AddressOf("pg")};Port=5432;Username=postgres;Database=postgres;Pooling=false;Timeout=5";
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            return true;
        }, StartTimeout), "PostgreSQL should accept connections at its host's address.");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE pcrs", connection);
            await create.ExecuteNonQueryAsync();
        }
        return $"Host={hosts.AddressOf("pg")};Port=5432;Username=postgres;Database=pcrs";
    }

    /// <summary>nginx in the root namespace on the bridge's address, its access log naming each client's address.</summary>
    private string StartStorageServer(NetworkHosts hosts)
    {
        string run = Path.Combine(_folder, "nginx");
        Directory.CreateDirectory(run);
        string accessLog = Path.Combine(run, "access.log");
        string conf = Path.Combine(run, "nginx.conf");
        File.WriteAllText(conf, $$"""
            daemon off;
            worker_processes 2;
            pid {{run}}/nginx.pid;
            error_log {{run}}/error.log warn;
            events { worker_connections 256; }
            http {
                client_body_temp_path {{run}}/body;
                proxy_temp_path {{run}}/proxy;
                fastcgi_temp_path {{run}}/fastcgi;
                uwsgi_temp_path {{run}}/uwsgi;
                scgi_temp_path {{run}}/scgi;
                log_format readers '$remote_addr "$request" $status';
                access_log {{accessLog}} readers;
                server {
                    listen {{hosts.Gateway}}:8080;
                    root {{Path.Combine(_folder, "www")}};
                    location / { autoindex on; autoindex_exact_size on; }
                }
            }
            """);
        var start = new ProcessStartInfo("nginx") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(conf);
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _servers.Add(process);
        return accessLog;
    }

    private void StartSilo(NetworkHosts hosts, string host, string connectionString, string key) =>
        _processes.Add(ProductProcess.StartWith(hosts.Launcher(host), host, "Pcrs.Silo", HostEnvironment(hosts, host, connectionString, key, []), "run"));

    /// <summary>What every host gets: the database, the cluster, its own advertised address, the storage's network allowed.</summary>
    private static Dictionary<string, string?> HostEnvironment(NetworkHosts hosts, string host, string connectionString, string key,
        Dictionary<string, string?> more)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Pcrs"] = connectionString,
            ["Orleans__ClusterId"] = "multihost",
            ["Orleans__ServiceId"] = "multihost",
            ["Orleans__SiloName"] = host,
            ["Orleans__Endpoints__AdvertisedIPAddress"] = hosts.AddressOf(host),
            ["Orleans__MinimumReminderPeriod"] = "00:00:01",
            ["Secrets__KeyFile"] = key,
            ["Scanning__AllowedNetworks"] = hosts.Subnet,
            ["Scanning__WatchdogPeriod"] = "00:00:05",
            // One storage's crawl over every host (the default keeps a storage's crawl on its own silo).
            ["Scanning__CrawlPlacement"] = "Spread",
        };
        foreach (var (name, value) in more)
            environment[name] = value;
        return environment;
    }

    private static int TileReadsBy(string accessLog, string address) => ReadLog(accessLog)
        .Count(line => line.StartsWith(address + " ", StringComparison.Ordinal) && line.Contains(".tif", StringComparison.Ordinal));

    private static string Readers(string accessLog) => string.Join(", ", ReadLog(accessLog)
        .Where(line => line.Contains(".tif", StringComparison.Ordinal))
        .GroupBy(line => line.Split(' ')[0])
        .Select(g => $"{g.Key}: {g.Count()}"));

    private static string[] ReadLog(string path)
    {
        if (!File.Exists(path))
            return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static Task<int> ActiveSilosAsync(NpgsqlDataSource database) => ScalarAsync<int>(database,
        "SELECT count(*)::int FROM orleans_members WHERE deployment_id = 'multihost' AND status = 3");

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource database, string sql)
    {
        await using var command = database.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed: {error}");
    }

    private string Outputs() => string.Join("\n", _processes.Select(p => p.ToString()));
}
