using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning.Placement;
using Pcrs.TestSupport;

namespace Pcrs.Cluster.Tests;

/// <summary>One 3-silo cluster on PostgreSQL for the class; each test scans its own scratch tree on a different real server.</summary>
public sealed class ClusterScanFixture : IAsyncLifetime
{
    public ScanCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await ScanCluster.StartAsync("scan", silos: 3, maxConnections: 2);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class ClusterScanTests(ClusterScanFixture fixture) : IClassFixture<ClusterScanFixture>
{
    private ScanCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task LocalTreeIsCrawledWholeOnItsStoragesSiloWithExactCounts()
    {
        using var tree = ScratchTree.Standard("local-" + Guid.NewGuid().ToString("N")[..8]);
        var before = Cluster.Activities().Select(a => (a.DirectoriesListed, a.FilesAnalysed)).ToList();
        var deliverable = Cluster.Grains.GetGrain<IDeliverableGrain>("d-local");
        var declared = await deliverable.DeclareStorage(Declarations.Local("d-local", tree.Root));
        Assert.Equal("file://", declared.Attachment.StorageKey);

        var done = await Cluster.WaitUntilAttachedAsync(TimeSpan.FromSeconds(90), "d-local");
        Assert.Equal(ScanStatus.Succeeded, done.Status);

        var view = await deliverable.GetScan();
        var summary = view!.Scan.LastSuccess;
        Assert.NotNull(summary);
        Assert.Equal(tree.FileCount, summary.FilesScanned);
        Assert.Equal(tree.DirectoryCount, summary.Directories);
        Assert.Equal(ScratchTree.StandardFiles.Count - 1, summary.Tiles);
        Assert.Equal(1, summary.Errors);
        Assert.Equal("GeoTIFF", summary.Format);
        Assert.Equal(2154, summary.Epsg);
        Assert.Equal("RGF93 v1 / Lambert-93", summary.Projection);
        Assert.Equal(["Red", "Green", "Blue"], summary.Bands);
        Assert.Equal(ScratchTree.StandardFiles.Keys.Sum(p => new FileInfo(tree.Local(p)).Length), summary.TotalBytes);

        // Each directory listed and each header read exactly once over the cluster, all of them on the one silo that
        // storage placement names for the storage: its crawl never crossed silos. (Random placement put the tree's
        // directories and file shards on all three silos; the chance of them all landing on one is far below 1e-6.)
        var activities = Cluster.Activities();
        Assert.Equal(3, activities.Count);
        var deltas = activities.Select((a, i) => (Dirs: a.DirectoriesListed - before[i].DirectoriesListed, Files: a.FilesAnalysed - before[i].FilesAnalysed)).ToList();
        Assert.Equal(tree.DirectoryCount + 1, deltas.Sum(d => d.Dirs));
        Assert.Equal(ScratchTree.StandardFiles.Count, deltas.Sum(d => d.Files));
        var silos = Cluster.Cluster.Silos.Select(s => s.SiloAddress).ToList();
        int home = silos.IndexOf(StorageSilos.Choose(declared.Attachment.StorageKey, silos));
        Assert.Equal((tree.DirectoryCount + 1, ScratchTree.StandardFiles.Count), (deltas[home].Dirs, deltas[home].Files));

        // Rows are keyed by (storage, path): exactly one tile per data file of this tree.
        Assert.Equal(ScratchTree.StandardFiles.Count,
            await Cluster.Database.ScalarAsync($"SELECT count(*) FROM pcrs_tiles WHERE path LIKE '{tree.Root}/%'"));
    }

    [Fact]
    public async Task TwoDeliverablesOnOneStorageAreCrawledOnceAndEachDirectoryListedOnce()
    {
        using var tree = ScratchTree.Standard("dedup-" + Guid.NewGuid().ToString("N")[..8]);
        var log = new ServerLog(Path.Combine(Peers.LogsDir, "nginx-access.log"));
        var whole = Declarations.Http("d-http-whole", tree.ServerPath);
        var nested = Declarations.Http("d-http-nested", tree.ServerPath + "/a");
        string key = Declarations.KeyOf(whole);
        Assert.Equal(key, Declarations.KeyOf(nested));

        await Cluster.Grains.GetGrain<IDeliverableGrain>("d-http-nested").DeclareStorage(nested);
        await Cluster.Grains.GetGrain<IDeliverableGrain>("d-http-whole").DeclareStorage(whole);
        // Each declaration is proven on its own first; the scans they started are over when this returns.
        await Cluster.WaitUntilAttachedAsync(TimeSpan.FromSeconds(120), "d-http-nested", "d-http-whole");
        await log.TakeAsync(tree.ServerPath);

        // With both deliverables attached, one scan crawls one root (the nested start path is inside the other).
        var requested = await Cluster.Grains.GetGrain<IDeliverableGrain>("d-http-nested").RequestScan();
        var done = await Cluster.WaitForScanAsync(key, requested!.Scan.ScanNumber, TimeSpan.FromSeconds(120));
        Assert.Equal(ScanStatus.Succeeded, done.Status);
        var listings = (await log.TakeAsync(tree.ServerPath)).Where(l => l.Contains("/ HTTP/", StringComparison.Ordinal) && l.Contains("\"GET ", StringComparison.Ordinal)).ToList();
        var perDirectory = listings.GroupBy(l => l.Split('"')[1]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(tree.DirectoryCount + 1, perDirectory.Count);
        Assert.All(perDirectory, p => Assert.Equal(1, p.Value));

        var wholeView = await Cluster.Grains.GetGrain<IDeliverableGrain>("d-http-whole").GetScan();
        var nestedView = await Cluster.Grains.GetGrain<IDeliverableGrain>("d-http-nested").GetScan();
        Assert.Equal(ScratchTree.StandardFiles.Count - 1, wholeView!.Scan.LastSuccess!.Tiles);
        Assert.Equal(ScratchTree.StandardFiles.Keys.Count(p => p.StartsWith("/a/", StringComparison.Ordinal)), nestedView!.Scan.LastSuccess!.Tiles);
        Assert.NotEmpty(perDirectory);
    }

    [Fact]
    public async Task RescanReadsNothingUnchangedAndFollowsChangesAddsAndDeletes()
    {
        using var tree = ScratchTree.Standard("incr-" + Guid.NewGuid().ToString("N")[..8]);
        var log = new ServerLog(Path.Combine(Peers.LogsDir, "apache2-access.log"));
        var declaration = new StorageDeclaration("d-incr", "http", Peers.Host, Peers.Apache, tree.ServerPath + "/", null, null, false, false);
        string key = Declarations.KeyOf(declaration);
        var deliverable = Cluster.Grains.GetGrain<IDeliverableGrain>("d-incr");
        await deliverable.DeclareStorage(declaration);
        var first = await Cluster.WaitUntilAttachedAsync(TimeSpan.FromSeconds(120), declaration.DeliverableId);
        Assert.Equal(ScanStatus.Succeeded, first.Status);
        var firstReads = (await log.TakeAsync(tree.ServerPath)).Where(IsFileRequest).ToList();
        Assert.True(firstReads.Count >= ScratchTree.StandardFiles.Count, "the first scan did not read the files");
        // Apache's FancyIndexing rounds sizes ("2.7M"): the stored size is the exact one the reads' Content-Range gave.
        var stored = new Pcrs.Grains.Catalogue.PostgresCatalogue(Cluster.Database.DataSource);
        foreach (string path in ScratchTree.StandardFiles.Keys)
        {
            var tile = await stored.GetTileAsync(key, tree.ServerPath + path, TestContext.Current.CancellationToken);
            Assert.Equal(new FileInfo(tree.Local(path)).Length, tile!.Size);
            Assert.Equal("http-response", tile.FactsSource);
        }
        Assert.Equal(ScratchTree.StandardFiles.Keys.Sum(p => new FileInfo(tree.Local(p)).Length), first.LastSuccess!.TotalBytes);

        // Unchanged rescan: listings only, not one request for file content.
        var second = await Cluster.WaitForScanAsync(key, (await deliverable.RequestScan())!.Scan.ScanNumber, TimeSpan.FromSeconds(120));
        Assert.Equal(ScanStatus.Succeeded, second.Status);
        Assert.DoesNotContain(await log.TakeAsync(tree.ServerPath), IsFileRequest);
        Assert.Equal(0, second.Progress.Analysed);
        Assert.Equal(0, second.Progress.BytesRead);
        Assert.Equal(ScratchTree.StandardFiles.Count, second.Progress.Unchanged);

        // A changed file is re-read, a deleted one disappears, an added one appears.
        tree.Copy("l93_rgbi_4band_tiled_deflate.tif", "/a/l93_1.tif");
        File.SetLastWriteTimeUtc(tree.Local("/a/l93_1.tif"), new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc));
        File.Delete(tree.Local("/b/cc48.tif"));
        tree.Copy("l93_rgb_strip_none.tif", "/b/added.tif");
        var third = await Cluster.WaitForScanAsync(key, (await deliverable.RequestScan())!.Scan.ScanNumber, TimeSpan.FromSeconds(120));
        Assert.Equal(ScanStatus.Succeeded, third.Status);
        var reads = (await log.TakeAsync(tree.ServerPath)).Where(IsFileRequest).Select(l => l.Split('"')[1].Split(' ')[1]).Distinct().Order().ToList();
        Assert.Equal([tree.ServerPath + "/a/l93_1.tif", tree.ServerPath + "/b/added.tif"], reads);
        Assert.Equal(2, third.Progress.Analysed);

        var catalogue = new Pcrs.Grains.Catalogue.PostgresCatalogue(Cluster.Database.DataSource);
        var changed = await catalogue.GetTileAsync(key, tree.ServerPath + "/a/l93_1.tif", TestContext.Current.CancellationToken);
        Assert.Equal(4, changed!.Bands);
        Assert.Null(await catalogue.GetTileAsync(key, tree.ServerPath + "/b/cc48.tif", TestContext.Current.CancellationToken));
        Assert.NotNull(await catalogue.GetTileAsync(key, tree.ServerPath + "/b/added.tif", TestContext.Current.CancellationToken));
        Assert.Equal(ScratchTree.StandardFiles.Count - 1, third.LastSuccess!.Tiles);
    }

    /// <summary>
    /// Whatever the listing rounds (lighttpd "2.7M", webfs "2795 kB", Caddy "2.7 MiB") or leaves out (Python's http.server
    /// prints names only), the first scan stores each file's exact size from the protocol, and a rescan of the unchanged
    /// tree reads no byte of any file: rounded listing facts are compared with the listing's own earlier facts, and a
    /// listing without dates is checked with one HEAD per data file.
    /// </summary>
    [Theory]
    [InlineData("lighttpd")]
    [InlineData("webfs")]
    [InlineData("caddy")]
    [InlineData("python-http.server")]
    public async Task ExactSizesFromAnyListingAndAnUnchangedRescanReadsNothing(string server)
    {
        int port = server switch
        {
            "lighttpd" => Peers.Lighttpd,
            "webfs" => Peers.Webfs,
            "caddy" => Peers.Caddy,
            _ => Peers.PythonHttp,
        };
        using var tree = ScratchTree.Standard("any-" + Guid.NewGuid().ToString("N")[..8]);
        var declaration = new StorageDeclaration("d-any-" + server, "http", Peers.Host, port, tree.ServerPath + "/", null, null, false, false);
        string key = Declarations.KeyOf(declaration);
        var deliverable = Cluster.Grains.GetGrain<IDeliverableGrain>("d-any-" + server);
        await deliverable.DeclareStorage(declaration);
        var first = await Cluster.WaitUntilAttachedAsync(TimeSpan.FromSeconds(120), declaration.DeliverableId);
        Assert.Equal(ScanStatus.Succeeded, first.Status);
        var catalogue = new Pcrs.Grains.Catalogue.PostgresCatalogue(Cluster.Database.DataSource);
        foreach (string path in ScratchTree.StandardFiles.Keys)
        {
            var tile = await catalogue.GetTileAsync(key, tree.ServerPath + path, TestContext.Current.CancellationToken);
            Assert.Equal(new FileInfo(tree.Local(path)).Length, tile!.Size);
            Assert.Equal("http-response", tile.FactsSource);
        }
        Assert.Equal(ScratchTree.StandardFiles.Keys.Sum(p => new FileInfo(tree.Local(p)).Length), first.LastSuccess!.TotalBytes);

        var second = await Cluster.WaitForScanAsync(key, (await deliverable.RequestScan())!.Scan.ScanNumber, TimeSpan.FromSeconds(120));
        Assert.Equal(ScanStatus.Succeeded, second.Status);
        Assert.Equal(0, second.Progress.Analysed);
        Assert.Equal(0, second.Progress.BytesRead);
        Assert.Equal(ScratchTree.StandardFiles.Count, second.Progress.Unchanged);
    }

    /// <summary>
    /// A FileGrain call retried after its answer was lost (a call timeout, a dead silo) does not read the file again when
    /// the first attempt's row for this scan is in the catalogue; a first attempt, or a retry in a later scan, reads it.
    /// </summary>
    [Fact]
    public async Task ARetriedFileAnalysisReadsNothingTheFirstAttemptRecorded()
    {
        using var tree = ScratchTree.Standard("retry-" + Guid.NewGuid().ToString("N")[..8]);
        var log = new ServerLog(Path.Combine(Peers.LogsDir, "nginx-access.log"));
        var declaration = Declarations.Http("d-retry", tree.ServerPath);
        string key = Declarations.KeyOf(declaration);
        await Cluster.Grains.GetGrain<IDeliverableGrain>("d-retry").DeclareStorage(declaration);
        var done = await Cluster.WaitUntilAttachedAsync(TimeSpan.FromSeconds(120), declaration.DeliverableId);
        Assert.Equal(ScanStatus.Succeeded, done.Status);
        await log.TakeAsync(tree.ServerPath);

        string path = tree.ServerPath + "/a/l93_1.tif";
        var catalogue = new Pcrs.Grains.Catalogue.PostgresCatalogue(Cluster.Database.DataSource);
        var row = (await catalogue.GetTileAsync(key, path, TestContext.Current.CancellationToken))!;
        // The order the DirectoryGrain sent: the listing's facts (nginx prints exact sizes, times to the minute), not the
        // exact ones the read stored.
        var children = await catalogue.GetChildrenAsync(key, tree.ServerPath + "/a", TestContext.Current.CancellationToken);
        var listed = children.Single(k => k.Entry.Path == path).Entry;
        var order = new FileAnalysisOrder(done.ScanNumber, listed.Size, listed.ModifiedAt, listed.ETag, [], row.SidecarSignature, IsRetry: true,
            SizeIsExact: true, FactsSource: "http-listing");
        var file = Cluster.Grains.GetGrain<IFileGrain>(ScanKeys.File(key, path));

        var retried = await file.Analyse(order);
        Assert.Equal((row.BytesRead, (string?)null, row.Format), (retried.BytesRead, retried.Error, retried.Format));
        Assert.DoesNotContain(await log.TakeAsync(path), IsFileRequest);

        // The same order as a first attempt, and a retry for the next scan number, do read the header.
        await file.Analyse(order with { IsRetry = false });
        await file.Analyse(order with { ScanNumber = done.ScanNumber + 1 });
        Assert.Equal(2, (await log.TakeAsync(path)).Count(IsFileRequest));
    }

    private static bool IsFileRequest(string line) =>
        line.Contains("\"GET ", StringComparison.Ordinal) && !line.Contains("/ HTTP/", StringComparison.Ordinal) ||
        line.Contains("\"HEAD ", StringComparison.Ordinal);
}
