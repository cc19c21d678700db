using Pcrs.Grains.Storage;
using Pcrs.TestSupport;

namespace Pcrs.Storage.Tests.Ftp;

/// <summary>
/// Every real FTP/FTPS server of tests/peers lists the same tree and reads the same bytes as the local folder it serves.
/// </summary>
public sealed class FtpPeerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(FtpPeerServers.All), MemberType = typeof(FtpPeerServers))]
    public async Task Recursive_listing_matches_the_local_folder(string server)
    {
        await using var client = FtpPeerServers.Client(server);
        // Only the fixture trees the peers script generates: other suites create and delete their own folders under
        // the data root while this runs.
        var remote = new Dictionary<string, StorageEntry>(StringComparer.Ordinal);
        var local = new Dictionary<string, FileSystemInfo>(StringComparer.Ordinal);
        foreach (var root in new[] { "/tree", "/fixtures" })
        {
            await ListRecursivelyAsync(client, root, remote);
            foreach (var (path, info) in LocalTree(Path.Combine(Peers.DataDir, root.TrimStart('/')), FtpPeerServers.ShowsDotFiles(server)))
                local.Add(root + path, info);
        }

        Assert.Equal(local.Keys.Order(StringComparer.Ordinal), remote.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, info) in local)
        {
            var entry = remote[path];
            if (info is DirectoryInfo)
            {
                Assert.Equal(StorageEntryKind.Directory, entry.Kind);
                continue;
            }
            var file = (FileInfo)info;
            Assert.Equal(StorageEntryKind.File, entry.Kind);
            Assert.Equal(file.Length, entry.Size);
            AssertSameTime(server, file.LastWriteTimeUtc, entry.LastModified, path);
        }
        Assert.Contains("/tree/special/Dalle 0652 6863 été & co #1 (copie) 100%.tif", remote.Keys);
    }

    [Theory]
    [MemberData(nameof(FtpPeerServers.All), MemberType = typeof(FtpPeerServers))]
    public async Task Range_reads_return_the_file_bytes_and_keep_one_connection(string server)
    {
        var limiter = new TestConnectionLimiter(4);
        await using var client = FtpPeerServers.Client(server, limiter);
        const string name = "fixtures/l93_rgb_tiled_lzw_ifd_at_end.tif";
        var bytes = await File.ReadAllBytesAsync(Path.Combine(Peers.DataDir, name), Ct);

        foreach (var (offset, length) in new[] { (0L, 16_384), (1_000L, 4_096), (bytes.Length - 3_556L, 3_556), (bytes.Length - 100L, 4_096) })
        {
            var buffer = new byte[length];
            var result = await client.ReadRangeAsync("/" + name, offset, buffer, Ct);
            int expected = (int)Math.Min(length, bytes.Length - offset);
            Assert.Equal(expected, result.BytesRead);
            Assert.Equal(bytes.AsSpan((int)offset, expected).ToArray(), buffer.AsSpan(0, expected).ToArray());
            if (expected < length)
                Assert.Equal(bytes.Length, result.TotalLength);
        }
        // Every partial read was aborted cleanly: the same control connection served them all.
        Assert.Equal(1, limiter.Acquired);
        var stat = await client.StatAsync("/" + name, Ct);
        Assert.Equal(bytes.Length, stat!.Size);
        // The EPSV sent ahead after the last read was answered on the way to the stat's reply; the next read takes it.
        var again = new byte[4_096];
        Assert.Equal(again.Length, (await client.ReadRangeAsync("/" + name, 2_000, again, Ct)).BytesRead);
        Assert.Equal(bytes.AsSpan(2_000, again.Length).ToArray(), again);
        Assert.Equal(1, limiter.Acquired);
    }

    [Theory]
    [MemberData(nameof(FtpPeerServers.All), MemberType = typeof(FtpPeerServers))]
    public async Task Download_stream_from_an_offset_and_early_dispose(string server)
    {
        var limiter = new TestConnectionLimiter(4);
        await using var client = FtpPeerServers.Client(server, limiter);
        const string name = "tree/special/Dalle 0652 6863 été & co #1 (copie) 100%.tif";
        var bytes = await File.ReadAllBytesAsync(Path.Combine(Peers.DataDir, name), Ct);

        await using (var stream = await client.OpenReadAsync("/" + name, 123_457, Ct))
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, Ct);
            Assert.Equal(bytes.AsSpan(123_457).ToArray(), copy.ToArray());
        }
        await using (var stream = await client.OpenReadAsync("/" + name, 0, Ct))
        {
            var head = new byte[10];
            await stream.ReadExactlyAsync(head, Ct);
            Assert.Equal(bytes.AsSpan(0, 10).ToArray(), head);
        }
        // The connection survived both endings and serves a listing.
        var entries = await client.ListAsync("/tree/special", Ct).ToListAsync(Ct);
        Assert.Equal(5, entries.Count);
        Assert.Equal(1, limiter.Acquired);
    }

    [Theory]
    [MemberData(nameof(FtpPeerServers.All), MemberType = typeof(FtpPeerServers))]
    public async Task Stat_tells_files_directories_and_missing_paths_apart(string server)
    {
        await using var client = FtpPeerServers.Client(server);
        var file = await client.StatAsync("/tree/CC48/0652_6863.tif", Ct);
        Assert.Equal(StorageEntryKind.File, file!.Kind);
        Assert.Equal(new FileInfo(Path.Combine(Peers.TreeDir, "CC48/0652_6863.tif")).Length, file.Size);
        Assert.Equal("0652_6863.tif", file.Name);
        AssertSameTime("exact (MDTM/MLST)", File.GetLastWriteTimeUtc(Path.Combine(Peers.TreeDir, "CC48/0652_6863.tif")), file.LastModified, "stat");
        Assert.Equal(StorageEntryKind.Directory, (await client.StatAsync("/tree/L93", Ct))!.Kind);
        Assert.Null(await client.StatAsync("/tree/no such file.tif", Ct));

        var missing = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/tree/nope", Ct).ToListAsync(Ct));
        Assert.Equal(StorageErrorKind.NotFound, missing.Kind);
        var missingRead = await Assert.ThrowsAsync<StorageException>(() => client.ReadRangeAsync("/tree/nope.tif", 0, new byte[10], Ct));
        Assert.Equal(StorageErrorKind.NotFound, missingRead.Kind);
        Assert.Empty(await client.ListAsync("/tree/empty_dir", Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Parallel_operations_stay_within_the_connection_limit()
    {
        var limiter = new TestConnectionLimiter(3);
        await using var client = FtpPeerServers.Client(FtpPeerServers.VsftpdReuse, limiter);
        var fixtures = Directory.GetFiles(Peers.FixturesDir).Select(Path.GetFileName).ToList();
        await Parallel.ForEachAsync(fixtures, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (name, ct) =>
        {
            var local = await File.ReadAllBytesAsync(Path.Combine(Peers.FixturesDir, name!), ct);
            var buffer = new byte[Math.Min(local.Length, 8_192)];
            var result = await client.ReadRangeAsync("/fixtures/" + name, 0, buffer, ct);
            Assert.Equal(buffer.Length, result.BytesRead);
            Assert.Equal(local.AsSpan(0, buffer.Length).ToArray(), buffer);
        });
        Assert.InRange(limiter.MaxGranted, 1, 3);
        Assert.InRange(client.OpenConnections, 1, 3);
    }

    private static async Task ListRecursivelyAsync(IStorageClient client, string directory, Dictionary<string, StorageEntry> into)
    {
        await foreach (var entry in client.ListAsync(directory, Ct))
        {
            string path = StoragePaths.Combine(directory, entry.Name);
            into.Add(path, entry);
            if (entry.Kind == StorageEntryKind.Directory)
                await ListRecursivelyAsync(client, path, into);
        }
    }

    private static Dictionary<string, FileSystemInfo> LocalTree(string root, bool withDotFiles)
    {
        var result = new Dictionary<string, FileSystemInfo>(StringComparer.Ordinal);
        foreach (var info in new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            string path = "/" + Path.GetRelativePath(root, info.FullName).Replace('\\', '/');
            if (!withDotFiles && path.Split('/').Any(s => s.StartsWith('.')))
                continue;
            result.Add(path, info);
        }
        return result;
    }

    private static void AssertSameTime(string server, DateTime localUtc, DateTimeOffset? remote, string path)
    {
        Assert.NotNull(remote);
        var local = new DateTimeOffset(localUtc, TimeSpan.Zero);
        if (server == "exact (MDTM/MLST)" || FtpPeerServers.ExactTimes(server))
        {
            Assert.True(Math.Abs((local - remote.Value).TotalSeconds) < 1, $"{path}: {remote} vs {local}");
            return;
        }
        // LIST: to the minute for recent files, to the day ("Jun 15  2019") for files older than six months.
        bool old = DateTimeOffset.UtcNow - local > TimeSpan.FromDays(180);
        var expected = old ? new DateTimeOffset(local.Date, TimeSpan.Zero) : local.AddTicks(-(local.Ticks % TimeSpan.TicksPerMinute));
        Assert.True(expected == remote.Value, $"{path}: {remote} vs {expected}");
    }
}
