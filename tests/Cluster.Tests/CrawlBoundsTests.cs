using Npgsql;
using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Hostile;

namespace Pcrs.Cluster.Tests;

/// <summary>One silo with a small per-scan directory budget (40), the other bounds at their defaults.</summary>
public sealed class CrawlBoundsFixture : IAsyncLifetime
{
    public const int DirectoryBudget = 40;

    public ScanCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await ScanCluster.StartAsync("bounds", silos: 1, maxConnections: 2,
        settings: new Dictionary<string, string?> { ["Scanning:MaxDirectoriesPerScan"] = DirectoryBudget.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Hostile and looping servers cannot make a crawl endless: an endless tree stops at Scanning:MaxDepth, a page served
/// for every path or a redirect to a parent is recognised as a loop from what the server lists, a wide tree stops at
/// the per-scan directory budget, and nginx/Apache following `loop -> .`, `up -> ..` and a link to /etc end with the
/// loops named and the real tile read. Each bound ends its branch with a named error; the rest of the scan goes on.
/// </summary>
public sealed class CrawlBoundsTests(CrawlBoundsFixture fixture) : IClassFixture<CrawlBoundsFixture>
{
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromSeconds(120);

    private ScanCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task An_endless_tree_stops_at_the_depth_bound_and_names_it()
    {
        // Every directory lists one new sub-directory (a different name at each level, so no listing repeats).
        await using var server = new HostileHttpServer(path =>
            path.EndsWith('/') ? HostileAnswer.Listing(path, [$"d{path.Count(c => c == '/')}/"]) : new HostileAnswer(404));
        var (view, key) = await ScanAsync("d-endless", server.Port);

        Assert.Equal(ScanStatus.Partial, view.Status); // a bound or a loop cut the tree short
        Assert.Contains("1 folder was not crawled: a crawl bound or a loop ended it", view.LastError);
        Assert.Contains("Scanning:MaxDepth", view.LastError);
        // Depths 0..32 listed (the default bound), the 33rd level refused before any request.
        Assert.InRange(server.Log.Count(r => r.Method == "GET"), 33, 34);
        var failed = await FailedDirectoriesAsync(key);
        var deepest = Assert.Single(failed);
        Assert.Equal(33, deepest.Path.Count(c => c == '/'));
        Assert.Contains("more than 32 levels below the start path (Scanning:MaxDepth)", deepest.Error);
    }

    [Fact]
    public async Task A_page_served_for_every_path_is_a_loop_after_one_level()
    {
        await using var server = new HostileHttpServer(path => HostileAnswer.Listing(path, ["d/", "readme.txt"]));
        var (view, key) = await ScanAsync("d-same-page", server.Port);

        Assert.Equal(ScanStatus.Partial, view.Status); // a bound or a loop cut the tree short
        Assert.Contains("Loop: \"/d\" lists exactly what \"/\" lists", view.LastError);
        Assert.Equal(2, server.Log.Count(r => r.Method == "GET"));
        Assert.Equal("/d", Assert.Single(await FailedDirectoriesAsync(key)).Path);
    }

    [Fact]
    public async Task A_redirect_to_a_parent_is_a_loop_and_the_sibling_is_still_crawled()
    {
        await using var server = new HostileHttpServer(path => path switch
        {
            "/" => HostileAnswer.Listing(path, ["a/", "b/"]),
            "/a/" => HostileAnswer.Redirect("/"),
            "/b/" => HostileAnswer.Listing(path, ["c/"]),
            "/b/c/" => HostileAnswer.Listing(path, ["notes.txt"]),
            _ => new HostileAnswer(404),
        });
        var (view, key) = await ScanAsync("d-redirect-up", server.Port);

        Assert.Equal(ScanStatus.Partial, view.Status); // a bound or a loop cut the tree short
        Assert.Contains("Loop: \"/a\" lists exactly what \"/\" lists", view.LastError);
        Assert.Equal("/a", Assert.Single(await FailedDirectoriesAsync(key)).Path);
        Assert.Contains(server.Log, r => r.Path == "/b/c/");
        Assert.Equal(4, view.Progress.Directories); // /, /a (failed), /b, /b/c
    }

    [Fact]
    public async Task A_wide_tree_stops_at_the_per_scan_directory_budget()
    {
        // 1 + 6 + 36 + 216 directories; the budget admits 40.
        await using var server = new HostileHttpServer(path =>
        {
            int depth = path.Count(c => c == '/') - 1;
            return depth >= 3
                ? HostileAnswer.Listing(path, ["leaf.txt"])
                : HostileAnswer.Listing(path, Enumerable.Range(0, 6).Select(i => $"w{depth}{i}/"));
        });
        var (view, key) = await ScanAsync("d-wide", server.Port);

        Assert.Equal(ScanStatus.Partial, view.Status); // a bound or a loop cut the tree short
        Assert.Contains("Scanning:MaxDirectoriesPerScan", view.LastError);
        var failed = await FailedDirectoriesAsync(key);
        Assert.NotEmpty(failed);
        Assert.All(failed, f => Assert.Contains("Crawl bound reached", f.Error));
        long admitted = await Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_directories WHERE storage_key = '{key}' AND NOT listing_failed");
        Assert.Equal(CrawlBoundsFixture.DirectoryBudget, admitted);
        // Refused directories were listed once (the budget is checked on what came back) and nothing below them.
        Assert.InRange(server.Log.Count(r => r.Method == "GET"), CrawlBoundsFixture.DirectoryBudget, CrawlBoundsFixture.DirectoryBudget * 7);
    }

    [Theory]
    [InlineData("nginx")]
    [InlineData("apache")]
    public async Task Links_to_self_parent_and_etc_on_a_real_server_end_with_the_loops_named(string peer)
    {
        // <root>/tree/ holds a tile and three links the web server follows: loop -> ., up -> .. (the start path) and /etc.
        using var tree = new ScratchTree($"hostile-links-{peer}-{Guid.NewGuid():N}"[..30]);
        tree.Copy("l93_rgb_tiled_lzw.tif", "/tree/tile.tif");
        File.CreateSymbolicLink(tree.Local("/tree/loop"), ".");
        File.CreateSymbolicLink(tree.Local("/tree/up"), "..");
        File.CreateSymbolicLink(tree.Local("/tree/etc"), "/etc");
        int port = peer == "nginx" ? Peers.Nginx : Peers.Apache;
        var declaration = new StorageDeclaration($"d-links-{peer}", "http", Peers.Host, port, tree.ServerPath + "/", null, null, true, true);
        string key = Declarations.KeyOf(declaration);
        await Cluster.Grains.GetGrain<IDeliverableGrain>(declaration.DeliverableId).DeclareStorage(declaration);
        var view = await Cluster.WaitUntilAttachedAsync(ScanTimeout, declaration.DeliverableId);

        Assert.Equal(ScanStatus.Partial, view.Status); // a bound or a loop cut the tree short
        Assert.NotNull(view.LastError);
        var failed = (await FailedDirectoriesAsync(key)).ToDictionary(f => f.Path, f => f.Error);
        Assert.StartsWith("Loop:", failed[tree.ServerPath + "/tree/loop"]);
        Assert.StartsWith("Loop:", failed[tree.ServerPath + "/tree/up"]);
        // The real tile was read, whatever /etc held.
        long tiles = await Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_tiles WHERE storage_key = '{key}' AND path = '{tree.ServerPath}/tree/tile.tif' AND error IS NULL AND epsg = 2154");
        Assert.Equal(1, tiles);
        // Bounded: the directories taken in stay within the budget, whatever the links lead to.
        long admitted = await Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_directories WHERE storage_key = '{key}' AND NOT listing_failed AND completed_scan = {view.ScanNumber}");
        Assert.InRange(admitted, 2, CrawlBoundsFixture.DirectoryBudget);
    }

    private async Task<(StorageScanView View, string Key)> ScanAsync(string deliverable, int port)
    {
        var declaration = new StorageDeclaration(deliverable + "-" + Guid.NewGuid().ToString("N")[..6], "http", Peers.Host, port, "/", null, null, true, true);
        string key = Declarations.KeyOf(declaration);
        await Cluster.Grains.GetGrain<IDeliverableGrain>(declaration.DeliverableId).DeclareStorage(declaration);
        return (await Cluster.WaitUntilAttachedAsync(ScanTimeout, declaration.DeliverableId), key);
    }

    private async Task<List<(string Path, string Error)>> FailedDirectoriesAsync(string key)
    {
        await using var command = Cluster.Database.DataSource.CreateCommand(
            "SELECT path, coalesce(listing_error, '') FROM pcrs_directories WHERE storage_key = $1 AND listing_failed ORDER BY path");
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        var failed = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            failed.Add((reader.GetString(0), reader.GetString(1)));
        return failed;
    }
}
