using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Hostile;

namespace Pcrs.Cluster.Tests;

public sealed class RevocationFixture : IAsyncLifetime
{
    public ScanCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await ScanCluster.StartAsync("revoke", silos: 2, maxConnections: 4);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Revoking a storage in the middle of its scan stops the work at once on every silo: the server's log goes silent within
/// seconds, the scan ends failed saying why, and neither the watchdog nor a reminder resumes it.
/// </summary>
public sealed class RevocationTests(RevocationFixture fixture) : IClassFixture<RevocationFixture>
{
    private static readonly byte[] Tile = File.ReadAllBytes(Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));

    [Fact]
    public async Task Revocation_mid_scan_silences_the_server_within_seconds_and_nothing_resumes_the_scan()
    {
        // 10 folders of 100 tiles, each file answered after 100 ms: the scan takes minutes at 4 connections.
        var folders = Enumerable.Range(0, 10).Select(i => $"f{i}/").ToArray();
        var files = Enumerable.Range(0, 100).Select(i => $"t{i:D3}.tif").ToArray();
        await using var server = new HostileHttpServer(path =>
            path == "/" ? HostileAnswer.Listing(path, folders)
            : path.EndsWith('/') ? HostileAnswer.Listing(path, files, _ => Tile.Length)
            : HostileAnswer.File(Tile) with { Delay = TimeSpan.FromMilliseconds(100) });
        var declaration = new StorageDeclaration("d-revoke-" + Guid.NewGuid().ToString("N")[..6], "http", Peers.Host, server.Port, "/", null, null, true, true);
        string key = Declarations.KeyOf(declaration);
        var grain = fixture.Cluster.Grains.GetGrain<IDeliverableGrain>(declaration.DeliverableId);
        await grain.DeclareStorage(declaration);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (server.Log.Count(r => r.Path.EndsWith(".tif", StringComparison.Ordinal)) < 40)
        {
            Assert.True(DateTime.UtcNow < deadline, "the scan did not start reading files");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        await grain.RevokeStorage();
        var revokedAt = DateTime.UtcNow;
        int atRevocation = server.RequestCount;

        // Watch the server for 12 s (more than two watchdog periods of this cluster).
        await Task.Delay(TimeSpan.FromSeconds(12), TestContext.Current.CancellationToken);
        var last = server.LastRequestAt!.Value;
        var after = server.Log.Where(r => r.At > revokedAt).ToList();
        TestContext.Current.SendDiagnosticMessage(
            $"requests before revocation: {atRevocation}; after: {after.Count}; last one {(last - revokedAt).TotalMilliseconds:0} ms after the revocation");
        Assert.True(last - revokedAt < TimeSpan.FromSeconds(5), $"the server was still called {(last - revokedAt).TotalSeconds:0.0} s after the revocation");
        Assert.True(server.RequestCount < 1_011, "the whole storage was read despite the revocation");

        var view = await fixture.Cluster.Grains.GetGrain<IStorageGrain>(key).GetStatus();
        Assert.Equal(ScanStatus.Failed, view.Status);
        Assert.Equal(StorageGrain.StoppedError, view.LastError);
        long running = await fixture.Cluster.Database.ScalarAsync($"SELECT count(*) FROM pcrs_scans WHERE storage_key = '{key}' AND status = 'running'");
        Assert.Equal(0, running);
    }
}
