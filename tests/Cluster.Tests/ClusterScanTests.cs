using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Cluster.Tests;

/// <summary>A 3-silo cluster on PostgreSQL scanning real fixtures: work spread over every silo, exact counts, summaries.</summary>
public sealed class ClusterScanTests : IAsyncLifetime
{
    private ScanCluster _cluster = null!;
    private ScratchTree _tree = null!;

    public async ValueTask InitializeAsync()
    {
        _tree = ScratchTree.Standard("cluster-scan-" + Guid.NewGuid().ToString("N")[..8]);
        _cluster = await ScanCluster.StartAsync("scan", silos: 3, maxConnections: 2);
    }

    public async ValueTask DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _tree.Dispose();
    }

    [Fact]
    public async Task LocalTreeIsScannedOnEverySiloWithExactCounts()
    {
        var started = DateTime.UtcNow;
        var declaration = Declarations.Local("d-local", _tree.Root);
        var deliverable = _cluster.Grains.GetGrain<IDeliverableGrain>("d-local");
        var declared = await deliverable.DeclareStorage(declaration);
        Assert.Equal("file://", declared.Attachment.StorageKey);

        var done = await _cluster.WaitForScanAsync("file://", 1, TimeSpan.FromSeconds(60));
        Assert.Equal(ScanStatus.Succeeded, done.Status);
        TestContext.Current.SendDiagnosticMessage($"scan took {(DateTime.UtcNow - started).TotalSeconds:0.0} s");

        var view = await deliverable.GetScan();
        Assert.NotNull(view);
        var summary = view.Scan.LastSuccess;
        Assert.NotNull(summary);
        Assert.Equal(_tree.FileCount, summary.FilesScanned);
        Assert.Equal(_tree.DirectoryCount, summary.Directories);
        Assert.Equal(ScratchTree.StandardFiles.Count - 1, summary.Tiles);
        Assert.Equal(1, summary.Errors);
        Assert.Equal("GeoTIFF", summary.Format);
        Assert.Equal(2154, summary.Epsg);
        Assert.Equal(ScratchTree.StandardFiles.Keys.Sum(p => new FileInfo(_tree.Local(p)).Length), summary.TotalBytes);

        // Every silo took part: directories were listed and headers read across the whole cluster.
        var activities = _cluster.Activities();
        Assert.Equal(3, activities.Count);
        Assert.Equal(_tree.DirectoryCount + 1, activities.Sum(a => a.DirectoriesListed));
        Assert.Equal(ScratchTree.StandardFiles.Count, activities.Sum(a => a.FilesAnalysed));
        Assert.All(activities, a => Assert.True(a.DirectoriesListed + a.FilesAnalysed > 0, "a silo did no scanning work"));

        // Rows are keyed by (storage, path): exactly one tile per data file.
        Assert.Equal(ScratchTree.StandardFiles.Count, await _cluster.Database.ScalarAsync("SELECT count(*) FROM pcrs_tiles"));
    }
}
