using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Hostile;

namespace Pcrs.Cluster.Tests;

/// <summary>
/// Detachment stops work like revocation: a deliverable re-declared onto another storage in the middle of its old
/// storage's scan leaves that storage with nobody attached, so the old server goes silent, its scan ends failed saying
/// why and nothing resumes it, while the new storage is crawled. A storage still shared by another deliverable keeps
/// its scan when one of them leaves.
/// </summary>
public sealed class DetachmentTests(RevocationFixture fixture) : IClassFixture<RevocationFixture>
{
    private static readonly byte[] Tile = File.ReadAllBytes(Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));
    private static readonly string[] Folders = Enumerable.Range(0, 10).Select(i => $"f{i}/").ToArray();
    private static readonly string[] Files = Enumerable.Range(0, 100).Select(i => $"t{i:D3}.tif").ToArray();
    /// <summary>Listings of the whole slow tree and its 1,000 files: what a crawl that did not stop would ask.</summary>
    private const int WholeTree = 1 + 10 + 1_000;

    private ScanCluster Cluster => fixture.Cluster;

    /// <summary>10 folders of 100 tiles, each file answered after 100 ms: the scan takes minutes at 4 connections.</summary>
    private static HostileHttpServer SlowTree() => new(path =>
        path == "/" ? HostileAnswer.Listing(path, Folders)
        : path.EndsWith('/') ? HostileAnswer.Listing(path, Files, _ => Tile.Length)
        : HostileAnswer.File(Tile) with { Delay = TimeSpan.FromMilliseconds(100) });

    [Fact]
    public async Task Redeclaring_onto_another_storage_silences_the_old_server_and_nothing_resumes_its_scan()
    {
        var token = TestContext.Current.CancellationToken;
        await using var old = SlowTree();
        await using var next = new HostileHttpServer(path =>
            path == "/" ? HostileAnswer.Listing(path, ["a.tif"], _ => Tile.Length) : path == "/a.tif" ? HostileAnswer.File(Tile) : new HostileAnswer(404));
        string deliverable = "d-detach-" + Guid.NewGuid().ToString("N")[..6];
        var first = new StorageDeclaration(deliverable, "http", Peers.Host, old.Port, "/", null, null, true, true);
        var grain = Cluster.Grains.GetGrain<IDeliverableGrain>(deliverable);
        await grain.DeclareStorage(first);
        await WaitForFileReadsAsync(old, 40, token);

        var second = new StorageDeclaration(deliverable, "http", Peers.Host, next.Port, "/", null, null, true, true);
        await grain.DeclareStorage(second);
        var detachedAt = DateTime.UtcNow;

        var quietAfter = await WaitUntilQuietAsync(old, token);
        TestContext.Current.SendDiagnosticMessage(
            $"old server: {old.RequestCount} requests, last one {(quietAfter - detachedAt).TotalMilliseconds:0} ms after the re-declaration");
        // Two watchdog periods of this cluster and more: no order, watchdog or reminder brings the crawl back.
        int settled = old.RequestCount;
        await Task.Delay(TimeSpan.FromSeconds(12), token);
        Assert.Equal(settled, old.RequestCount);
        Assert.True(settled < WholeTree, "the whole old storage was read despite the detachment");

        string oldKey = Declarations.KeyOf(first);
        var oldView = await Cluster.Grains.GetGrain<IStorageGrain>(oldKey).GetStatus();
        Assert.Equal(ScanStatus.Failed, oldView.Status);
        Assert.Equal(StorageGrain.StoppedError, oldView.LastError);
        Assert.Equal(0, await Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_scans WHERE storage_key = '{oldKey}' AND status = 'running'"));
        Assert.Equal(0, await Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_storage_attachments WHERE storage_key = '{oldKey}'"));

        // The deliverable now shows the new storage, crawled whole.
        var view = await Cluster.WaitUntilAttachedAsync(TimeSpan.FromSeconds(120), deliverable);
        Assert.Equal(ScanStatus.Succeeded, view.Status);
        var scan = (await grain.GetScan())!;
        Assert.Equal(Declarations.KeyOf(second), scan.Attachment.StorageKey);
        Assert.Equal(1, scan.Scan.LastSuccess!.Tiles);
        Assert.Contains(next.Log, r => r.Path == "/a.tif");
    }

    [Fact]
    public async Task One_of_two_deliverables_leaving_a_shared_storage_does_not_stop_its_scan()
    {
        var token = TestContext.Current.CancellationToken;
        await using var shared = SlowTree();
        await using var elsewhere = new HostileHttpServer(path => path == "/" ? HostileAnswer.Listing(path, []) : new HostileAnswer(404));
        string staying = "d-stay-" + Guid.NewGuid().ToString("N")[..6];
        string leaving = "d-leave-" + Guid.NewGuid().ToString("N")[..6];
        await Cluster.Grains.GetGrain<IDeliverableGrain>(staying)
            .DeclareStorage(new StorageDeclaration(staying, "http", Peers.Host, shared.Port, "/", null, null, true, true));
        var leaver = Cluster.Grains.GetGrain<IDeliverableGrain>(leaving);
        var declaration = new StorageDeclaration(leaving, "http", Peers.Host, shared.Port, "/f0/", null, null, true, true);
        await leaver.DeclareStorage(declaration);
        await WaitForFileReadsAsync(shared, 40, token);
        long scanNumber = (await Cluster.Grains.GetGrain<IStorageGrain>(Declarations.KeyOf(declaration)).GetStatus()).ScanNumber;

        await leaver.DeclareStorage(new StorageDeclaration(leaving, "http", Peers.Host, elsewhere.Port, "/", null, null, true, true));

        // The other deliverable is still attached: the same scan runs to its end and reads every file.
        var end = await Cluster.WaitForScanAsync(Declarations.KeyOf(declaration), scanNumber, TimeSpan.FromMinutes(5));
        Assert.Equal(scanNumber, end.ScanNumber);
        Assert.Equal(ScanStatus.Succeeded, end.Status);
        Assert.Equal(Folders.Length * Files.Length, shared.Log.Where(r => r.Path.EndsWith(".tif", StringComparison.Ordinal)).Select(r => r.Path).Distinct().Count());
    }

    private static async Task WaitForFileReadsAsync(HostileHttpServer server, int reads, CancellationToken token)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (server.Log.Count(r => r.Path.EndsWith(".tif", StringComparison.Ordinal)) < reads)
        {
            Assert.True(DateTime.UtcNow < deadline, "the scan did not start reading files");
            await Task.Delay(100, token);
        }
    }

    /// <summary>When the server last answered, once it has been asked nothing for 3 s (at most two minutes of waiting).</summary>
    private static async Task<DateTime> WaitUntilQuietAsync(HostileHttpServer server, CancellationToken token)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow - server.LastRequestAt!.Value < TimeSpan.FromSeconds(3))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the old server was still called two minutes later ({server.RequestCount} requests)");
            await Task.Delay(200, token);
        }
        return server.LastRequestAt!.Value;
    }
}
