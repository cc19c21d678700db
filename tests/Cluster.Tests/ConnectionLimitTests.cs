using System.Diagnostics;
using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.TestSupport;

namespace Pcrs.Cluster.Tests;

/// <summary>A 3-silo cluster whose storages allow 2 connections: fewer than silos, so every lease is contended.</summary>
public sealed class ConnectionLimitFixture : IAsyncLifetime
{
    public const int Limit = 2;

    public ScanCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await ScanCluster.StartAsync("limit", silos: 3, maxConnections: Limit,
        // One storage's crawl over all three silos, so that the limit is shared between silos (the default keeps a
        // storage's crawl on one silo; a crawl straddles silos for a while after the membership changes).
        settings: new Dictionary<string, string?> { ["Scanning:CrawlPlacement"] = "Spread" });

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Scans of session-based storages (FTP, SFTP) over three silos: the per-storage limit holds at the real server, every
/// silo works, and no silo waits for another's idle connections (before the lease signals, a silo holding the whole
/// limit in idle pooled connections made the others wait for the pool's 60 s idle timeout).
/// </summary>
[Collection(ConnectionLimitCollection.Name)]
public sealed class ConnectionLimitTests(ConnectionLimitFixture fixture) : IClassFixture<ConnectionLimitFixture>
{
    private const int Directories = 4;
    private const int FilesPerDirectory = 60;

    /// <summary>
    /// Longest a lease request may wait. A stall would show the pools' 60 s idle timeout (before the fix, FTP and SFTP scans
    /// of this tree did not finish in 3 minutes); a fair rotation shows a turn (2 s, or ten logins on a slow server) plus
    /// call latency. Generous for a loaded 2-core machine (logins take up to a second there), far below the stall.
    /// </summary>
    private static readonly TimeSpan LongestAcceptableWait = TimeSpan.FromSeconds(30);

    private ScanCluster Cluster => fixture.Cluster;

    [Fact]
    public Task FtpScanOverThreeSilosHoldsTheLimitAtTheServerAndNeverStalls() =>
        ScanAsync("ftp", Peers.VsftpdFtp, path => Declarations.Ftp(Cluster, "d-limit-ftp", path));

    [Fact]
    public Task SftpScanOverThreeSilosHoldsTheLimitAtTheServerAndNeverStalls() =>
        ScanAsync("sftp", Peers.Sftp, path => Declarations.Sftp(Cluster, "d-limit-sftp", path));

    [Fact]
    public Task HttpScanOverThreeSilosHoldsTheLimitAtTheServerAndNeverStalls() =>
        ScanAsync("http", Peers.Nginx, path => Declarations.Http("d-limit-http", path));

    private async Task ScanAsync(string name, int port, Func<string, StorageDeclaration> declare)
    {
        using var tree = ScratchTree.Linked($"limit-{name}-{Guid.NewGuid().ToString("N")[..8]}", Directories, FilesPerDirectory, "l93_rgb_tiled_lzw.tif");
        var declaration = declare(tree.ServerPath);
        string key = Declarations.KeyOf(declaration);
        var before = Cluster.Activities().Select(a => (a.DirectoriesListed, a.FilesAnalysed, a.LeasesGranted)).ToList();

        var clock = Stopwatch.StartNew();
        StorageScanView done;
        int peak, busySamples;
        await using (var sampler = new ConnectionSampler(port, ownProcessOnly: true))
        {
            var declared = await Cluster.Grains.GetGrain<IDeliverableGrain>(declaration.DeliverableId).DeclareStorage(declaration);
            done = await Cluster.WaitForScanAsync(key, declared.Scan.ScanNumber, TimeSpan.FromSeconds(180));
            clock.Stop();
            await Task.Delay(100, TestContext.Current.CancellationToken);
            peak = sampler.Peak;
            busySamples = sampler.BusySamples;
        }
        var activities = Cluster.Activities();
        TestContext.Current.SendDiagnosticMessage(
            $"{name}: {clock.Elapsed.TotalSeconds:0.0} s, peak {peak} connections at the server ({busySamples} busy samples), " +
            string.Join("; ", activities.Select((a, i) => $"silo {i}: {a.FilesAnalysed - before[i].FilesAnalysed} files, " +
                $"{a.LeasesGranted - before[i].LeasesGranted} leases, longest lease wait {a.LongestLeaseWait.TotalSeconds:0.00} s")));

        // Exact counts.
        Assert.Equal(ScanStatus.Succeeded, done.Status);
        var summary = done.LastSuccess!;
        Assert.Equal(Directories * FilesPerDirectory, summary.FilesScanned);
        Assert.Equal(Directories * FilesPerDirectory, summary.Tiles);
        Assert.Equal(Directories, summary.Directories);
        Assert.Equal(0, summary.Errors);

        // Every silo read headers and took leases: the storage's work is spread, and no silo was shut out.
        var deltas = activities.Select((a, i) => (Dirs: a.DirectoriesListed - before[i].DirectoriesListed,
            Files: a.FilesAnalysed - before[i].FilesAnalysed, Leases: a.LeasesGranted - before[i].LeasesGranted)).ToList();
        Assert.Equal(3, deltas.Count);
        Assert.Equal(Directories + 1, deltas.Sum(d => d.Dirs));
        Assert.Equal(Directories * FilesPerDirectory, deltas.Sum(d => d.Files));
        Assert.All(deltas, d => Assert.True(d.Files > 0 && d.Leases > 0, $"a silo analysed {d.Files} files with {d.Leases} leases"));

        // The limit, counted at the server: established sessions of this process never above it, and it was used.
        Assert.True(busySamples > 0, "the sampler never saw a connection to the server");
        Assert.InRange(peak, 1, ConnectionLimitFixture.Limit);

        // Nobody waited for idle connections to expire.
        Assert.All(activities, a => Assert.True(a.LongestLeaseWait < LongestAcceptableWait,
            $"a lease request waited {a.LongestLeaseWait.TotalSeconds:0.0} s"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"the scan took {clock.Elapsed.TotalSeconds:0} s");
    }
}

/// <summary>
/// The limit is counted at the server among this process's connections: these tests run alone, after the others, so no
/// other test's scan of the same server is counted with theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConnectionLimitCollection
{
    public const string Name = "Connection limit counted at the server";
}
