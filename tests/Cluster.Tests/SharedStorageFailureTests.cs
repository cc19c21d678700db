using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Cluster.Tests;

/// <summary>A 2-silo cluster on its own database: each test has its storage to itself (no other test's roots in its scans).</summary>
public sealed class SharedStorageFailureFixture : IAsyncLifetime
{
    public ScanCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await ScanCluster.StartAsync("shared", silos: 2, maxConnections: 2);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Deliverables sharing a storage, some of whose start paths cannot be listed. Before the fix one missing folder failed the
/// whole storage's scan, so the other deliverables' summaries never refreshed; now the scan fails only when no start path
/// could be listed, and each deliverable shows its own outcome.
/// </summary>
public sealed class SharedStorageFailureTests(SharedStorageFailureFixture fixture) : IClassFixture<SharedStorageFailureFixture>
{
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromSeconds(120);

    private ScanCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task MissingStartPathFailsOnlyItsDeliverableAndTheOthersGetFreshExactSummaries()
    {
        using var tree = ScratchTree.Standard("shared-http-" + Guid.NewGuid().ToString("N")[..8]);
        var kept = Declarations.Http("d-shared-kept", tree.ServerPath + "/a");
        var removed = Declarations.Http("d-shared-removed", tree.ServerPath + "/b");
        var never = Declarations.Http("d-shared-never", tree.ServerPath + "/never-created");
        string key = Declarations.KeyOf(kept);
        Assert.Equal(key, Declarations.KeyOf(removed));
        Assert.Equal(key, Declarations.KeyOf(never));
        var keptGrain = Cluster.Grains.GetGrain<IDeliverableGrain>(kept.DeliverableId);
        var removedGrain = Cluster.Grains.GetGrain<IDeliverableGrain>(removed.DeliverableId);
        var neverGrain = Cluster.Grains.GetGrain<IDeliverableGrain>(never.DeliverableId);
        await keptGrain.DeclareStorage(kept);
        await removedGrain.DeclareStorage(removed);
        await neverGrain.DeclareStorage(never);

        // One start path of three does not exist: the scan succeeds and names it.
        var first = await Cluster.WaitUntilAttachedAsync(ScanTimeout, "d-shared-kept", "d-shared-removed", "d-shared-never");
        Assert.Equal(ScanStatus.Succeeded, first.Status);
        Assert.Contains(tree.ServerPath + "/never-created", first.LastError);
        AssertExact(tree, "/a", await keptGrain.GetScan(), first);
        AssertExact(tree, "/b", await removedGrain.GetScan(), first);
        var neverView = (await neverGrain.GetScan())!.Scan;
        Assert.Equal(ScanStatus.Failed, neverView.Status);
        Assert.Contains(tree.ServerPath + "/never-created", neverView.LastError);
        Assert.Null(neverView.LastSuccess); // nothing was ever found there
        Assert.Null(neverView.LastSuccessAt);
        var removedBefore = (await removedGrain.GetScan())!.Scan.LastSuccess!;

        // One more folder disappears and the remaining one changes: its summary follows, the removed one keeps its last data.
        Directory.Delete(tree.Local("/b"), recursive: true);
        tree.Copy("l93_rgb_strip_none.tif", "/a/added.tif");
        var second = await Cluster.WaitForScanAsync(key, (await keptGrain.RequestScan())!.Scan.ScanNumber, ScanTimeout);
        Assert.Equal(ScanStatus.Succeeded, second.Status);
        Assert.True(second.LastSuccessAt > first.LastSuccessAt, "the storage's summary was not refreshed");
        Assert.Contains(tree.ServerPath + "/b", second.LastError); // the first failed root, in path order
        var keptView = await keptGrain.GetScan();
        AssertExact(tree, "/a", keptView, second);
        Assert.Equal(5, keptView!.Scan.LastSuccess!.Tiles);

        var removedView = (await removedGrain.GetScan())!.Scan;
        Assert.Equal(ScanStatus.Failed, removedView.Status);
        Assert.Contains(tree.ServerPath + "/b", removedView.LastError);
        Assert.DoesNotContain("never-created", removedView.LastError, StringComparison.Ordinal);
        AssertSame(removedBefore with { CompletedAt = removedView.LastSuccess!.CompletedAt }, removedView.LastSuccess);
        Assert.Contains(tree.ServerPath + "/never-created", (await neverGrain.GetScan())!.Scan.LastError);
    }

    [Fact]
    public async Task StorageWithNoListableStartPathFailsAndKeepsTheLastGoodResult()
    {
        using var tree = ScratchTree.Standard("shared-ftp-" + Guid.NewGuid().ToString("N")[..8]);
        var first = Declarations.Ftp(Cluster, "d-gone-a", tree.ServerPath + "/a");
        var second = Declarations.Ftp(Cluster, "d-gone-b", tree.ServerPath + "/b");
        string key = Declarations.KeyOf(first);
        var firstGrain = Cluster.Grains.GetGrain<IDeliverableGrain>(first.DeliverableId);
        var secondGrain = Cluster.Grains.GetGrain<IDeliverableGrain>(second.DeliverableId);
        await firstGrain.DeclareStorage(first);
        await secondGrain.DeclareStorage(second);
        var good = await Cluster.WaitUntilAttachedAsync(ScanTimeout, "d-gone-a", "d-gone-b");
        Assert.Equal(ScanStatus.Succeeded, good.Status);
        Assert.Null(good.LastError);
        AssertExact(tree, "/a", await firstGrain.GetScan(), good);
        AssertExact(tree, "/b", await secondGrain.GetScan(), good);
        var firstBefore = (await firstGrain.GetScan())!.Scan.LastSuccess;

        // Every start path gone: nothing could be listed, so the scan failed and the last good result stays.
        Directory.Delete(tree.Root, recursive: true);
        var failed = await Cluster.WaitForScanAsync(key, (await firstGrain.RequestScan())!.Scan.ScanNumber, ScanTimeout);
        Assert.Equal(ScanStatus.Failed, failed.Status);
        Assert.Contains(tree.ServerPath + "/a", failed.LastError);
        AssertSame(good.LastSuccess!, failed.LastSuccess);
        Assert.Equal(good.LastSuccessAt, failed.LastSuccessAt);

        var firstView = (await firstGrain.GetScan())!.Scan;
        var secondView = (await secondGrain.GetScan())!.Scan;
        Assert.Equal(ScanStatus.Failed, firstView.Status);
        Assert.Equal(ScanStatus.Failed, secondView.Status);
        Assert.Contains(tree.ServerPath + "/a", firstView.LastError);
        Assert.Contains(tree.ServerPath + "/b", secondView.LastError);
        AssertSame(firstBefore!, firstView.LastSuccess);
        Assert.Equal(good.LastSuccessAt, firstView.LastSuccessAt);
    }

    /// <summary>Same summary, field by field (records compare their band arrays by reference).</summary>
    private static void AssertSame(ScanSummary expected, ScanSummary? actual) =>
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(expected), System.Text.Json.JsonSerializer.Serialize(actual));

    /// <summary>The deliverable shows the storage's latest scan, succeeded with no error, and exactly what its folder holds now.</summary>
    private static void AssertExact(ScratchTree tree, string folder, DeliverableScanView? view, StorageScanView storage)
    {
        Assert.NotNull(view);
        Assert.Equal(ScanStatus.Succeeded, view.Scan.Status);
        Assert.Null(view.Scan.LastError);
        Assert.Equal(storage.ScanNumber, view.Scan.ScanNumber);
        Assert.Equal(storage.LastSuccessAt, view.Scan.LastSuccessAt);
        var summary = view.Scan.LastSuccess;
        Assert.NotNull(summary);
        string local = tree.Local(folder);
        var dataFiles = ScratchTree.StandardFiles.Keys.Where(p => p.StartsWith(folder + "/", StringComparison.Ordinal))
            .Concat(Directory.GetFiles(local, "added.tif", SearchOption.AllDirectories).Select(_ => folder + "/added.tif")).ToList();
        Assert.Equal(Directory.GetFiles(local, "*", SearchOption.AllDirectories).Length, summary.FilesScanned);
        Assert.Equal(Directory.GetDirectories(local, "*", SearchOption.AllDirectories).Length, summary.Directories);
        int broken = dataFiles.Count(p => p.EndsWith("/broken.tif", StringComparison.Ordinal));
        Assert.Equal(dataFiles.Count - broken, summary.Tiles);
        Assert.Equal(broken, summary.Errors);
        Assert.Equal(dataFiles.Sum(p => new FileInfo(tree.Local(p)).Length), summary.TotalBytes);
    }
}
