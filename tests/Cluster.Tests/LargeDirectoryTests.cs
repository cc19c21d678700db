using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Hostile;

namespace Pcrs.Cluster.Tests;

/// <summary>
/// A directory of 150,000 entries (15 batches of Scanning:StreamedListingBatch) is streamed to the catalogue: the scan
/// completes, every entry is recorded, the tile listed first finds its world file listed last (another batch), and a
/// rescan after 50,000 entries and a sub-directory vanished deletes exactly those. Time and memory of the 1,000,000-entry
/// case are measured in tests/Benchmarks/LargeDirectory: the pages are served by another process, so the figures of
/// this process (idle, then peak during each scan) are the silo's.
/// </summary>
public sealed class LargeDirectoryTests(CrawlBoundsFixture fixture) : IClassFixture<CrawlBoundsFixture>
{
    /// <summary>Listed files besides the tile and its world file; tests/Benchmarks/LargeDirectory sets 1,000,000.</summary>
    private static readonly int Fillers = int.TryParse(Environment.GetEnvironmentVariable("PCRS_LARGE_DIRECTORY_FILLERS"), System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 3 ? n : 150_000;
    private static readonly int Vanishing = Fillers / 3;
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromMinutes(Fillers > 200_000 ? 30 : 4);
    private const string WorldFile = "0.2\n0\n0\n-0.2\n700000.1\n6600000.1\n";

    [Fact]
    public async Task A_directory_of_150000_entries_is_streamed_whole_and_a_rescan_deletes_what_vanished()
    {
        var token = TestContext.Current.CancellationToken;
        var tile = File.ReadAllBytes(Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));
        long sizeOf(string name) => name switch { "a.tif" => tile.Length, "a.tfw" => WorldFile.Length, _ => 1234 };
        // The pages are served by a process of its own and written straight to disk: this process's memory is the silo's.
        await using var server = await StaticPageServer.StartAsync(token);
        await server.WriteAsync("index.html", page => WriteListingAsync(page, ["a.tif", "sub/"], 0, sizeOf));
        await server.WriteAsync("sub/index.html", page => page.WriteAsync(HostileAnswer.Listing("/sub/", ["inner.tif"], _ => tile.Length).Body));
        await server.WriteAsync("a.tif", tile);
        await server.WriteAsync("sub/inner.tif", tile);
        await server.WriteAsync("a.tfw", System.Text.Encoding.ASCII.GetBytes(WorldFile));

        var memory = ProcessMemory.Start();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var declaration = new StorageDeclaration("d-large-" + Guid.NewGuid().ToString("N")[..6], "http", Peers.Host, server.Port, "/", null, null, true, true);
        string key = Declarations.KeyOf(declaration);
        var grain = fixture.Cluster.Grains.GetGrain<IDeliverableGrain>(declaration.DeliverableId);
        var declared = await grain.DeclareStorage(declaration);
        var first = await fixture.Cluster.WaitForScanAsync(key, declared.Scan.ScanNumber, ScanTimeout);
        var firstTime = clock.Elapsed;
        await memory.DisposeAsync();
        string firstMemory = memory.Report();

        Assert.True(first.Status == ScanStatus.Succeeded, $"{first.Status}: {first.LastError}");
        Assert.Null(first.LastError);
        Assert.Equal(Fillers + 3, await CountAsync($"parent_path = '/'", key));
        Assert.Equal(Fillers + 2 + 1, first.Progress.Files); // the fillers, a.tif, a.tfw and /sub/inner.tif
        Assert.Equal(2, await fixture.Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_tiles WHERE storage_key = '{key}' AND error IS NULL AND epsg = 2154"));
        // The world file came 150,001 entries after its tile, in the last batch: it is still the tile's sidecar.
        Assert.Equal(1, await fixture.Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_tiles WHERE storage_key = '{key}' AND path = '/a.tif' AND sidecar_signature LIKE 'a.tfw:%'"));

        await server.WriteAsync("index.html", page => WriteListingAsync(page, ["a.tif"], Vanishing, sizeOf));
        int before = server.RequestPaths().Count;
        memory = ProcessMemory.Start();
        clock.Restart();
        var second = await fixture.Cluster.WaitForScanAsync(key, (await grain.RequestScan())!.Scan.ScanNumber, ScanTimeout);
        await memory.DisposeAsync();
        // Measured, not asserted (tests/Benchmarks/LargeDirectory records them).
        TestContext.Current.SendDiagnosticMessage(System.FormattableString.Invariant(
            $"large-directory fillers={Fillers} first-scan={firstTime.TotalSeconds:F1}s {firstMemory} | rescan={clock.Elapsed.TotalSeconds:F1}s {memory.Report()}"));

        Assert.Equal(ScanStatus.Succeeded, second.Status);
        Assert.Equal(Fillers - Vanishing + 2, await CountAsync("parent_path = '/'", key));
        Assert.Equal(0, await CountAsync("path LIKE '/sub%'", key));
        Assert.Equal(0, await fixture.Cluster.Database.ScalarAsync($"SELECT count(*) FROM pcrs_tiles WHERE storage_key = '{key}' AND path LIKE '/sub%'"));
        Assert.Equal(0, await CountAsync($"path = '/f{Vanishing - 1:D6}.txt'", key));
        Assert.Equal(1, await CountAsync($"path = '/f{Vanishing:D6}.txt'", key));
        // Unchanged: the tile is not read again.
        Assert.DoesNotContain("/a.tif", server.RequestPaths().Skip(before));
    }

    /// <summary>
    /// Writes an nginx page listing <paramref name="first"/>, then the fillers from number <paramref name="skip"/> by name
    /// only (as a bare index lists them: 38 bytes an entry, so 1,000,000 of them stay within the 64 MiB page limit), then
    /// the world file a.tfw.
    /// </summary>
    private static async Task WriteListingAsync(TextWriter page, string[] first, int skip, Func<string, long> sizeOf)
    {
        string head = HostileAnswer.Listing("/", [.. first, "a.tfw"], sizeOf).Body;
        int tfw = head.IndexOf("<a href=\"a.tfw\"", StringComparison.Ordinal);
        await page.WriteAsync(head[..tfw]);
        for (int i = skip; i < Fillers; i++)
            await page.WriteAsync(System.FormattableString.Invariant($"<a href=\"f{i:D6}.txt\">f{i:D6}.txt</a>\n"));
        await page.WriteAsync(head[tfw..]);
    }

    private Task<long> CountAsync(string condition, string key) =>
        fixture.Cluster.Database.ScalarAsync($"SELECT count(*) FROM pcrs_entries WHERE storage_key = '{key}' AND {condition}");
}
