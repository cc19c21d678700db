using System.Diagnostics;
using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Pooling;
using Pcrs.TestSupport;

namespace Pcrs.Storage.Tests.Sftp;

public sealed class SftpStorageClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Recursive_listing_equals_the_local_tree()
    {
        await using var client = SftpTestSupport.NewClient();
        var remote = new SortedDictionary<string, StorageEntry>(StringComparer.Ordinal);
        await WalkAsync(client, "/tree", remote);

        var local = new SortedDictionary<string, (StorageEntryKind Kind, long? Size, DateTimeOffset Modified)>(StringComparer.Ordinal);
        foreach (var info in new DirectoryInfo(Peers.TreeDir).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.None }))
        {
            string path = "/tree/" + Path.GetRelativePath(Peers.TreeDir, info.FullName).Replace('\\', '/');
            var kind = info.LinkTarget is not null ? StorageEntryKind.Link : info is DirectoryInfo ? StorageEntryKind.Directory : StorageEntryKind.File;
            long? size = kind == StorageEntryKind.File ? ((FileInfo)info).Length : null;
            local[path] = (kind, size, TruncateToSeconds(info.LastWriteTimeUtc));
        }

        Assert.True(local.Count >= 20, $"the fixture tree looks incomplete ({local.Count} entries)");
        Assert.Equal(local.Keys, remote.Keys);
        foreach (var (path, expected) in local)
        {
            var entry = remote[path];
            Assert.Equal(expected.Kind, entry.Kind);
            if (expected.Kind == StorageEntryKind.File)
                Assert.Equal(expected.Size, entry.Size);
            Assert.Equal(expected.Modified, entry.LastModified);
        }
        Assert.Contains("/tree/special/Dalle 0652 6863 été & co #1 (copie) 100%.tif", remote.Keys);
        Assert.Contains("/tree/L93/2023/D075/empty_dir_sibling/.keep", remote.Keys);
    }

    [Fact]
    public async Task Range_reads_return_the_local_bytes_and_the_exact_length()
    {
        string local = Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw_ifd_at_end.tif");
        byte[] expected = await File.ReadAllBytesAsync(local, Ct);
        await using var client = SftpTestSupport.NewClient();

        foreach (var (offset, count) in new (long, int)[] { (0, 16), (0, 16384), (123_457, 70_000), (expected.Length - 100, 100), (expected.Length - 10, 4096) })
        {
            var buffer = new byte[count];
            var result = await client.ReadRangeAsync("/fixtures/l93_rgb_tiled_lzw_ifd_at_end.tif", offset, buffer, Ct);
            int available = (int)Math.Min(count, expected.Length - offset);
            Assert.Equal(available, result.BytesRead);
            Assert.Equal(expected.Length, result.TotalLength);
            Assert.Equal(expected.AsSpan((int)offset, available).ToArray(), buffer.AsSpan(0, available).ToArray());
        }

        var past = await client.ReadRangeAsync("/fixtures/l93_rgb_tiled_lzw_ifd_at_end.tif", expected.Length + 5, new byte[10], Ct);
        Assert.Equal(0, past.BytesRead);
    }

    [Fact]
    public async Task Stream_from_an_offset_returns_the_rest_of_the_file_and_frees_its_connection()
    {
        string name = "l93_rgb_strip_deflate.tif";
        byte[] expected = await File.ReadAllBytesAsync(Path.Combine(Peers.FixturesDir, name), Ct);
        await using var client = SftpTestSupport.NewClient(options: SftpTestSupport.Options(maxConnections: 1));
        const int offset = 1000;
        await using (var stream = await client.OpenReadAsync("/fixtures/" + name, offset, Ct))
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, Ct);
            Assert.Equal(expected.AsSpan(offset).ToArray(), copy.ToArray());
        }

        // The only connection went back to the pool: the next call does not wait for it.
        var stat = await client.StatAsync("/fixtures/" + name, Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.NotNull(stat);
        Assert.Equal(expected.Length, stat.Size);
        Assert.Equal(StorageEntryKind.File, stat.Kind);
    }

    [Fact]
    public async Task Missing_paths_are_not_found()
    {
        await using var client = SftpTestSupport.NewClient();
        Assert.Null(await client.StatAsync("/fixtures/does_not_exist.tif", Ct));
        var listing = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/no/such/dir", Ct).ToListAsync(Ct));
        Assert.Equal(StorageErrorKind.NotFound, listing.Kind);
        var read = await Assert.ThrowsAsync<StorageException>(() => client.ReadRangeAsync("/fixtures/nope.tif", 0, new byte[8], Ct));
        Assert.Equal(StorageErrorKind.NotFound, read.Kind);
    }

    [Fact]
    public async Task Wrong_password_is_an_authentication_failure_that_does_not_show_the_password()
    {
        const string wrong = "not-the-password-42";
        await using var client = SftpTestSupport.NewClient(password: wrong);
        var error = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/", Ct).ToListAsync(Ct));
        Assert.Equal(StorageErrorKind.Authentication, error.Kind);
        Assert.DoesNotContain(wrong, error.ToString());
    }

    [Fact]
    public async Task Host_key_is_pinned_on_first_use_and_a_different_key_is_refused()
    {
        var store = new MemoryHostKeyStore();
        string identity = SftpTestSupport.Location.IdentityKey;
        await using (var first = SftpTestSupport.NewClient(new StorageTrust(false, [], store)))
            Assert.NotEmpty(await first.ListAsync("/fixtures", Ct).ToListAsync(Ct));
        Assert.True(store.Keys.TryGetValue(identity, out var pinned));
        Assert.Matches("^SHA256:[A-Za-z0-9+/]{43}$", pinned);

        // Same key again: accepted.
        await using (var second = SftpTestSupport.NewClient(new StorageTrust(false, [], store)))
            Assert.NotNull(await second.StatAsync("/fixtures", Ct));

        // The store remembers another key: the server's key "changed" and must be refused, naming both.
        const string previous = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        store.Keys[identity] = previous;
        await using (var third = SftpTestSupport.NewClient(new StorageTrust(true, [], store)))
        {
            var error = await Assert.ThrowsAsync<StorageException>(() => third.StatAsync("/fixtures", Ct));
            Assert.Equal(StorageErrorKind.Trust, error.Kind);
            Assert.Contains(previous, error.Message);
            Assert.Contains(pinned, error.Message);
            Assert.Contains("changed", error.Message);
        }
        Assert.Equal(previous, store.Keys[identity]);

        // Explicitly trusting the new fingerprint accepts it and re-pins it.
        await using (var fourth = SftpTestSupport.NewClient(new StorageTrust(false, [pinned], store)))
            Assert.NotNull(await fourth.StatAsync("/fixtures", Ct));
        Assert.Equal(pinned, store.Keys[identity]);

        // No store, no pin, unknown keys not accepted: refused.
        await using (var fifth = SftpTestSupport.NewClient(StorageTrust.Default))
        {
            var error = await Assert.ThrowsAsync<StorageException>(() => fifth.StatAsync("/fixtures", Ct));
            Assert.Equal(StorageErrorKind.Trust, error.Kind);
        }
    }

    [Fact]
    public async Task Connections_never_exceed_the_limit_as_counted_by_the_kernel()
    {
        var limiter = new LocalConnectionLimiter(2);
        await using var client = SftpTestSupport.NewClient(limiter: limiter, options: SftpTestSupport.Options(maxConnections: 4));
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        int peak = 0, samples = 0;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, await CountOwnSftpConnectionsAsync());
                samples++;
                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None);

        var files = Directory.GetFiles(Peers.FixturesDir).Select(Path.GetFileName).Take(12).ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, 48), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (i, token) =>
        {
            var buffer = new byte[4096];
            await client.ReadRangeAsync("/fixtures/" + files[i % files.Length], 0, buffer, token);
            await client.ListAsync("/tree/special", token).ToListAsync(token);
        });
        await sampling.CancelAsync();
        await sampler;

        Assert.True(samples > 3, "the sampler ran");
        Assert.InRange(peak, 1, 2);
        Assert.True(limiter.ActiveCount <= 2);
    }

    [Fact]
    public async Task A_symlink_loop_is_listed_as_links_without_hanging()
    {
        string dir = Path.Combine(Peers.DataDir, "sftp-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dir, "loop"));
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "loop", "real.bin"), new byte[1234]);
            File.CreateSymbolicLink(Path.Combine(dir, "loop", "parent"), "..");          // a/b -> .. : a directory cycle
            File.CreateSymbolicLink(Path.Combine(dir, "loop", "self"), "self");          // ELOOP on stat
            File.CreateSymbolicLink(Path.Combine(dir, "loop", "ping"), "pong");
            File.CreateSymbolicLink(Path.Combine(dir, "loop", "pong"), "ping");
            File.CreateSymbolicLink(Path.Combine(dir, "loop", "dangling"), "/nowhere/at/all");
            File.CreateSymbolicLink(Path.Combine(dir, "loop", "to_file"), "real.bin");
            string remote = "/sftp-tests/" + Path.GetFileName(dir) + "/loop";

            await using var client = SftpTestSupport.NewClient();
            var watch = Stopwatch.StartNew();
            var entries = (await client.ListAsync(remote, Ct).ToListAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct))
                .ToDictionary(e => e.Name);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30));

            Assert.Equal(["dangling", "parent", "ping", "pong", "real.bin", "self", "to_file"], entries.Keys.Order(StringComparer.Ordinal));
            foreach (var link in new[] { "parent", "self", "ping", "pong", "dangling" })
            {
                Assert.Equal(StorageEntryKind.Link, entries[link].Kind);
                Assert.Null(entries[link].Size);
            }
            Assert.Equal(StorageEntryKind.Link, entries["to_file"].Kind);
            Assert.Equal(1234, entries["to_file"].Size);
            Assert.Equal(StorageEntryKind.File, entries["real.bin"].Kind);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task WalkAsync(IStorageClient client, string directory, IDictionary<string, StorageEntry> into)
    {
        await foreach (var entry in client.ListAsync(directory, Ct))
        {
            string path = directory + "/" + entry.Name;
            into[path] = entry;
            if (entry.Kind == StorageEntryKind.Directory)
                await WalkAsync(client, path, into);
        }
    }

    private static DateTimeOffset TruncateToSeconds(DateTime utc) =>
        new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    /// <summary>Established TCP connections from this process to the SFTP port, as the kernel lists them.</summary>
    private static async Task<int> CountOwnSftpConnectionsAsync()
    {
        var start = new ProcessStartInfo("ss", ["-tnpH", "state", "established", "dst", $"{Peers.Host}:{Peers.Sftp}"])
        {
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        await process.WaitForExitAsync(CancellationToken.None);
        string mine = $"pid={Environment.ProcessId},";
        return output.Split('\n').Count(line => line.Contains(mine, StringComparison.Ordinal));
    }
}
