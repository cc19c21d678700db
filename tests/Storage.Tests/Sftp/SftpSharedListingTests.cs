using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Pooling;
using Pcrs.TestSupport;

namespace Pcrs.Storage.Tests.Sftp;

/// <summary>
/// Directory listings share a session (several SFTP requests in flight on one channel): with one connection allowed,
/// many directories listed at once each get exactly their own entries, and the client never opens a second connection.
/// </summary>
public sealed class SftpSharedListingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Listings_in_flight_on_one_session_each_get_their_own_directory()
    {
        const int directories = 24;
        string root = Path.Combine(Peers.DataDir, "sftp-tests", Guid.NewGuid().ToString("N"));
        for (int d = 0; d < directories; d++)
        {
            // A different number of files per directory, so an answer matched to the wrong listing shows.
            string folder = Path.Combine(root, $"d{d:D2}");
            Directory.CreateDirectory(folder);
            for (int f = 0; f <= d * 7; f++)
                File.WriteAllBytes(Path.Combine(folder, $"f{d:D2}_{f:D3}.bin"), new byte[d + f]);
        }
        try
        {
            var limiter = new LocalConnectionLimiter(1);
            await using var client = SftpTestSupport.NewClient(limiter: limiter, options: SftpTestSupport.Options(maxConnections: 1));
            string remote = "/sftp-tests/" + Path.GetFileName(root);
            int peakLeases = 0;
            using var sampling = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peakLeases = Math.Max(peakLeases, limiter.ActiveCount);
                    await Task.Delay(5, CancellationToken.None);
                }
            }, CancellationToken.None);

            // Three rounds over every directory at once: listings join the shared session while others are in flight.
            var listings = Enumerable.Range(0, 3 * directories).Select(async i =>
            {
                int d = i % directories;
                var entries = await client.ListAsync($"{remote}/d{d:D2}", Ct).ToListAsync(Ct);
                return (d, entries);
            });
            var results = await Task.WhenAll(listings);
            await sampling.CancelAsync();
            await sampler;

            foreach (var (d, entries) in results)
            {
                var expected = Enumerable.Range(0, d * 7 + 1).Select(f => ($"f{d:D2}_{f:D3}.bin", (long?)(d + f)));
                Assert.Equal(expected, entries.Select(e => (e.Name, e.Size)).Order());
                Assert.All(entries, e => Assert.Equal(StorageEntryKind.File, e.Kind));
            }
            Assert.Equal(1, client.OpenConnections);
            Assert.InRange(peakLeases, 1, 1);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
