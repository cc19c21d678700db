using Microsoft.Extensions.DependencyInjection;
using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;

namespace Pcrs.Cluster.Tests;

/// <summary>
/// A silo stopped while its connection pool holds leases: the pool's lease watch ends when the silo starts stopping.
/// Before, the watch went on calling the StorageGrain while the silo shut down, and the messaging layer logged the call
/// it could no longer deliver ("Failed to address message … WatchConnectionLeases"; 2 runs of 2 before the fix).
/// </summary>
[Collection(ConnectionLimitCollection.Name)]
public sealed class SiloShutdownTests
{
    private const int Directories = 4;
    private const int FilesPerDirectory = 60;

    [Fact]
    public async Task StoppingASiloThatHoldsLeasesLogsNoStorageGrainCallErrors()
    {
        var logs = new LogCapture();
        var cluster = await ScanCluster.StartAsync("stop", silos: 1, maxConnections: 2, logs);
        ScanActivity activity;
        DateTime stoppedAt;
        try
        {
            using var tree = ScratchTree.Linked($"stop-ftp-{Guid.NewGuid().ToString("N")[..8]}", Directories, FilesPerDirectory, "l93_rgb_tiled_lzw.tif");
            var declaration = Declarations.Ftp(cluster, "d-stop-ftp", tree.ServerPath);
            var declared = await cluster.Grains.GetGrain<IDeliverableGrain>(declaration.DeliverableId).DeclareStorage(declaration);
            var done = await cluster.WaitForScanAsync(Declarations.KeyOf(declaration), declared.Scan.ScanNumber, TimeSpan.FromSeconds(150));
            Assert.Equal(ScanStatus.Succeeded, done.Status);
            Assert.Equal(Directories * FilesPerDirectory, done.LastSuccess!.Tiles);
            activity = cluster.Cluster.GetSiloServiceProvider(cluster.Cluster.Silos[0].SiloAddress).GetRequiredService<ScanActivity>();

            // Right after the scan the FTP pool keeps its idle connections, and their leases, for reuse (nobody else
            // waits), and watches them at the StorageGrain. Stop the silo.
            stoppedAt = DateTime.UtcNow;
            await cluster.Cluster.StopSiloAsync(cluster.Cluster.Silos[0], TestContext.Current.CancellationToken);
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        var afterStop = logs.Entries.Where(e => e.At >= stoppedAt).ToList();
        TestContext.Current.SendDiagnosticMessage(
            $"leases granted: {activity.LeasesGranted}; {afterStop.Count} warnings or errors while stopping:\n" +
            string.Join("\n", afterStop.Take(40)));
        Assert.True(activity.LeasesGranted > 0, "the silo never held a lease");
        // Other entries while the last silo stops are the test cluster's in-memory reminder table going away first.
        Assert.DoesNotContain(afterStop, e => e.Mentions("ConnectionLease") || e.Mentions("StorageGrain"));
    }
}
