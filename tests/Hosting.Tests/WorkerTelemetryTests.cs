using System.Globalization;
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
/// A worker silo (`Pcrs.Silo run`, no web server) tells operators what it does on its own: the scan counters on its
/// Prometheus port (<c>Pcrs__PrometheusPort</c>), and, with the standard OTEL_EXPORTER_OTLP_* variables, the scan's
/// spans, tagged with the storage and the scan number, posted to an OTLP collector (here one of the test's own).
/// </summary>
public sealed class WorkerTelemetryTests : IAsyncLifetime
{
    private const int Directories = 2;
    private const int FilesPerDirectory = 10;
    private const int Tiles = Directories * FilesPerDirectory;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);
    /// <summary>Generous: the scan of 20 tiles takes seconds, but every test class of the machine runs at once.</summary>
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromMinutes(3);
    /// <summary>The exporters' batches go out every OTEL_BSP_SCHEDULE_DELAY (set to 1 s below); a minute is room for load.</summary>
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(60);

    private readonly TestDatabase _database = new();
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly int _prometheusPort = FreePort.Next();
    private OtlpTraceReceiver _collector = null!;
    private ProductProcess? _silo;
    private string _treeRoot = "";
    private string _keyFolder = "";

    private string ClusterId => "telemetry-" + _id;

    private string DeliverableId => "d-telemetry-" + _id;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _collector = new OtlpTraceReceiver();
        _keyFolder = Directory.CreateTempSubdirectory("pcrs-telemetry-key-").FullName;
        _treeRoot = Path.Combine(Peers.DataDir, "telemetry-tests", _id);
        HardLinks.CreateTree(_treeRoot, Directories, FilesPerDirectory, Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_silo is not null)
            await _silo.DisposeAsync();
        await _collector.DisposeAsync();
        await _database.DisposeAsync();
        Directory.Delete(_treeRoot, recursive: true);
        Directory.Delete(_keyFolder, recursive: true);
    }

    [Fact(Timeout = 600_000)]
    public async Task A_worker_silo_serves_its_scan_counters_and_exports_the_scans_spans()
    {
        var ct = TestContext.Current.CancellationToken;
        _silo = StartSilo();
        Assert.True(await Eventually.TrueAsync(async () => await _database.ScalarAsync<int>(
                $"SELECT count(*) FROM orleans_members WHERE deployment_id = '{ClusterId}' AND status = 3") == 1, StartTimeout),
            "The worker silo should be Active in the membership table.\n" + _silo);

        await using (ClusterClient client = await ClusterClient.StartAsync(ClusterId, _database.ConnectionString, ct))
        {
            await client.Grains.GetGrain<IDeliverableGrain>(DeliverableId).DeclareStorage(new StorageDeclaration(DeliverableId, "ftp", Peers.Host,
                Peers.VsftpdFtp, $"/telemetry-tests/{_id}", Peers.User, Protect(Peers.Password), PublicConnection: false, DownloadAllowed: true));
            Assert.True(await Eventually.TrueAsync(async () => await _database.ScalarAsync<string>(
                    "SELECT status FROM pcrs_scans WHERE scan_number = 1") == "succeeded", ScanTimeout),
                "The scan should succeed.\n" + _silo);
        }
        string storageKey = await _database.ScalarAsync<string>("SELECT storage_key FROM pcrs_storages") ?? "";

        // The worker's own Prometheus port: this silo read every header of the storage, so its counter holds them all.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        string metrics = "";
        Assert.True(await Eventually.TrueAsync(async () =>
            {
                metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{_prometheusPort}/metrics"), ct);
                return Value(metrics, "pcrs_scan_files_total") >= Tiles;
            }, ExportTimeout),
            $"The worker's /metrics should count the scan's {Tiles} files.\n{metrics}");
        Assert.Equal(Tiles, Value(metrics, "pcrs_scan_files_total"));
        Assert.Equal(Directories + 1, Value(metrics, "pcrs_scan_directories_total"));
        Assert.True(Value(metrics, "pcrs_scan_bytes_read_bytes_total") > 0, metrics);

        // The scan's spans reach the collector with the storage and the scan number: every directory's order, and the
        // batches of files the directories hand out (a batch is one directory's files).
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(ScanSpans(storageKey, "IFileGrain.AnalyseBatch").Count >= Directories
                && ScanSpans(storageKey, "IDirectoryGrain.Scan").Count >= Directories + 1), ExportTimeout),
            $"The collector should receive the scan's spans; it received {_collector.Posts} exports, spans: "
            + string.Join(", ", _collector.Spans.Where(s => s.Scope == "Pcrs.Scanning").GroupBy(s => s.Name)
                .Select(g => $"{g.Key} x{g.Count()} [{string.Join(' ', g.First().Attributes.Select(a => $"{a.Key}={a.Value}"))}]"))
            + "\n" + _silo);
        Assert.All(ScanSpans(storageKey, "IFileGrain.").Concat(ScanSpans(storageKey, "IDirectoryGrain.")),
            span => Assert.Equal(1L, span.Attributes["pcrs.scan"]));
    }

    /// <summary>Spans named from <paramref name="prefix"/> on, of the storage, with a scan number.</summary>
    private List<ReceivedSpan> ScanSpans(string storageKey, string prefix) => _collector.Spans
        .Where(s => s.Scope == "Pcrs.Scanning" && s.Name.StartsWith(prefix, StringComparison.Ordinal)
            && s.Attributes.TryGetValue("pcrs.storage", out var storage) && Equals(storage, storageKey)
            && s.Attributes.ContainsKey("pcrs.scan"))
        .ToList();

    /// <summary>The sum of a metric's series in Prometheus' text format: "name{labels} value [timestamp]" per line.</summary>
    private static long Value(string metrics, string name) => (long)metrics.Split('\n')
        .Where(line => line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal))
        .Sum(line => double.Parse(line[(line.Contains('}', StringComparison.Ordinal) ? line.LastIndexOf('}') + 1 : name.Length)..]
            .Trim().Split(' ')[0], CultureInfo.InvariantCulture));

    /// <summary>Cipher text under the silo's key ring, as the web front would send it.</summary>
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

    private ProductProcess StartSilo()
    {
        string Port() => FreePort.Next().ToString(CultureInfo.InvariantCulture);
        return ProductProcess.Start("worker", "Pcrs.Silo", new Dictionary<string, string?>
        {
            ["ConnectionStrings__Pcrs"] = _database.ConnectionString,
            ["Orleans__ClusterId"] = ClusterId,
            ["Orleans__ServiceId"] = ClusterId,
            ["Orleans__SiloName"] = "worker",
            ["Orleans__Endpoints__SiloPort"] = Port(),
            ["Orleans__Endpoints__GatewayPort"] = Port(),
            ["Secrets__KeyFile"] = Path.Combine(_keyFolder, "key-encryption.key"),
            ["Scanning__AllowedNetworks__0"] = "127.0.0.0/8",
            ["Pcrs__PrometheusPort"] = _prometheusPort.ToString(CultureInfo.InvariantCulture),
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "1000",
        }, "run");
    }
}
