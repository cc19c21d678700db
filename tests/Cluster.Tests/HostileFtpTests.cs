using System.Globalization;
using Npgsql;
using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Storage.Ftp;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Hostile;

namespace Pcrs.Cluster.Tests;

/// <summary>
/// One silo, 4 connections per storage, a per-scan directory budget of 40, and a shorter operation timeout so a silent
/// server is given up in seconds rather than minutes (the other bounds at their defaults).
/// </summary>
public sealed class HostileFtpFixture : IAsyncLifetime
{
    public const int DirectoryBudget = 40;

    /// <summary>An operation (a reply, a listing) with no progress for this long fails, as a timeout (transient).</summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(10);

    public ScanCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await ScanCluster.StartAsync("hostile-ftp", silos: 1, maxConnections: 4,
        settings: new Dictionary<string, string?>
        {
            ["Scanning:MaxDirectoriesPerScan"] = DirectoryBudget.ToString(CultureInfo.InvariantCulture),
            ["Scanning:OperationTimeout"] = OperationTimeout.ToString(),
        });

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Issue 17's breaks over FTP, against the project's own scripted server (<see cref="HostileFtpServer"/>): endless depth,
/// a directory listing itself, replies that never end, 421 and 5xx, silence, dropped data connections and over-long
/// names. Each scan ends, each failed branch names its bound or error, the siblings are read, and another storage
/// (vsftpd) is scanned to its exact counts meanwhile. FtpOutageTests covers a real server (vsftpd) going down and the
/// rescan that heals it; this covers what only a scripted server can do.
/// </summary>
public sealed class HostileFtpTests(HostileFtpFixture fixture) : IClassFixture<HostileFtpFixture>
{
    /// <summary>Generous: each scan here lists at most DirectoryBudget folders and reads a handful of tiles.</summary>
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromMinutes(5);

    private static readonly byte[] Tile = File.ReadAllBytes(Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));

    private ScanCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task An_endless_tree_over_ftp_stops_at_the_depth_bound_and_names_it()
    {
        // Every directory lists one new sub-directory, named after its depth (no listing repeats an ancestor's).
        await using var server = new HostileFtpServer(path => HostileFtpAnswer.Listing([HostileFtpEntry.Folder($"d{Depth(path)}")]));
        var (view, key) = await ScanAsync("d-ftp-endless", server.Port);

        Assert.Equal(ScanStatus.Partial, view.Status);
        Assert.Contains("Scanning:MaxDepth", view.LastError);
        var deepest = Assert.Single(await FailedDirectoriesAsync(key));
        // Depths 0..MaxDepth (32, the default) listed, the next level refused before it is asked for.
        Assert.Equal(33, Depth(deepest.Path));
        Assert.Contains("more than 32 levels below the start path (Scanning:MaxDepth)", deepest.Error);
        // The declaration's proof lists the start path once (DeclarationProver), the scan each depth 0..32 once.
        Assert.Equal(2, server.Log.Count(c => c.Command == "MLSD /"));
        Assert.Equal(32, server.Log.Count(c => c.Command.StartsWith("MLSD /d", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_directory_listing_itself_is_a_loop_and_the_tile_beside_it_is_read()
    {
        // "/loop" lists exactly what "/" lists (a server following a link to "."): the same names, sizes and dates.
        HostileFtpEntry[] root = [HostileFtpEntry.File("tile.tif", Tile.Length), HostileFtpEntry.Folder("loop")];
        await using var server = new HostileFtpServer(path => path switch
        {
            "/tile.tif" => HostileFtpAnswer.File(Tile),
            "/" or "/loop" => HostileFtpAnswer.Listing(root),
            _ => HostileFtpAnswer.Missing,
        });
        var (view, key) = await ScanAsync("d-ftp-loop", server.Port);

        Assert.Equal(ScanStatus.Partial, view.Status);
        var failed = Assert.Single(await FailedDirectoriesAsync(key));
        Assert.Equal("/loop", failed.Path);
        Assert.StartsWith("Loop: \"/loop\" lists exactly what \"/\" lists", failed.Error);
        // "/" by the declaration's proof and the scan, "/loop" once, nothing below it.
        Assert.Equal(["MLSD /", "MLSD /", "MLSD /loop"], server.Log.Select(c => c.Command).Where(c => c.StartsWith("MLSD", StringComparison.Ordinal)));
        Assert.Equal(1, await TilesAsync(key, "path = '/tile.tif' AND error IS NULL AND epsg = 2154"));
    }

    [Fact]
    public async Task A_broken_server_ends_each_branch_with_its_error_while_another_storage_is_scanned()
    {
        var token = TestContext.Current.CancellationToken;
        string longFile = new string('f', 8_000) + ".tif", longFolder = new string('d', 9_000);
        await using var server = new HostileFtpServer(path => path switch
        {
            "/" => HostileFtpAnswer.Listing([
                HostileFtpEntry.File("ok.tif", Tile.Length), HostileFtpEntry.File(longFile, Tile.Length), HostileFtpEntry.Folder(longFolder),
                .. new[] { "endless", "busy", "refused", "silent", "cut", "fine" }.Select(HostileFtpEntry.Folder)]),
            "/ok.tif" or "/fine/inner.tif" => HostileFtpAnswer.File(Tile),
            "/endless" => new HostileFtpAnswer(Behaviour: HostileFtpBehaviour.EndlessReply),
            "/busy" => HostileFtpAnswer.Failure(421, "Too many users, closing control connection."),
            "/refused" => HostileFtpAnswer.Failure(550, "Permission denied."),
            "/silent" => new HostileFtpAnswer(Behaviour: HostileFtpBehaviour.Stall),
            "/cut" => new HostileFtpAnswer(Entries: Enumerable.Range(0, 50).Select(i => HostileFtpEntry.File($"c{i}.tif", 10)),
                Behaviour: HostileFtpBehaviour.DropData, DropAfterEntries: 5),
            "/fine" => HostileFtpAnswer.Listing([HostileFtpEntry.File("inner.tif", Tile.Length)]),
            _ => HostileFtpAnswer.Missing,
        });
        // Another storage, on a real server, declared while the hostile one is being crawled.
        const int NeighbourDirectories = 2, NeighbourFiles = 10;
        string id = Guid.NewGuid().ToString("N")[..8];
        string root = Path.Combine(Peers.DataDir, "hostile-ftp-neighbour", id);
        HardLinks.CreateTree(root, NeighbourDirectories, NeighbourFiles, Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));
        try
        {
            var hostile = Declare("d-ftp-broken", server.Port, "/", "pcrs", "secret");
            var neighbour = Declare("d-ftp-neighbour", Peers.VsftpdFtp, $"/hostile-ftp-neighbour/{id}", Peers.User, Peers.Password);
            long hostileScan = (await Cluster.Grains.GetGrain<IDeliverableGrain>(hostile.DeliverableId).DeclareStorage(hostile)).Scan.ScanNumber;
            // The hostile crawl is under way (its root and a first folder asked for) before the neighbour is declared.
            var deadline = DateTime.UtcNow + ScanTimeout;
            while (server.Listings < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, "the hostile crawl did not start");
                await Task.Delay(50, token);
            }
            long neighbourScan = (await Cluster.Grains.GetGrain<IDeliverableGrain>(neighbour.DeliverableId).DeclareStorage(neighbour)).Scan.ScanNumber;

            var other = await Cluster.WaitForScanAsync(Declarations.KeyOf(neighbour), Math.Max(neighbourScan, 1), ScanTimeout);
            Assert.Equal(ScanStatus.Succeeded, other.Status);
            Assert.Null(other.LastError);
            Assert.Equal(NeighbourDirectories * NeighbourFiles, await TilesAsync(Declarations.KeyOf(neighbour), "error IS NULL AND epsg = 2154"));

            string key = Declarations.KeyOf(hostile);
            var view = await Cluster.WaitForScanAsync(key, Math.Max(hostileScan, 1), ScanTimeout);
            var failed = (await FailedDirectoriesAsync(key)).ToDictionary(f => f.Path, f => f.Error);
            TestContext.Current.SendDiagnosticMessage($"broken server: {view.Status}: {view.LastError} | {string.Join(" | ", failed.Select(f => $"{f.Key}: {f.Value}"))}");
            Assert.Equal(ScanStatus.Partial, view.Status);
            // The transient failures (421, silence, a dropped data connection) are counted to be read again at the next
            // scan; the endless reply and the 550 are the server's answer about those folders.
            Assert.Contains("folders could not be read", view.LastError);
            Assert.Contains($"more than {FtpReplyReader.MaxLines} lines", failed["/endless"]);
            // 421 closes the control connection; under load the last attempt may instead time out waiting (both transient).
            Assert.True(failed["/busy"].Contains("421", StringComparison.Ordinal) || failed["/busy"].Contains("no progress", StringComparison.Ordinal), failed["/busy"]);
            Assert.Contains("550", failed["/refused"]);
            Assert.Contains("no progress for", failed["/silent"]);
            Assert.Contains("/cut", failed.Keys);
            Assert.DoesNotContain("/fine", failed.Keys);
            // The siblings of every failure are read; the over-long names are refused alone, named without being copied.
            Assert.Equal(2, await TilesAsync(key, "path IN ('/ok.tif', '/fine/inner.tif') AND error IS NULL AND epsg = 2154"));
            Assert.Contains("names are too long to be recorded", view.LastError);
            Assert.True(view.LastError!.Length < 2_000, "the error names the entries without copying them whole");
            // A broken folder is listed a bounded number of times: Scanning:MaxAttempts (3) for a transient failure.
            Assert.InRange(server.Log.Count(c => c.Command == "MLSD /busy"), 1, 3);
            // Nothing of a dropped listing is kept as if the folder held five files.
            Assert.Equal(0, await Cluster.Database.ScalarAsync($"SELECT count(*) FROM pcrs_entries WHERE storage_key = '{key}' AND parent_path = '/cut'"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private StorageDeclaration Declare(string deliverable, int port, string startPath, string user, string password) =>
        new(deliverable + "-" + Guid.NewGuid().ToString("N")[..6], "ftp", Peers.Host, port, startPath, user, Cluster.Protect(password), false, true);

    private async Task<(StorageScanView View, string Key)> ScanAsync(string deliverable, int port)
    {
        var declaration = Declare(deliverable, port, "/", "pcrs", "secret");
        await Cluster.Grains.GetGrain<IDeliverableGrain>(declaration.DeliverableId).DeclareStorage(declaration);
        return (await Cluster.WaitUntilAttachedAsync(ScanTimeout, declaration.DeliverableId), Declarations.KeyOf(declaration));
    }

    private static int Depth(string path) => path == "/" ? 0 : path.Count(c => c == '/');

    private Task<long> TilesAsync(string key, string condition) =>
        Cluster.Database.ScalarAsync($"SELECT count(*) FROM pcrs_tiles WHERE storage_key = '{key}' AND {condition}");

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
