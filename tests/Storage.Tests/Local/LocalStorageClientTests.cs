using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Local;

namespace Pcrs.Storage.Tests.Local;

/// <summary>The file:// client on a scratch folder with links inside, outside and in a loop.</summary>
public sealed class LocalStorageClientTests : IDisposable
{
    private readonly string _root;
    private readonly string _outside;

    public LocalStorageClientTests()
    {
        string scratch = Path.Combine(Path.GetTempPath(), "pcrs-local-" + Guid.NewGuid().ToString("N"));
        _root = Path.Combine(scratch, "root");
        _outside = Path.Combine(scratch, "outside");
        Directory.CreateDirectory(Path.Combine(_root, "sub", "deeper"));
        Directory.CreateDirectory(_outside);
        File.WriteAllBytes(Path.Combine(_root, "a.bin"), Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray());
        File.WriteAllText(Path.Combine(_root, "sub", "name with spaces #1.txt"), "hello");
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), "secret");
        File.CreateSymbolicLink(Path.Combine(_root, "link_to_a"), "a.bin");
        File.CreateSymbolicLink(Path.Combine(_root, "link_outside"), Path.Combine(_outside, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "sub", "deeper", "up"), "../..");
        Directory.CreateSymbolicLink(Path.Combine(_root, "sub", "climb"), "../../outside");
        File.CreateSymbolicLink(Path.Combine(_root, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(_root, "loop2"), "loop1");
        File.CreateSymbolicLink(Path.Combine(_root, "dangling"), "does_not_exist");
        Directory.CreateSymbolicLink(Path.Combine(_root, "dir_outside"), _outside);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path.GetDirectoryName(_root)!, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private LocalStorageClient Client() => new(StorageLocation.Parse("file://" + _root, out _));

    private static async Task<Dictionary<string, StorageEntry>> List(IStorageClient client, string path) =>
        (await client.ListAsync(path, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken))
        .ToDictionary(e => e.Name);

    [Fact]
    public async Task Lists_files_directories_and_links()
    {
        var entries = await List(Client(), _root);
        Assert.Equal(StorageEntryKind.File, entries["a.bin"].Kind);
        Assert.Equal(1000, entries["a.bin"].Size);
        Assert.True(entries["a.bin"].SizeIsExact);
        Assert.NotNull(entries["a.bin"].LastModified);
        Assert.Equal(StorageEntryKind.Directory, entries["sub"].Kind);
        Assert.Equal(StorageEntryKind.Link, entries["link_to_a"].Kind);
        Assert.Equal(1000, entries["link_to_a"].Size);
        // Links out of the folder, in a loop, or dangling are listed, without a size that would reveal anything outside.
        Assert.Equal(StorageEntryKind.Link, entries["link_outside"].Kind);
        Assert.Null(entries["link_outside"].Size);
        Assert.Null(entries["loop1"].Size);
        Assert.Null(entries["dangling"].Size);
        Assert.Equal(StorageEntryKind.Link, entries["dir_outside"].Kind);
    }

    [Fact]
    public async Task A_link_back_to_an_ancestor_is_a_link_not_a_directory()
    {
        var entries = await List(Client(), Path.Combine(_root, "sub", "deeper"));
        Assert.Equal(StorageEntryKind.Link, Assert.Single(entries.Values).Kind);
    }

    [Fact]
    public async Task Reads_ranges_with_the_exact_length()
    {
        var buffer = new byte[10];
        var result = await Client().ReadRangeAsync(Path.Combine(_root, "a.bin"), 995, buffer, TestContext.Current.CancellationToken);
        Assert.Equal(5, result.BytesRead);
        Assert.Equal(1000, result.TotalLength);
        Assert.Equal(new byte[] { 227, 228, 229, 230, 231 }, buffer[..5]);

        result = await Client().ReadRangeAsync(Path.Combine(_root, "link_to_a"), 0, buffer, TestContext.Current.CancellationToken);
        Assert.Equal(10, result.BytesRead);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), buffer);
    }

    [Fact]
    public async Task Opens_a_stream_at_an_offset()
    {
        await using var stream = await Client().OpenReadAsync(Path.Combine(_root, "a.bin"), 990, TestContext.Current.CancellationToken);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);
        Assert.Equal(Enumerable.Range(990, 10).Select(i => (byte)i), copy.ToArray());
    }

    [Fact]
    public async Task Never_escapes_the_folder()
    {
        var client = Client();
        var ct = TestContext.Current.CancellationToken;
        var buffer = new byte[10];
        // Through a link to a file outside, a link to a directory outside, a link climbing out, and a path outside.
        foreach (string path in new[]
                 {
                     Path.Combine(_root, "link_outside"),
                     Path.Combine(_root, "dir_outside", "secret.txt"),
                     Path.Combine(_root, "sub", "climb", "secret.txt"),
                     Path.Combine(_outside, "secret.txt"),
                     _root + "/../outside/secret.txt",
                 })
        {
            var error = await Assert.ThrowsAsync<StorageException>(() => client.ReadRangeAsync(path, 0, buffer, ct));
            Assert.Equal(StorageErrorKind.Invalid, error.Kind);
        }
        await Assert.ThrowsAsync<StorageException>(async () => await List(client, Path.Combine(_root, "dir_outside")));
        // ".." is resolved on the path text first (as in a URL), so it cannot climb above the folder either.
        var lexical = await Assert.ThrowsAsync<StorageException>(() =>
            client.ReadRangeAsync(Path.Combine(_root, "sub", "deeper", "up", "..", "outside", "secret.txt"), 0, buffer, ct));
        Assert.Equal(StorageErrorKind.NotFound, lexical.Kind);
        await Assert.ThrowsAsync<StorageException>(() => client.StatAsync(Path.Combine(_root, "link_outside"), ct));
    }

    [Fact]
    public async Task A_symlink_loop_fails_fast()
    {
        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<StorageException>(() =>
            Client().ReadRangeAsync(Path.Combine(_root, "loop1"), 0, new byte[4], TestContext.Current.CancellationToken));
        Assert.Contains("loop", error.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Stat_and_missing_paths()
    {
        var client = Client();
        var ct = TestContext.Current.CancellationToken;
        var file = await client.StatAsync(Path.Combine(_root, "sub", "name with spaces #1.txt"), ct);
        Assert.Equal(5, file!.Size);
        Assert.Equal(StorageEntryKind.File, file.Kind);
        Assert.Equal(StorageEntryKind.Directory, (await client.StatAsync(Path.Combine(_root, "sub"), ct))!.Kind);
        Assert.Null(await client.StatAsync(Path.Combine(_root, "nope"), ct));
        var missing = await Assert.ThrowsAsync<StorageException>(async () => await List(client, Path.Combine(_root, "nope")));
        Assert.Equal(StorageErrorKind.NotFound, missing.Kind);
        var notFile = await Assert.ThrowsAsync<StorageException>(() => client.ReadRangeAsync(Path.Combine(_root, "nope"), 0, new byte[1], ct));
        Assert.Equal(StorageErrorKind.NotFound, notFile.Kind);
    }

    [Fact]
    public async Task Lists_the_peer_fixture_tree()
    {
        string data = Pcrs.TestSupport.Peers.DataDir;
        var client = new LocalStorageClient(StorageLocation.Parse("file://" + data, out _));
        var entries = await List(client, Path.Combine(data, "tree", "special"));
        Assert.Contains("Dalle 0652 6863 été & co #1 (copie) 100%.tif", entries.Keys);
        Assert.Equal(new FileInfo(Path.Combine(data, "tree", "special", "UPPER_CASE.TIF")).Length, entries["UPPER_CASE.TIF"].Size);
    }
}
