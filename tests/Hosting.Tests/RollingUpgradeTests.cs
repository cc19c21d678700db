using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pcrs.Grains.Hosting;
using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Hosting.Tests.Support;
using Pcrs.TestSupport;

namespace Pcrs.Hosting.Tests;

/// <summary>
/// A rolling upgrade in the middle of a scan: three real `Pcrs.Silo run` processes scan a vsftpd storage of 1,200 tiles;
/// one by one, each is stopped gracefully (SIGTERM) and a new process takes its place before the next is stopped, so
/// every original silo, the StorageGrain's among them, goes. The scan ends with exact counts, no duplicate rows, and the
/// connection limit held at the server. (The new processes run the same build: this machine has one.)
/// </summary>
public sealed class RollingUpgradeTests : IAsyncLifetime
{
    private const int Directories = 12;
    private const int FilesPerDirectory = 100;
    private const int Tiles = Directories * FilesPerDirectory;
    private const int Limit = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(90);

    private readonly TestDatabase _database = new();
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly List<ProductProcess> _silos = [];
    private readonly StringBuilder _timeline = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string _treeRoot = "";
    private string _keyFolder = "";

    private string ClusterId => "rolling-" + _id;

    private string DeliverableId => "d-rolling-" + _id;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _keyFolder = Directory.CreateTempSubdirectory("pcrs-rolling-key-").FullName;
        _treeRoot = Path.Combine(Peers.DataDir, "rolling-tests", _id);
        HardLinks.CreateTree(_treeRoot, Directories, FilesPerDirectory, Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ProductProcess silo in _silos)
            await silo.DisposeAsync();
        if (Environment.GetEnvironmentVariable("PCRS_KEEP_SILO_LOGS") is { Length: > 0 } keep)
        {
            string folder = Directory.CreateDirectory(Path.Combine(keep, _id)).FullName;
            foreach (ProductProcess silo in _silos)
                await File.WriteAllTextAsync(Path.Combine(folder, silo.Name + ".log"), silo.Output);
            await File.WriteAllTextAsync(Path.Combine(folder, "timeline.txt"), Timeline());
        }
        await _database.DisposeAsync();
        Directory.Delete(_treeRoot, recursive: true);
        Directory.Delete(_keyFolder, recursive: true);
    }

    [Fact(Timeout = 600_000)]
    public async Task Replacing_each_silo_in_turn_mid_scan_ends_the_scan_with_exact_counts()
    {
        var ct = TestContext.Current.CancellationToken;
        for (int i = 0; i < 3; i++)
            StartSilo($"silo-{i}");
        Assert.True(await Eventually.TrueAsync(async () => await ActiveSilosAsync() == 3, StartTimeout),
            "The three silos should be Active in the membership table.\n" + Outputs());

        await using ClusterClient client = await ClusterClient.StartAsync(ClusterId, _database.ConnectionString, ct);
        var deliverable = client.Grains.GetGrain<IDeliverableGrain>(DeliverableId);
        int peak;
        int stepsMidScan = 0;
        await using (var sampler = new ConnectionSampler(Peers.VsftpdFtp, () => _silos.Where(s => !s.HasExited).Select(s => s.ProcessId).ToList()))
        {
            await deliverable.DeclareStorage(new StorageDeclaration(DeliverableId, "ftp", Peers.Host, Peers.VsftpdFtp, $"/rolling-tests/{_id}",
                Peers.User, Protect(Peers.Password), PublicConnection: false, DownloadAllowed: true));
            Assert.True(await Eventually.TrueAsync(async () => await TileRowsAsync() >= Tiles / 10, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(50)),
                "The scan should get under way.\n" + Timeline() + Outputs());

            for (int step = 0; step < 3; step++)
            {
                ProductProcess old = _silos[step];
                bool running = await ScanStatusAsync(1) == "running";
                stepsMidScan += running ? 1 : 0;
                Note($"stopping {old.Name} with {await TileRowsAsync()} tile rows, scan {(running ? "running" : "over")}");
                await old.StopAsync(StopGrace);
                Assert.True(old.ExitCode == 0, $"{old.Name} should stop cleanly.\n{old}");
                Note($"{old.Name} stopped; starting silo-{step + 3}");
                StartSilo($"silo-{step + 3}");
                Assert.True(await Eventually.TrueAsync(async () => await ActiveSilosAsync() == 3 && await SiloActiveAsync($"silo-{step + 3}"), StartTimeout),
                    $"silo-{step + 3} should join.\n" + Timeline() + Outputs());
                Note($"silo-{step + 3} active");
            }

            bool finished = await Eventually.TrueAsync(async () => await ScanStatusAsync(1) != "running", TimeSpan.FromMinutes(4), TimeSpan.FromSeconds(1));
            Assert.True(finished, "The scan should finish on the new silos.\n" + Timeline() + Outputs());
            peak = sampler.Peak;
        }
        Note($"finished; peak {peak} connections at the server; {stepsMidScan} of 3 replacements while the scan ran");
        TestContext.Current.SendDiagnosticMessage(Timeline());
        // At least the first replacement happens mid-scan (the wait above sees it under way); on a fast machine the scan
        // may end before the last ones, which then check the cluster alone.
        Assert.True(stepsMidScan >= 1, Timeline());

        Assert.Equal("succeeded", await ScanStatusAsync(1));
        string counts = await _database.ScalarAsync<string>(
            "SELECT concat_ws(' ', directories, files, analysed, unchanged, errors) FROM pcrs_scans WHERE scan_number = 1") ?? "";
        Assert.True(counts == $"{Directories + 1} {Tiles} {Tiles} 0 0", $"scan 1 counted {counts} (directories, files, analysed, unchanged, errors)\n{Timeline()}{await PerDirectoryAsync()}");
        Assert.Equal(Directories + Tiles, await _database.ScalarAsync<int>("SELECT count(*) FROM pcrs_entries"));
        Assert.Equal(Tiles, await _database.ScalarAsync<int>("SELECT count(*) FROM pcrs_tiles WHERE error IS NULL AND scan_number = 1"));
        Assert.Equal(Tiles, await TileRowsAsync());
        DeliverableScanView? view = await deliverable.GetScan();
        Assert.Equal((Tiles, Tiles, 0L), (view!.Scan.LastSuccess!.Tiles, view.Scan.LastSuccess.FilesScanned, view.Scan.LastSuccess.Errors));
        Assert.InRange(peak, 1, Limit);
    }

    /// <summary>Cipher text under the silos' key ring, as the web front would send it.</summary>
    private string Protect(string plaintext)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Pcrs"] = _database.ConnectionString,
            ["Secrets:KeyFile"] = Path.Combine(_keyFolder, "key-encryption.key"),
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddPcrsServices(configuration).BuildServiceProvider();
        return services.GetRequiredService<ISecretProtector>().Protect(plaintext);
    }

    private void StartSilo(string name)
    {
        string Port() => FreePort.Next().ToString(CultureInfo.InvariantCulture);
        _silos.Add(ProductProcess.Start(name, "Pcrs.Silo", new Dictionary<string, string?>
        {
            ["ConnectionStrings__Pcrs"] = _database.ConnectionString,
            ["Orleans__ClusterId"] = ClusterId,
            ["Orleans__ServiceId"] = ClusterId,
            ["Orleans__SiloName"] = name,
            ["Orleans__Endpoints__SiloPort"] = Port(),
            ["Orleans__Endpoints__GatewayPort"] = Port(),
            ["Orleans__MinimumReminderPeriod"] = "00:00:01",
            ["Secrets__KeyFile"] = Path.Combine(_keyFolder, "key-encryption.key"),
            ["Scanning__AllowedNetworks__0"] = "127.0.0.0/8",
            ["Scanning__MaxConnectionsPerStorage"] = Limit.ToString(CultureInfo.InvariantCulture),
            ["Scanning__WatchdogPeriod"] = "00:00:05",
            ["Serilog__MinimumLevel__Override__Pcrs.Grains.Scanning"] = "Debug",
        }, "run"));
    }

    private Task<int> ActiveSilosAsync() => _database.ScalarAsync<int>(
        $"SELECT count(*) FROM orleans_members WHERE deployment_id = '{ClusterId}' AND status = 3");

    private async Task<bool> SiloActiveAsync(string name) => await _database.ScalarAsync<int>(
        $"SELECT count(*) FROM orleans_members WHERE deployment_id = '{ClusterId}' AND status = 3 AND silo_name = '{name}'") == 1;

    private Task<int> TileRowsAsync() => _database.ScalarAsync<int>("SELECT count(*) FROM pcrs_tiles");

    private async Task<string> ScanStatusAsync(long scan) =>
        await _database.ScalarAsync<string>($"SELECT status FROM pcrs_scans WHERE scan_number = {scan}") ?? "none";

    /// <summary>Each directory's completion, listed entries and tile rows: which one a wrong count lost.</summary>
    private async Task<string> PerDirectoryAsync() => "--- per directory (path, completed scan, files counted, entries, tile rows) ---\n" + await _database.ScalarAsync<string>("""
        SELECT string_agg(concat_ws(' ', d.path, d.completed_scan, d.sub_files,
            (SELECT count(*) FROM pcrs_entries e WHERE e.parent_path = d.path),
            (SELECT count(*) FROM pcrs_tiles t WHERE t.path LIKE d.path || '/%')), E'\n' ORDER BY d.path)
        FROM pcrs_directories d
        """);

    private void Note(string line)
    {
        lock (_timeline)
            _timeline.AppendLine(CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalSeconds,7:0.0} s  {line}");
    }

    private string Timeline()
    {
        lock (_timeline)
            return "--- timeline ---\n" + _timeline;
    }

    private string Outputs() => string.Join("\n", _silos.Select(s => s.ToString()));
}
