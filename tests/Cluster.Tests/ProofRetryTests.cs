using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Hostile;

namespace Pcrs.Cluster.Tests;

/// <summary>
/// A proof whose catalogue write fails (a command timeout on a saturated database) leaves its declaration verifying. The
/// StorageGrain that ran it may never deactivate (callers polling its status keep it alive), so waiting for the next
/// activation left the storage queued for good; it now proves the declaration again after one watchdog period.
/// </summary>
public sealed class ProofRetryTests
{
    private static readonly byte[] Tile = File.ReadAllBytes(Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));

    [Fact]
    public async Task A_proof_whose_catalogue_write_failed_is_proven_again_while_its_grain_lives()
    {
        FailingCatalogue? failing = null;
        await using var cluster = await ScanCluster.StartAsync("proof-retry", silos: 1, maxConnections: 2,
            configureSilo: silo => FailingCatalogue.Install(silo.Services, nameof(ICatalogue.SetDeclarationStateAsync), failures: 1,
                created => failing = created));
        await using var server = new HostileHttpServer(path =>
            path == "/" ? HostileAnswer.Listing(path, ["a.tif"], _ => Tile.Length) : path == "/a.tif" ? HostileAnswer.File(Tile) : new HostileAnswer(404));
        string deliverable = "d-proof-retry-" + Guid.NewGuid().ToString("N")[..6];

        await cluster.Grains.GetGrain<IDeliverableGrain>(deliverable)
            .DeclareStorage(new StorageDeclaration(deliverable, "http", Peers.Host, server.Port, "/", null, null, true, true));

        // The cluster's watchdog period is 5 s (ScanCluster); a proof retried only on a new activation never ends here,
        // since this wait polls the grain every 250 ms.
        var view = await cluster.WaitUntilAttachedAsync(TimeSpan.FromSeconds(90), deliverable);
        Assert.Equal(1, failing!.Failed);
        Assert.Equal(ScanStatus.Succeeded, view.Status);
        Assert.Equal(1, view.LastSuccess!.Tiles);
        var scan = (await cluster.Grains.GetGrain<IDeliverableGrain>(deliverable).GetScan())!;
        Assert.Equal(DeclarationState.Proven, scan.Attachment.State);
    }
}
