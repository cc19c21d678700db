using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Cluster.Tests;

/// <summary>
/// A directory listed while the cluster fails around it (the crawl budget's grain on a silo that is stopping, as in a
/// rolling upgrade) is redone, not taken as a directory the server refused to list. Before, the budget call's
/// SiloUnavailableException ended the directory as "listed, failed" with none of its files, and the scan ended
/// succeeded without them (a rolling upgrade lost one directory of twelve in about one run of four).
/// </summary>
[Collection(ConnectionLimitCollection.Name)]
public sealed class ClusterFailureMidListingTests
{
    private const int Directories = 3;
    private const int FilesPerDirectory = 10;
    private const int Tiles = Directories * FilesPerDirectory;

    [Fact]
    public async Task A_directory_whose_budget_call_fails_is_redone_and_the_counts_are_exact()
    {
        int admits = 0;
        int injected = 0;
        await using var cluster = await ScanCluster.StartAsync("clusterfail", silos: 1, maxConnections: 2, configureSilo: silo =>
            silo.AddIncomingGrainCallFilter(context =>
            {
                // The root directory takes its listing from two budgets (its own, the storage's); the third Admit is
                // the first sub-directory's: it fails as a call to a silo that stopped does.
                if (context.InterfaceMethod.Name == nameof(ICrawlBudgetGrain.Admit) && Interlocked.Increment(ref admits) == 3)
                {
                    Interlocked.Increment(ref injected);
                    throw new SiloUnavailableException("Injected by the test: the crawl budget's silo stopped.");
                }
                return context.Invoke();
            }));
        using var tree = ScratchTree.Linked($"clusterfail-{Guid.NewGuid().ToString("N")[..8]}", Directories, FilesPerDirectory, "l93_rgb_tiled_lzw.tif");
        var declaration = Declarations.Ftp(cluster, "d-clusterfail", tree.ServerPath);
        var declared = await cluster.Grains.GetGrain<IDeliverableGrain>(declaration.DeliverableId).DeclareStorage(declaration);

        var done = await cluster.WaitForScanAsync(Declarations.KeyOf(declaration), declared.Scan.ScanNumber, TimeSpan.FromSeconds(240));

        Assert.Equal(1, injected);
        Assert.True(done.Status == ScanStatus.Succeeded, $"{done.Status}: {done.LastError}");
        Assert.Null(done.LastError);
        var summary = done.LastSuccess!;
        Assert.Equal((Tiles, Tiles, 0L, (long)Directories), (summary.Tiles, summary.FilesScanned, summary.Errors, summary.Directories));
        Assert.Equal(Tiles, done.Progress.Analysed);
        Assert.Equal(Tiles, await cluster.Database.ScalarAsync("SELECT count(*) FROM pcrs_tiles WHERE error IS NULL AND scan_number = 1"));
        Assert.Equal(0, await cluster.Database.ScalarAsync("SELECT count(*) FROM pcrs_directories WHERE listing_failed"));
    }
}
