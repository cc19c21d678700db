using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Pcrs.Grains.Hosting;
using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;

namespace Pcrs.Cluster.Tests.Infrastructure;

/// <summary>
/// An in-process cluster of real silos (own DI container each) wired exactly as the service: AddPcrsServices on a fresh
/// PostgreSQL database, with the access layer allowed to reach loopback and a small connection limit.
/// </summary>
public sealed class ScanCluster : IAsyncDisposable
{
    private ScanCluster(TestDatabase database, InProcessTestCluster cluster)
    {
        Database = database;
        Cluster = cluster;
    }

    public TestDatabase Database { get; }

    public InProcessTestCluster Cluster { get; }

    public IGrainFactory Grains => Cluster.Client;

    /// <param name="logs">When given, receives the Warning and Error entries of every silo.</param>
    /// <param name="settings">Configuration entries added to (or replacing) the defaults below, e.g. "Scanning:FileTimeout".</param>
    /// <param name="configureSilo">More silo configuration, e.g. a grain call filter that injects a cluster failure.</param>
    public static async Task<ScanCluster> StartAsync(string purpose, short silos, int maxConnections, LogCapture? logs = null,
        IReadOnlyDictionary<string, string?>? settings = null, Action<ISiloBuilder>? configureSilo = null)
    {
        var database = await TestDatabase.CreateAsync(purpose);
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Pcrs"] = database.ConnectionString,
            ["Scanning:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Scanning:MaxConnectionsPerStorage"] = maxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Scanning:WatchdogPeriod"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseInMemoryReminderService();
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Services.AddPcrsServices(configuration);
            if (logs is not null)
                silo.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
            configureSilo?.Invoke(silo);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new ScanCluster(database, cluster);
    }

    /// <summary>Cipher text of <paramref name="plaintext"/> under the cluster's key ring (what the web front sends the grains).</summary>
    public string Protect(string plaintext) =>
        Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress).GetRequiredService<ISecretProtector>().Protect(plaintext);

    /// <summary>Per-silo activity counters, one per live silo.</summary>
    public IReadOnlyList<ScanActivity> Activities() => Cluster.Silos
        .Select(s => Cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<ScanActivity>())
        .ToList();

    /// <summary>Waits until the storage's current scan ends (succeeded, failed or partial) and returns its view.</summary>
    public async Task<StorageScanView> WaitForScanAsync(string storageKey, long atLeastScanNumber, TimeSpan timeout)
    {
        var storage = Grains.GetGrain<IStorageGrain>(storageKey);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var view = await storage.GetStatus();
            if (view.ScanNumber >= atLeastScanNumber && view.Status is ScanStatus.Succeeded or ScanStatus.Failed or ScanStatus.Partial)
                return view;
            TestContext.Current.SendDiagnosticMessage($"{DateTime.UtcNow:HH:mm:ss.fff} {view.Status} {view.Progress}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Scan {atLeastScanNumber} of {storageKey} did not finish in {timeout}: {view}");
            await Task.Delay(500);
        }
    }

    /// <summary>
    /// Waits until every given deliverable's declaration is proven (a login with its own credentials) and its start path
    /// has been crawled by a scan that ended, with no scan running on the storage; returns that scan's view. A declaration
    /// that fails ends the wait with its reason.
    /// </summary>
    public async Task<StorageScanView> WaitUntilAttachedAsync(TimeSpan timeout, params string[] deliverableIds)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            string? key = null;
            bool settled = true;
            foreach (var id in deliverableIds)
            {
                var view = await Grains.GetGrain<Pcrs.Grains.Interfaces.Projects.IDeliverableGrain>(id).GetScan()
                    ?? throw new InvalidOperationException($"{id} has no declaration.");
                key = view.Attachment.StorageKey;
                if (view.Attachment.State == DeclarationState.Failed)
                    throw new InvalidOperationException($"The declaration of {id} failed: {view.Scan.LastError}");
                settled &= view.Attachment.State == DeclarationState.Proven && view.Scan.Status is ScanStatus.Succeeded or ScanStatus.Failed or ScanStatus.Partial;
            }
            var storage = await Grains.GetGrain<IStorageGrain>(key!).GetStatus();
            if (settled && storage.Status is ScanStatus.Succeeded or ScanStatus.Failed or ScanStatus.Partial)
                return storage;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The declarations of {string.Join(", ", deliverableIds)} were not proven and scanned in {timeout}: {storage}");
            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync();
        }
        finally
        {
            await Cluster.DisposeAsync();
            await Database.DisposeAsync();
        }
    }
}
