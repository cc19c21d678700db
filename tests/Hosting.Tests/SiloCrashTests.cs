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
/// Crash of a silo in the middle of a scan: three real `dotnet Pcrs.Silo.dll run` processes on one PostgreSQL scan a
/// vsftpd storage of 1,200 tiles; one is killed with SIGKILL once a quarter of the tiles are written. The survivors
/// finish the scan with exact counts (the scan history, the catalogue and the deliverable's summary), no duplicate rows,
/// the connection limit held at the server, and a rescan afterwards reads no byte. Either the silo of the StorageGrain
/// (the scan's state, the lease table and, with the default placement, the whole crawl) or a silo that only crawls is
/// killed (that case spreads the crawl over every silo: Scanning:CrawlPlacement=Spread). The storage's live progress, sampled
/// all through the run, never exceeds the tree's true totals (directories redone on a survivor are not counted twice).
/// </summary>
public sealed class SiloCrashTests : IAsyncLifetime
{
    private const int Directories = 12;
    private const int FilesPerDirectory = 100;
    private const int Tiles = Directories * FilesPerDirectory;
    private const int Limit = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan ResumeTimeout = TimeSpan.FromMinutes(4);

    private readonly TestDatabase _database = new();
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly List<ProductProcess> _silos = [];
    private readonly StringBuilder _timeline = new();
    /// <summary>Scanning:CrawlPlacement of the silos started next.</summary>
    private string _crawlPlacement = "Storage";
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string _treeRoot = "";
    private string _keyFolder = "";

    private string ClusterId => "crash-" + _id;

    private string DeliverableId => "d-crash-" + _id;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _keyFolder = Directory.CreateTempSubdirectory("pcrs-crash-key-").FullName;
        _treeRoot = Path.Combine(Peers.DataDir, "crash-tests", _id);
        HardLinks.CreateTree(_treeRoot, Directories, FilesPerDirectory, Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ProductProcess silo in _silos)
            await silo.DisposeAsync();
        await _database.DisposeAsync();
        Directory.Delete(_treeRoot, recursive: true);
        Directory.Delete(_keyFolder, recursive: true);
    }

    [Fact(Timeout = 900_000)]
    public Task Killing_a_crawling_silo_mid_scan_the_survivors_finish_with_exact_counts() =>
        KillMidScanAsync(Victim.CrawlingSilo, TestContext.Current.CancellationToken);

    [Fact(Timeout = 900_000)]
    public Task Killing_the_storage_grains_silo_mid_scan_the_scan_resumes_elsewhere_with_exact_counts() =>
        KillMidScanAsync(Victim.StorageSilo, TestContext.Current.CancellationToken);

    /// <summary>
    /// The whole cluster dies (issue 17: one web front killed showed 40,003 files for a 20,003-file storage until the end):
    /// a new silo resumes the scan from the catalogue and the live progress still never counts a directory twice.
    /// </summary>
    [Fact(Timeout = 900_000)]
    public Task Killing_every_silo_mid_scan_a_new_silo_resumes_it_with_exact_counts_and_no_double_counting() =>
        KillMidScanAsync(Victim.EverySilo, TestContext.Current.CancellationToken);

    public enum Victim
    {
        CrawlingSilo,
        StorageSilo,
        EverySilo,
    }

    private async Task KillMidScanAsync(Victim kill, CancellationToken ct)
    {
        // With the default placement the storage's whole crawl runs on its StorageGrain's silo: no other silo crawls.
        if (kill == Victim.CrawlingSilo)
            _crawlPlacement = "Spread";
        for (int i = 0; i < 3; i++)
            StartSilo($"silo-{i}");
        Assert.True(await Eventually.TrueAsync(async () => await ActiveSilosAsync() == 3, StartTimeout),
            "The three silos should be Active in the membership table.\n" + Outputs());

        await using ClusterClient client = await ClusterClient.StartAsync(ClusterId, _database.ConnectionString, ct);
        var deliverable = client.Grains.GetGrain<IDeliverableGrain>(DeliverableId);
        var declaration = new StorageDeclaration(DeliverableId, "ftp", Peers.Host, Peers.VsftpdFtp, $"/crash-tests/{_id}",
            Peers.User, Protect(Peers.Password), PublicConnection: false, DownloadAllowed: true);
        int peak;
        ProductProcess victim;
        long tilesAtKill;
        (ScanProgress Each, long Read) highest;
        await using (var sampler = new ConnectionSampler(Peers.VsftpdFtp, () => _silos.Where(s => !s.HasExited).Select(s => s.ProcessId).ToList()))
        {
            // The login is proven first; scan 1 starts after it (the waits below cover both).
            await deliverable.DeclareStorage(declaration);
            string key = await _database.ScalarAsync<string>(
                $"SELECT storage_key FROM pcrs_storage_attachments WHERE deliverable_id = '{DeliverableId}'") ?? "";
            using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
            Task<(ScanProgress, long)> progressSamples = SampleLiveProgressAsync(client.Grains.GetGrain<IStorageGrain>(key), sampling.Token);

            // Kill once a quarter of the tiles are in the catalogue: every silo has directories and files in flight.
            bool quarter = await Eventually.TrueAsync(async () => await TileRowsAsync() >= Tiles / 4, TimeSpan.FromMinutes(2),
                TimeSpan.FromMilliseconds(50));
            Assert.True(quarter, "The scan should reach a quarter of the tiles.\n" + Timeline() + Outputs());
            Assert.Equal("running", await ScanStatusAsync(1));

            ProductProcess grainSilo = _silos.Single(s => s.Output.Contains($"Scan 1 of {key} started", StringComparison.Ordinal));
            victim = kill == Victim.CrawlingSilo ? _silos.First(s => s != grainSilo) : grainSilo;
            tilesAtKill = await TileRowsAsync();
            if (kill == Victim.EverySilo)
            {
                foreach (ProductProcess silo in _silos.ToList())
                    await silo.KillAsync();
                Note($"killed every silo with {tilesAtKill} tile rows written");
                StartSilo("silo-3");
            }
            else
            {
                await victim.KillAsync();
                Note($"killed {victim.Name} (StorageGrain's silo: {victim == grainSilo}) with {tilesAtKill} tile rows written");
            }

            bool finished = await Eventually.TrueAsync(async () =>
            {
                Note($"{await TileRowsAsync()} tile rows, scan {await ScanStatusAsync(1)}");
                return await ScanStatusAsync(1) != "running";
            }, ResumeTimeout, TimeSpan.FromSeconds(2));
            Assert.True(finished, "The scan should finish on the survivors.\n" + Timeline() + Outputs());
            peak = sampler.Peak;
            await sampling.CancelAsync();
            highest = await progressSamples;
        }
        int replaced = _silos.Sum(s => s.Output.Split("was deactivated while scanning").Length - 1);
        Note($"finished; peak {peak} connections at the server; {replaced} directory activations replaced after the kill");
        TestContext.Current.SendDiagnosticMessage(Timeline());

        // The scan's history row: exact counts, whatever was lost or done twice around the kill.
        Assert.Equal("succeeded", await ScanStatusAsync(1));
        string counts = await ScanCountsAsync(1);
        Assert.True(counts == $"{Directories + 1} {Tiles} {Tiles} 0 0",
            $"scan 1 counted {counts} (directories, files, analysed, unchanged, errors)\n{await ErrorsAsync()}\n{Timeline()}");

        // The catalogue: one row per entry and per tile, every one seen by this scan, none in error.
        Assert.Equal(Directories + Tiles, await _database.ScalarAsync<int>("SELECT count(*) FROM pcrs_entries WHERE last_seen_scan = 1"));
        Assert.Equal(Directories + Tiles, await _database.ScalarAsync<int>("SELECT count(*) FROM pcrs_entries"));
        Assert.Equal(Tiles, await _database.ScalarAsync<int>("SELECT count(*) FROM pcrs_tiles WHERE error IS NULL AND scan_number = 1"));
        Assert.Equal(Tiles, await _database.ScalarAsync<int>("SELECT count(*) FROM pcrs_tiles"));
        Assert.Equal(Directories + 1, await _database.ScalarAsync<int>("SELECT count(*) FROM pcrs_directories WHERE completed_scan = 1"));

        // What the public site reads.
        DeliverableScanView? view = await deliverable.GetScan();
        Assert.NotNull(view);
        Assert.Equal(ScanStatus.Succeeded, view.Scan.Status);
        ScanSummary summary = view.Scan.LastSuccess!;
        Assert.Equal((Tiles, Tiles, 0L, (long)Directories), (summary.Tiles, summary.FilesScanned, summary.Errors, summary.Directories));
        Assert.Equal(2154, summary.Epsg);

        // The live progress never counted more than the tree holds, through the kill and the resumption.
        var (most, mostRead) = highest;
        Assert.True(most.Directories <= Directories + 1 && most.Files <= Tiles && mostRead <= Tiles && most.Errors == 0,
            $"live progress went up to {most} ({mostRead} files analysed or unchanged) for {Directories + 1} directories and {Tiles} tiles\n{Timeline()}");
        Assert.True(most.Files > 0, "no live progress was seen while the scan ran");

        // The limit held at the server through the kill and the resumption (the new lease table learns the survivors' leases).
        Assert.InRange(peak, 1, Limit);

        // The catalogue is consistent: an unchanged rescan on the survivors reads nothing and finds every file unchanged.
        DeliverableScanView? rescan = await deliverable.RequestScan();
        Assert.Equal(2, rescan!.Scan.ScanNumber);
        Assert.True(await Eventually.TrueAsync(async () => await ScanStatusAsync(2) == "succeeded", TimeSpan.FromMinutes(2)),
            "The rescan should succeed.\n" + Outputs());
        Assert.Equal($"{Directories + 1} {Tiles} 0 {Tiles} 0", await ScanCountsAsync(2));
        Assert.Equal(0, await _database.ScalarAsync<long>($"SELECT bytes_read FROM pcrs_scans WHERE scan_number = 2"));
    }

    /// <summary>
    /// Cipher text under the silos' key ring (the same database and key file), as the web front would send it: this
    /// client never hands a plain password to the grains.
    /// </summary>
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
            ["Scanning__CrawlPlacement"] = _crawlPlacement,
        }, "run"));
    }

    /// <summary>
    /// Reads the storage's live progress (what the administrators' scan route and the `scan` verb show) every 100 ms until
    /// cancelled; returns the highest value seen of each counter, and of Analysed + Unchanged (files read or skipped).
    /// </summary>
    private async Task<(ScanProgress Each, long Read)> SampleLiveProgressAsync(IStorageGrain storage, CancellationToken ct)
    {
        var highest = ScanProgress.Zero;
        long highestRead = 0;
        long samples = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                StorageScanView view = await storage.GetStatus();
                ScanProgress p = view.Progress;
                samples++;
                if (p.Analysed + p.Unchanged > Tiles)
                    Note($"sample {samples}: {p} counts more files read than the tree holds");
                highest = new ScanProgress(Math.Max(highest.Directories, p.Directories), Math.Max(highest.Files, p.Files),
                    Math.Max(highest.Analysed, p.Analysed), Math.Max(highest.Unchanged, p.Unchanged),
                    Math.Max(highest.Errors, p.Errors), Math.Max(highest.BytesRead, p.BytesRead));
                highestRead = Math.Max(highestRead, p.Analysed + p.Unchanged);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The StorageGrain's silo was just killed: the next call reaches its new activation.
            }
            try
            {
                await Task.Delay(100, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        Note($"{samples} live progress samples, highest {highest}, {highestRead} files analysed or unchanged");
        return (highest, highestRead);
    }

    private Task<int> ActiveSilosAsync() => _database.ScalarAsync<int>(
        $"SELECT count(*) FROM orleans_members WHERE deployment_id = '{ClusterId}' AND status = 3");

    private Task<int> TileRowsAsync() => _database.ScalarAsync<int>("SELECT count(*) FROM pcrs_tiles");

    private async Task<string> ScanStatusAsync(long scan) =>
        await _database.ScalarAsync<string>($"SELECT status FROM pcrs_scans WHERE scan_number = {scan}") ?? "none";

    private async Task<string> ScanCountsAsync(long scan) => await _database.ScalarAsync<string>(
        $"SELECT concat_ws(' ', directories, files, analysed, unchanged, errors) FROM pcrs_scans WHERE scan_number = {scan}") ?? "";

    /// <summary>The files and directories in error, with their messages: what a failed count assertion needs to be understood.</summary>
    private async Task<string> ErrorsAsync()
    {
        string files = await _database.ScalarAsync<string>(
            "SELECT string_agg(path || ' (scan ' || scan_number || '): ' || error, E'\\n') FROM pcrs_tiles WHERE error IS NOT NULL") ?? "";
        string directories = await _database.ScalarAsync<string>(
            "SELECT string_agg(path || ': ' || coalesce(listing_error, first_error, ''), E'\\n') FROM pcrs_directories " +
            "WHERE listing_failed OR sub_errors > 0") ?? "";
        return $"--- files in error ---\n{files}\n--- directories in error ---\n{directories}";
    }

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
