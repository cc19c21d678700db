using System.Diagnostics;
using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Cluster.Tests;

/// <summary>
/// A file's time limit (Scanning:FileTimeout) covers reading its header, not waiting behind the rest of the storage for a
/// connection. Before the per-storage fan-out bound (FileFanOut), every directory sent up to 16 FileGrain calls at once,
/// so a wide tree on a slow link queued hundreds of calls behind the storage's few connections: the latency benchmark's
/// FTP scan behind +20 ms (run on that code, aaf050c) recorded 536 of 980 files as errors, and this test run on it
/// recorded 544 of its 1,024 files as "took longer than 1 s" (0 since the bound; the scan then takes 30-40 s here).
/// </summary>
[Collection(ConnectionLimitCollection.Name)]
public sealed class QueuedFileTimeoutTests
{
    private const int Directories = 64;
    private const int FilesPerDirectory = 16;

    [Fact]
    public async Task FilesQueuedBehindOneFtpConnectionDoNotTimeOut()
    {
        // One connection and a 5 s budget per file: 1,024 files take tens of seconds in all, so any file whose call started
        // long before a connection was free for it runs out of time. Two calls in flight per storage bound the wait in
        // the call to about one other file's read. (1 s was too little for one header read on a machine at load 50.)
        var settings = new Dictionary<string, string?>
        {
            ["Scanning:FileTimeout"] = "00:00:05",
            ["Scanning:FilesInFlightPerStorage"] = "2",
        };
        await using var cluster = await ScanCluster.StartAsync("queued-files", silos: 1, maxConnections: 1, settings: settings);
        using var tree = ScratchTree.Linked($"queued-ftp-{Guid.NewGuid().ToString("N")[..8]}", Directories, FilesPerDirectory, "l93_rgb_tiled_lzw.tif");
        var declaration = Declarations.Ftp(cluster, "d-queued-ftp", tree.ServerPath);
        string key = Declarations.KeyOf(declaration);

        var clock = Stopwatch.StartNew();
        var declared = await cluster.Grains.GetGrain<IDeliverableGrain>(declaration.DeliverableId).DeclareStorage(declaration);
        var done = await cluster.WaitForScanAsync(key, declared.Scan.ScanNumber, TimeSpan.FromSeconds(400));
        TestContext.Current.SendDiagnosticMessage(
            $"{Directories * FilesPerDirectory} FTP files over 1 connection: {clock.Elapsed.TotalSeconds:0.0} s, {done.LastSuccess?.Errors} errors");

        Assert.Equal(ScanStatus.Succeeded, done.Status);
        Assert.Equal(0, done.LastSuccess!.Errors);
        Assert.Equal(Directories * FilesPerDirectory, done.LastSuccess.Tiles);
        // Longer than one file's 5 s: the last files queued waited past their own limit.
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(5), $"the scan took only {clock.Elapsed.TotalSeconds:0.0} s: too short to show queueing");
    }
}
