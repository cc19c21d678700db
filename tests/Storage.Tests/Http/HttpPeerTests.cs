using Pcrs.Grains.Storage;
using Pcrs.TestSupport;
using static Pcrs.Storage.Tests.Http.HttpTestSupport;

namespace Pcrs.Storage.Tests.Http;

/// <summary>Listings and reads against the real nginx, Apache and lighttpd serving the peer data folder.</summary>
public sealed class HttpPeerTests
{
    public static TheoryData<string, int, string, bool, bool> Servers => new()
    {
        // name, port, URL prefix of the data root, shows dot files, sizes exact in listing
        { "nginx-html", Peers.Nginx, "", false, true },
        { "nginx-json", Peers.Nginx, "/json", false, true },
        { "nginx-xml", Peers.Nginx, "/xml", false, true },
        { "apache-fancy", Peers.Apache, "", true, false },
        { "apache-plain", Peers.Apache, "/plain", true, false },
        { "lighttpd", Peers.Lighttpd, "", false, false },
    };

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Lists_the_fixture_tree_like_the_local_folder(string server, int port, string prefix, bool dotFiles, bool exactSizes)
    {
        var ct = TestContext.Current.CancellationToken;
        var limiter = new CountingLimiter(2);
        await using var client = Client(PeerUrl(port), limiter);
        foreach (string folder in new[] { "tree", "fixtures" })
        {
            var remote = await ListTreeAsync(client, $"{prefix}/{folder}", ct);
            var local = LocalTree(Path.Combine(Peers.DataDir, folder), dotFiles);
            Assert.Equal(local.Keys, remote.Keys);
            foreach (var (path, size) in local)
            {
                var entry = remote[path];
                Assert.Equal(path.EndsWith('/') ? StorageEntryKind.Directory : StorageEntryKind.File, entry.Kind);
                if (size is null)
                    continue;
                if (server == "apache-plain")
                {
                    Assert.Null(entry.Size);
                    continue;
                }
                Assert.NotNull(entry.LastModified);
                Assert.NotNull(entry.Size);
                if (entry.SizeIsExact)
                {
                    Assert.Equal(size, entry.Size);
                }
                else
                {
                    Assert.False(exactSizes, $"{server}: {path} should have an exact size");
                    // Rounded to one decimal of K/M: within 10 % (or 0.1 K for tiny files).
                    Assert.InRange(entry.Size!.Value, (long)(size.Value * 0.9) - 110, (long)(size.Value * 1.1) + 110);
                }
            }
            if (exactSizes)
                Assert.All(remote.Values.Where(e => e.Kind == StorageEntryKind.File), e => Assert.True(e.SizeIsExact));
        }
        Assert.InRange(limiter.Peak, 1, 2);
        await limiter.WaitUntilNoneInUseAsync();
    }

    [Theory]
    [InlineData("nginx", 8081)]
    [InlineData("apache", 8082)]
    [InlineData("lighttpd", 8083)]
    public async Task Awkward_names_and_modification_times_match(string server, int port)
    {
        _ = server;
        var ct = TestContext.Current.CancellationToken;
        await using var client = Client(PeerUrl(port));
        var entries = await client.ListAsync("/tree/special", ct).ToListAsync(ct);
        string special = Path.Combine(Peers.TreeDir, "special");
        var names = entries.Select(e => e.Name).Order(StringComparer.Ordinal).ToArray();
        var expected = Directory.GetFiles(special).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, names);
        foreach (var entry in entries)
        {
            var local = File.GetLastWriteTimeUtc(Path.Combine(special, entry.Name));
            // Listings print minutes (nginx, Apache) or seconds (lighttpd), taken as UTC.
            Assert.InRange(entry.LastModified!.Value.UtcDateTime, local.AddMinutes(-1), local.AddMinutes(1));
        }
        var old = await client.ListAsync("/tree/L93/2019", ct).SingleAsync(ct);
        Assert.Equal(new DateTime(2019, 6, 15), old.LastModified!.Value.UtcDateTime.Date);
    }

    [Theory]
    [InlineData(8081)]
    [InlineData(8082)]
    [InlineData(8083)]
    public async Task Range_reads_match_local_bytes_with_the_exact_length(int port)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var client = Client(PeerUrl(port));
        foreach (string relative in new[] { "tree/special/Dalle 0652 6863 été & co #1 (copie) 100%.tif", "tree/special/world_file_pair.tfw", "tree/CC48/0652_6863.tif" })
        {
            byte[] local = await File.ReadAllBytesAsync(Path.Combine(Peers.DataDir, relative), ct);
            foreach (long offset in new long[] { 0, 8, local.Length - 100, local.Length - 10 }.Where(o => o >= 0))
            {
                var buffer = new byte[64];
                var result = await client.ReadRangeAsync("/" + relative, offset, buffer, ct);
                Assert.Equal(local.Length, result.TotalLength);
                int expected = (int)Math.Min(64, local.Length - offset);
                Assert.Equal(expected, result.BytesRead);
                Assert.Equal(local.AsSpan((int)offset, expected).ToArray(), buffer[..expected]);
            }
            var beyond = await client.ReadRangeAsync("/" + relative, local.Length + 10, new byte[8], ct);
            Assert.Equal(0, beyond.BytesRead);
        }
        Assert.True(client.RangesSupported);
    }

    [Fact]
    public async Task Stat_and_download_stream()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var client = Client(PeerUrl(Peers.Nginx));
        string relative = "tree/special/UPPER_CASE.TIF";
        byte[] local = await File.ReadAllBytesAsync(Path.Combine(Peers.DataDir, relative), ct);
        var stat = await client.StatAsync("/" + relative, ct);
        Assert.Equal(StorageEntryKind.File, stat!.Kind);
        Assert.Equal(local.Length, stat.Size);
        Assert.NotNull(stat.ETag);
        Assert.NotNull(stat.LastModified);
        Assert.Null(await client.StatAsync("/tree/nope.tif", ct));
        Assert.Equal(StorageEntryKind.Directory, (await client.StatAsync("/tree/special", ct))!.Kind);

        await using (var stream = await client.OpenReadAsync("/" + relative, 1000, ct))
        {
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy, ct);
            Assert.Equal(local.AsSpan(1000).ToArray(), copy.ToArray());
        }
        var missing = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/tree/nope", ct).ToListAsync(ct));
        Assert.Equal(StorageErrorKind.NotFound, missing.Kind);
    }

    [Fact]
    public async Task Loopback_is_refused_without_the_allow_list()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = LoopbackOptions();
        options.AllowedNetworks = [];
        await using var client = Client(PeerUrl(Peers.Nginx), options: options);
        var error = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/tree", ct).ToListAsync(ct));
        Assert.Equal(StorageErrorKind.AddressRefused, error.Kind);
        Assert.Contains("loopback", error.Message);
    }
}
