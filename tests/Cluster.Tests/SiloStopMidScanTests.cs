using Microsoft.Extensions.DependencyInjection;
using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;

namespace Pcrs.Cluster.Tests;

/// <summary>
/// A silo stopped gracefully in the middle of a scan (a rolling deployment): its directories and files move to the other
/// silo and the scan ends with every tile. Before, FileGrain calls refused by the stopping silo were counted as file
/// errors with no tile row, and the scan "succeeded" with 56 to 112 of 240 tiles and no error in its summary.
/// (A kill -9 of a silo process is Hosting.Tests' SiloCrashTests.)
/// </summary>
[Collection(ConnectionLimitCollection.Name)]
public sealed class SiloStopMidScanTests
{
    private const int Directories = 4;
    private const int FilesPerDirectory = 60;
    private const int Tiles = Directories * FilesPerDirectory;

    [Fact]
    public async Task StoppingASiloMidScanLosesNoTile()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await ScanCluster.StartAsync("stop", silos: 2, maxConnections: 2,
            // The stopped silo must be crawling: spread the storage's crawl over both silos (the default keeps it on one).
            settings: new Dictionary<string, string?> { ["Scanning:CrawlPlacement"] = "Spread" });
        using var tree = ScratchTree.Linked($"stop-{Guid.NewGuid().ToString("N")[..8]}", Directories, FilesPerDirectory, "l93_rgb_tiled_lzw.tif");
        var declaration = Declarations.Ftp(cluster, "d-stop", tree.ServerPath);
        string key = Declarations.KeyOf(declaration);
        var declared = await cluster.Grains.GetGrain<IDeliverableGrain>(declaration.DeliverableId).DeclareStorage(declaration);

        var stopping = cluster.Cluster.Silos[1];
        var activity = cluster.Cluster.GetSiloServiceProvider(stopping.SiloAddress).GetRequiredService<ScanActivity>();
        while (activity.FilesAnalysed < 10)
            await Task.Delay(50, ct);
        long analysedBeforeStop = activity.FilesAnalysed;
        await cluster.Cluster.StopSiloAsync(stopping, ct);

        var done = await cluster.WaitForScanAsync(key, declared.Scan.ScanNumber, TimeSpan.FromSeconds(240));
        TestContext.Current.SendDiagnosticMessage($"stopped a silo after it analysed {analysedBeforeStop} files; {done.Progress}");

        Assert.Equal(ScanStatus.Succeeded, done.Status);
        var summary = done.LastSuccess!;
        Assert.Equal((Tiles, Tiles, 0L, (long)Directories), (summary.Tiles, summary.FilesScanned, summary.Errors, summary.Directories));
        Assert.Equal(Tiles, done.Progress.Analysed);
        Assert.Equal(0, done.Progress.Unchanged);
        Assert.Equal(0, done.Progress.Errors);
        Assert.Equal(Tiles, await cluster.Database.ScalarAsync("SELECT count(*) FROM pcrs_tiles WHERE error IS NULL AND scan_number = 1"));
        Assert.Equal(0, await cluster.Database.ScalarAsync("""
            SELECT count(*) FROM pcrs_entries e LEFT JOIN pcrs_tiles t ON t.storage_key = e.storage_key AND t.path = e.path
            WHERE e.kind = 'f' AND t.path IS NULL
            """));
    }
}
