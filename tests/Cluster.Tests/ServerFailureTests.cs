using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Hostile;

namespace Pcrs.Cluster.Tests;

public sealed class ServerFailureFixture : IAsyncLifetime
{
    public ScanCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await ScanCluster.StartAsync("failure", silos: 1, maxConnections: 2);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// A server failing under a scan (5xx for every file, or gone mid-way) makes the scan end "partial" with the count of
/// what could not be read, never "succeeded"; the per-storage circuit stops spending the retry budget file by file; and
/// the next scan, with the server back, reads every one of those files again although their size and date did not change.
/// </summary>
public sealed class ServerFailureTests(ServerFailureFixture fixture) : IClassFixture<ServerFailureFixture>
{
    private const int Files = 200;
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromSeconds(180);
    private static readonly byte[] Tile = File.ReadAllBytes(Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));
    private static readonly string[] Names = Enumerable.Range(0, Files).Select(i => $"t{i:D3}.tif").ToArray();

    private ScanCluster Cluster => fixture.Cluster;

    private static HostileAnswer Serve(string path, Func<HostileAnswer> file) =>
        path == "/" ? HostileAnswer.Listing(path, Names, _ => Tile.Length)
        : Names.Contains(path.TrimStart('/')) ? file()
        : new HostileAnswer(404);

    [Fact]
    public async Task Server_errors_for_every_file_end_partial_fast_and_heal_at_the_next_scan()
    {
        bool down = true;
        await using var server = new HostileHttpServer(path => Serve(path, () => down ? new HostileAnswer(500, "boom") : HostileAnswer.File(Tile)));
        var (grain, key, scan) = await DeclareAsync("d-5xx", server.Port);

        var first = await Cluster.WaitForScanAsync(key, scan, ScanTimeout);
        Assert.Equal(ScanStatus.Partial, first.Status);
        Assert.Contains($"{Files} files could not be read", first.LastError);
        int fileRequests = server.Log.Count(r => r.Path != "/");
        TestContext.Current.SendDiagnosticMessage($"file requests while the server failed: {fileRequests} for {Files} files");
        // Without the circuit every file spends its 3 attempts (600 requests); with it, only the calls in flight when it opened.
        Assert.InRange(fileRequests, 1, Files - 1);

        down = false;
        int before = server.Log.Count;
        var second = await Cluster.WaitForScanAsync(key, (await grain.RequestScan())!.Scan.ScanNumber, ScanTimeout);
        Assert.Equal(ScanStatus.Succeeded, second.Status);
        Assert.Null(second.LastError);
        Assert.Equal(Files, await Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_tiles WHERE storage_key = '{key}' AND error IS NULL AND epsg = 2154"));
        Assert.Equal(Files, server.Log.Skip(before).Select(r => r.Path).Where(p => p != "/").Distinct().Count());

        // Healed for good: an unchanged rescan reads nothing.
        before = server.Log.Count;
        var third = await Cluster.WaitForScanAsync(key, (await grain.RequestScan())!.Scan.ScanNumber, ScanTimeout);
        Assert.Equal(ScanStatus.Succeeded, third.Status);
        Assert.DoesNotContain(server.Log.Skip(before), r => r.Path != "/");
    }

    [Fact]
    public async Task A_server_vanishing_mid_scan_ends_partial_with_the_count_and_a_rescan_heals_it()
    {
        int served = 0;
        HostileHttpServer? server = null;
        server = new HostileHttpServer(path => Serve(path, () =>
        {
            // Gone after 20 files: connections are refused from then on.
            if (Interlocked.Increment(ref served) == 20)
                server!.Vanish();
            return HostileAnswer.File(Tile);
        }));
        int port = server.Port;
        var (grain, key, scan) = await DeclareAsync("d-vanish", port);

        var first = await Cluster.WaitForScanAsync(key, scan, ScanTimeout);
        Assert.Equal(ScanStatus.Partial, first.Status);
        Assert.Contains("files could not be read", first.LastError);
        long unreadable = await Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_tiles WHERE storage_key = '{key}' AND error IS NOT NULL");
        Assert.InRange(unreadable, Files - 20, Files);
        Assert.Contains($"{unreadable} files could not be read", first.LastError);
        await server.DisposeAsync();

        // The same server comes back on the same port: the rescan reads every file that could not be read.
        await using var back = new HostileHttpServer(path => Serve(path, () => HostileAnswer.File(Tile)), port);
        var second = await Cluster.WaitForScanAsync(key, (await grain.RequestScan())!.Scan.ScanNumber, ScanTimeout);
        Assert.Equal(ScanStatus.Succeeded, second.Status);
        Assert.Equal(Files, await Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_tiles WHERE storage_key = '{key}' AND error IS NULL AND epsg = 2154"));
        Assert.Equal(unreadable, back.Log.Where(r => r.Path != "/").Select(r => r.Path).Distinct().Count());
    }

    private async Task<(IDeliverableGrain Grain, string Key, long Scan)> DeclareAsync(string deliverable, int port)
    {
        var declaration = new StorageDeclaration($"{deliverable}-{Guid.NewGuid():N}"[..20], "http", Peers.Host, port, "/", null, null, true, true);
        var grain = Cluster.Grains.GetGrain<IDeliverableGrain>(declaration.DeliverableId);
        var declared = await grain.DeclareStorage(declaration);
        return (grain, Declarations.KeyOf(declaration), declared.Scan.ScanNumber);
    }
}
