using System.Globalization;
using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Hostile;

namespace Pcrs.Cluster.Tests;

/// <summary>One silo whose storages may list 60 directories per scan, and each start path 25 of them.</summary>
public sealed class DeliverableBudgetFixture : IAsyncLifetime
{
    public const int StorageBudget = 60;
    public const int DeliverableBudget = 25;

    public ScanCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await ScanCluster.StartAsync("budgets", silos: 1, maxConnections: 2,
        settings: new Dictionary<string, string?>
        {
            ["Scanning:MaxDirectoriesPerScan"] = StorageBudget.ToString(CultureInfo.InvariantCulture),
            ["Scanning:MaxDirectoriesPerDeliverable"] = DeliverableBudget.ToString(CultureInfo.InvariantCulture),
        });

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Crawl bounds hold per deliverable as well as per storage: two deliverables on one account, one start path an endless
/// wide tree, the other a small tree of tiles. The hostile start path stops at its own bound (named), well before the
/// storage's, so the other deliverable is crawled whole in the same scan, with no error of its own, and shows succeeded
/// while the hostile one shows partial.
/// </summary>
public sealed class DeliverableBudgetTests(DeliverableBudgetFixture fixture) : IClassFixture<DeliverableBudgetFixture>
{
    private static readonly byte[] Tile = File.ReadAllBytes(Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));

    private ScanCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_hostile_start_path_stops_at_its_own_bound_and_the_other_deliverable_is_crawled_whole()
    {
        await using var server = new HostileHttpServer(path =>
        {
            int depth = path.Count(c => c == '/') - 1;
            if (path.StartsWith("/evil/", StringComparison.Ordinal))
            {
                // Six new folders in every folder, their names changing with the depth (not a loop): endless.
                return HostileAnswer.Listing(path, Enumerable.Range(0, 6).Select(i => $"e{depth}-{i}/"));
            }
            return path switch
            {
                "/good/" => HostileAnswer.Listing(path, ["g0/", "g1/", "g2/"]),
                "/good/g0/" or "/good/g1/" or "/good/g2/" => HostileAnswer.Listing(path, ["a.tif", "b.tif"], _ => Tile.Length),
                _ when path.StartsWith("/good/", StringComparison.Ordinal) && path.EndsWith(".tif", StringComparison.Ordinal) => HostileAnswer.File(Tile),
                _ => new HostileAnswer(404),
            };
        });
        string suffix = Guid.NewGuid().ToString("N")[..6];
        var evil = new StorageDeclaration("d-evil-" + suffix, "http", Peers.Host, server.Port, "/evil/", null, null, true, true);
        var good = new StorageDeclaration("d-good-" + suffix, "http", Peers.Host, server.Port, "/good/", null, null, true, true);
        string key = Declarations.KeyOf(evil);
        Assert.Equal(key, Declarations.KeyOf(good)); // one account, one shared crawl
        await Cluster.Grains.GetGrain<IDeliverableGrain>(evil.DeliverableId).DeclareStorage(evil);
        await Cluster.Grains.GetGrain<IDeliverableGrain>(good.DeliverableId).DeclareStorage(good);

        var storage = await Cluster.WaitUntilAttachedAsync(TimeSpan.FromSeconds(180), evil.DeliverableId, good.DeliverableId);
        long scan = storage.ScanNumber;
        Assert.Equal(ScanStatus.Partial, storage.Status); // the hostile branch was cut short
        Assert.Contains("Scanning:MaxDirectoriesPerDeliverable", storage.LastError);

        // The hostile start path took exactly its own budget; its refused folders name that bound, never the storage's.
        Assert.Equal(DeliverableBudgetFixture.DeliverableBudget, await Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_directories WHERE storage_key = '{key}' AND path LIKE '/evil%' AND completed_scan = {scan} AND NOT listing_failed"));
        long refused = await Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_directories WHERE storage_key = '{key}' AND completed_scan = {scan} AND listing_failed");
        Assert.True(refused > 0, "no folder of the hostile tree was refused");
        Assert.Equal(refused, await Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_directories WHERE storage_key = '{key}' AND completed_scan = {scan} AND listing_failed " +
            "AND path LIKE '/evil/%' AND listing_error LIKE '%the scan root already took in 25 directories (Scanning:MaxDirectoriesPerDeliverable)%'"));

        // The other deliverable, in the same scan: every folder listed and every tile read, no error of its own.
        Assert.Equal(4, await Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_directories WHERE storage_key = '{key}' AND path LIKE '/good%' AND completed_scan = {scan} AND NOT listing_failed"));
        Assert.Equal(6, await Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_tiles WHERE storage_key = '{key}' AND path LIKE '/good/%' AND error IS NULL AND epsg = 2154"));
        var goodView = (await Cluster.Grains.GetGrain<IDeliverableGrain>(good.DeliverableId).GetScan())!;
        // Its status follows its own start path: the bound hit under the other one's path does not make it partial.
        Assert.Equal(ScanStatus.Succeeded, goodView.Scan.Status);
        Assert.Null(goodView.Scan.LastError);
        Assert.Equal(6, goodView.Scan.Progress.Analysed + goodView.Scan.Progress.Unchanged);
        var evilView = (await Cluster.Grains.GetGrain<IDeliverableGrain>(evil.DeliverableId).GetScan())!;
        Assert.Equal(ScanStatus.Partial, evilView.Scan.Status);
        Assert.Contains("not crawled: a crawl bound or a loop ended them", evilView.Scan.LastError);
        Assert.Contains("Scanning:MaxDirectoriesPerDeliverable", evilView.Scan.LastError);
    }
}
