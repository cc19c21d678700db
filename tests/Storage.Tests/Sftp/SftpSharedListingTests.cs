using Microsoft.Extensions.Logging.Abstractions;
using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Pooling;
using Pcrs.Grains.Storage.Security;
using Pcrs.Grains.Storage.Sftp;
using Pcrs.TestSupport;

namespace Pcrs.Storage.Tests.Sftp;

/// <summary>
/// Directory listings share a session (several SFTP requests in flight on one channel): with one connection allowed,
/// many directories listed at once each get exactly their own entries, and the client never opens a second connection;
/// a directory that is missing or unreadable fails alone.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
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

    [Fact]
    public async Task A_missing_or_unreadable_directory_fails_alone_and_keeps_the_shared_session()
    {
        string root = Path.Combine(Peers.DataDir, "sftp-tests", Guid.NewGuid().ToString("N"));
        const int good = 12;
        for (int d = 0; d < good; d++)
        {
            string folder = Path.Combine(root, $"ok{d:D2}");
            Directory.CreateDirectory(folder);
            for (int f = 0; f <= d; f++)
                File.WriteAllBytes(Path.Combine(folder, $"f{f:D2}.bin"), new byte[d + f]);
        }
        for (int d = 0; d < 4; d++)
        {
            // The server runs the session as the peer account, which may not read a mode 000 folder (the test runs as root).
            string locked = Path.Combine(root, $"locked{d}");
            Directory.CreateDirectory(locked);
            File.WriteAllBytes(Path.Combine(locked, "hidden.bin"), new byte[7]);
            File.SetUnixFileMode(locked, UnixFileMode.None);
        }
        try
        {
            var limiter = new CountingLimiter(new LocalConnectionLimiter(1));
            await using var client = SftpTestSupport.NewClient(limiter: limiter, options: SftpTestSupport.Options(maxConnections: 1));
            string remote = "/sftp-tests/" + Path.GetFileName(root);
            string[] names = [.. Enumerable.Range(0, good).Select(d => $"ok{d:D2}"), "locked0", "locked1", "locked2", "locked3", "missing0", "missing1"];

            // Every directory three times at once, failures interleaved with the listings that share their session.
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 3 * names.Length).Select(async i =>
            {
                string name = names[i % names.Length];
                try
                {
                    return (name, Entries: await client.ListAsync($"{remote}/{name}", Ct).ToListAsync(Ct), Error: (StorageException?)null);
                }
                catch (StorageException error)
                {
                    return (name, Entries: (List<StorageEntry>?)null, Error: error);
                }
            }));

            foreach (var (name, entries, error) in outcomes)
            {
                if (name.StartsWith("ok", StringComparison.Ordinal))
                {
                    int d = int.Parse(name[2..], System.Globalization.CultureInfo.InvariantCulture);
                    Assert.Null(error);
                    Assert.Equal(Enumerable.Range(0, d + 1).Select(f => ($"f{f:D2}.bin", (long?)(d + f))), entries!.Select(e => (e.Name, e.Size)).Order());
                }
                else
                {
                    Assert.NotNull(error);
                    Assert.Equal(name.StartsWith("locked", StringComparison.Ordinal) ? StorageErrorKind.Authentication : StorageErrorKind.NotFound, error.Kind);
                    Assert.Contains(name, error.Message, StringComparison.Ordinal);
                }
            }
            // The server's refusals left the session in step: it was never closed and opened again.
            Assert.Equal(1, limiter.Acquired);
            Assert.Equal(1, client.OpenConnections);
        }
        finally
        {
            for (int d = 0; d < 4; d++)
                File.SetUnixFileMode(Path.Combine(root, $"locked{d}"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Sessions_use_aes_gcm_when_the_server_offers_it()
    {
        var options = SftpTestSupport.Options();
        var connector = new SftpConnector(SftpTestSupport.Location, new StorageCredentials(Peers.User, Peers.Password),
            new StorageTrust(false, [], new MemoryHostKeyStore()), new AddressGuard(options), options, NullLogger.Instance);
        using var session = await connector.ConnectAsync(Ct);

        // OpenSSH offers both AES-GCM and AES-CTR; SSH.NET alone would take AES-CTR with HMAC-SHA2.
        Assert.Equal(SftpConnector.PreferredCiphers[0], session.ConnectionInfo.CurrentClientEncryption);
        Assert.Equal(SftpConnector.PreferredCiphers[0], session.ConnectionInfo.CurrentServerEncryption);
        Assert.True(session.IsConnected);
    }

    /// <summary>Counts the leases a pool asked for: one per connection it opened.</summary>
    private sealed class CountingLimiter(IConnectionLimiter inner) : IConnectionLimiter
    {
        private int _acquired;

        public int Acquired => Volatile.Read(ref _acquired);

        public ValueTask<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _acquired);
            return inner.AcquireAsync(cancellationToken);
        }

        public void ReportTooManyConnections() => inner.ReportTooManyConnections();
    }
}
