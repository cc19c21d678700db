using System.Diagnostics;
using System.Text;
using Pcrs.Grains.Storage;
using static Pcrs.Storage.Tests.Http.HttpTestSupport;

namespace Pcrs.Storage.Tests.Http;

/// <summary>Misbehaving servers, scripted byte by byte on a loopback port.</summary>
public sealed class HttpFaultTests
{
    private static string NginxPage(string directory, IEnumerable<(string Href, long Size)> files) =>
        $"<html>\r\n<head><title>Index of {directory}</title></head>\r\n<body>\r\n<h1>Index of {directory}</h1><hr><pre><a href=\"../\">../</a>\r\n"
        + string.Concat(files.Select(f => $"<a href=\"{f.Href}\">{f.Href}</a>                                   29-Nov-2026 10:53            {f.Size}\r\n"))
        + "</pre><hr></body>\r\n</html>\r\n";

    [Fact]
    public async Task A_connection_closed_mid_listing_fails_the_listing()
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] page = Encoding.UTF8.GetBytes(NginxPage("/d/", Enumerable.Range(0, 200).Select(i => ($"f{i}.tif", 10L))));
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            await connection.WriteHeadAsync(200, "OK", page.Length, token, "Content-Type: text/html");
            await connection.WriteAsync(page[..(page.Length / 2)], token);
            return false;
        });
        await using var client = Client(server.Url, options: LoopbackOptions(maxAttempts: 2));
        var error = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/d", ct).ToListAsync(ct));
        Assert.Equal(StorageErrorKind.Transient, error.Kind);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task A_chunked_listing_cut_before_its_end_fails_the_listing()
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] page = Encoding.UTF8.GetBytes(NginxPage("/d/", Enumerable.Range(0, 50).Select(i => ($"f{i}.tif", 10L))));
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            await connection.WriteHeadAsync(200, "OK", null, token, "Content-Type: text/html", "Transfer-Encoding: chunked");
            await connection.WriteAsync(Encoding.ASCII.GetBytes($"{page.Length:x}\r\n"), token);
            await connection.WriteAsync(page, token);
            // No terminating chunk: the body never completes.
            return false;
        });
        await using var client = Client(server.Url, options: LoopbackOptions(maxAttempts: 1));
        var error = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/d", ct).ToListAsync(ct));
        Assert.Equal(StorageErrorKind.Transient, error.Kind);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return false;
        });
        await using var client = Client(server.Url, options: LoopbackOptions(TimeSpan.FromSeconds(1), maxAttempts: 2));
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/d", ct).ToListAsync(ct));
        Assert.Equal(StorageErrorKind.Transient, error.Kind);
        Assert.Contains("timed out", error.Message);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(10));
        var read = await Assert.ThrowsAsync<StorageException>(() => client.ReadRangeAsync("/f.tif", 0, new byte[10], ct));
        Assert.Contains("timed out", read.Message);
    }

    [Fact]
    public async Task A_200_instead_of_206_is_cut_after_the_bytes_needed()
    {
        var ct = TestContext.Current.CancellationToken;
        const long fileLength = 200L * 1024 * 1024;
        var chunk = new byte[64 * 1024];
        for (int i = 0; i < chunk.Length; i++)
            chunk[i] = (byte)(i % 251);
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            // Ignores Range and starts sending the whole 200 MB file.
            await connection.WriteHeadAsync(200, "OK", fileLength, token, "Content-Type: image/tiff");
            for (long sent = 0; sent < fileLength; sent += chunk.Length)
                await connection.WriteAsync(chunk, token);
            return true;
        });
        await using var client = Client(server.Url);
        var buffer = new byte[1000];
        var result = await client.ReadRangeAsync("/big.tif", 0, buffer, ct);
        Assert.Equal(1000, result.BytesRead);
        Assert.Equal(fileLength, result.TotalLength);
        Assert.Equal(chunk[..1000], buffer);
        Assert.False(client.RangesSupported);

        // A later read of the same client is cut early too, at an offset inside the body.
        result = await client.ReadRangeAsync("/big.tif", 70_000, buffer, ct);
        Assert.Equal(1000, result.BytesRead);
        Assert.Equal(chunk[(70_000 - 65_536)..(70_000 - 65_536 + 1000)], buffer);

        await server.DrainAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("bytes=0-999", server.Requests[0].Header("Range"));
        // What the server managed to push into socket buffers before the client hung up, far from 2 x 200 MB.
        Assert.InRange(server.BytesSent, 2000, 24L * 1024 * 1024);
    }

    [Fact]
    public async Task A_206_starting_elsewhere_is_rejected()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            await connection.WriteResponseAsync(206, "Partial Content", new byte[10], token, "Content-Range: bytes 0-9/5000");
            return true;
        });
        await using var client = Client(server.Url);
        var error = await Assert.ThrowsAsync<StorageException>(() => client.ReadRangeAsync("/f.tif", 100, new byte[10], ct));
        Assert.Equal(StorageErrorKind.Protocol, error.Kind);
        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData("http://10.0.0.1/secret", StorageErrorKind.AddressRefused)]
    [InlineData("http://169.254.169.254/latest/meta-data/", StorageErrorKind.AddressRefused)]
    [InlineData("http://[::ffff:a9fe:a9fe]/latest/", StorageErrorKind.AddressRefused)]
    [InlineData("ftp://127.0.0.1/x", StorageErrorKind.Invalid)]
    [InlineData("file:///etc/passwd", StorageErrorKind.Invalid)]
    public async Task Redirects_to_refused_targets_are_not_followed(string target, StorageErrorKind kind)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            await connection.WriteResponseAsync(302, "Found", [], token, $"Location: {target}");
            return true;
        });
        // Depth 1 (no pipelining): the redirect read on the pool's connection comes back to the standard handler, which
        // asks once more and refuses the target; the refused target itself is never asked.
        var options = LoopbackOptions();
        options.HttpPipelineDepth = 1;
        await using var client = Client(server.Url, options: options);
        var error = await Assert.ThrowsAsync<StorageException>(() => client.ReadRangeAsync("/f.tif", 0, new byte[10], ct));
        Assert.Equal(kind, error.Kind);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Redirect_loops_stop()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            await connection.WriteResponseAsync(301, "Moved", [], token, $"Location: {request.Target}x");
            return true;
        });
        await using var client = Client(server.Url);
        var error = await Assert.ThrowsAsync<StorageException>(() => client.StatAsync("/a", ct));
        Assert.Contains("redirects", error.Message);
        // The pipelined HEAD, then the standard handler's first request and its five redirects.
        Assert.Equal(7, server.Requests.Count);
    }

    [Fact]
    public async Task Lists_a_directory_of_ten_thousand_entries()
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] page = Encoding.UTF8.GetBytes(NginxPage("/many/", Enumerable.Range(0, 10_000).Select(i => ($"tile_{i:D5}.jp2", 1000L + i))));
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            await connection.WriteResponseAsync(200, "OK", page, token, "Content-Type: text/html");
            return true;
        });
        await using var client = Client(server.Url);
        var watch = Stopwatch.StartNew();
        var entries = await client.ListAsync("/many", ct).ToListAsync(ct);
        Assert.Equal(10_000, entries.Count);
        Assert.Equal(1000L + 9999, entries.Single(e => e.Name == "tile_09999.jp2").Size);
        Assert.All(entries, e => Assert.True(e.SizeIsExact));
        // Generous: a quadratic parser would take minutes; the machine running the suite may be heavily loaded.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"10,000 entries took {watch.Elapsed}");
    }

    [Fact]
    public async Task Too_many_entries_or_bytes_fail_instead_of_growing()
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] page = Encoding.UTF8.GetBytes(NginxPage("/many/", Enumerable.Range(0, 500).Select(i => ($"t{i}.jp2", 1L))));
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            await connection.WriteResponseAsync(200, "OK", page, token, "Content-Type: text/html");
            return true;
        });
        var options = LoopbackOptions();
        var location = StorageLocation.Parse(server.Url, out _);
        await using var few = new Pcrs.Grains.Storage.Http.HttpStorageClient(location, StorageCredentials.Anonymous, new CountingLimiter(),
            StorageTrust.Default, new Pcrs.Grains.Storage.Security.AddressGuard(options), options) { MaxEntries = 100 };
        var error = await Assert.ThrowsAsync<StorageException>(async () => await few.ListAsync("/many", ct).ToListAsync(ct));
        Assert.Contains("more than 100 entries", error.Message);
        await using var small = new Pcrs.Grains.Storage.Http.HttpStorageClient(location, StorageCredentials.Anonymous, new CountingLimiter(),
            StorageTrust.Default, new Pcrs.Grains.Storage.Security.AddressGuard(options), options) { MaxListingBytes = 1000 };
        error = await Assert.ThrowsAsync<StorageException>(async () => await small.ListAsync("/many", ct).ToListAsync(ct));
        Assert.Contains("allowed", error.Message);
    }

    [Fact]
    public async Task Non_utf8_names_and_names_with_spaces_and_hash_round_trip()
    {
        var ct = TestContext.Current.CancellationToken;
        // A Latin-1 page from an old Windows server: "café.tif" with é as the single byte 0xE9, escaped in the href
        // and raw in the text; plus "a b #1 100%.tif".
        var page = new List<byte>();
        page.AddRange(Encoding.ASCII.GetBytes("<html><head><title>Index of /d/</title></head><body><h1>Index of /d/</h1><pre><a href=\"../\">../</a>\r\n<a href=\"caf%E9.tif\">caf"));
        page.Add(0xE9);
        page.AddRange(Encoding.ASCII.GetBytes(".tif</a>   29-Nov-2026 10:53   4\r\n<a href=\"a%20b%20%231%20100%25.tif\">a b #1 100%.tif</a>   29-Nov-2026 10:53   4\r\n</pre></body></html>"));
        byte[] body = [.. page];
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            if (request.Target == "/d/")
                await connection.WriteResponseAsync(200, "OK", body, token, "Content-Type: text/html; charset=iso-8859-1");
            else if (request.Target is "/d/caf%E9.tif" or "/d/a%20b%20%231%20100%25.tif")
                await connection.WriteResponseAsync(206, "Partial Content", Encoding.ASCII.GetBytes("II*\0"), token, "Content-Range: bytes 0-3/4");
            else
                await connection.WriteResponseAsync(404, "Not Found", [], token);
            return true;
        });
        await using var client = Client(server.Url);
        var entries = await client.ListAsync("/d", ct).ToListAsync(ct);
        Assert.Equal(2, entries.Count);
        Assert.Contains(entries, e => e.Name == "a b #1 100%.tif");
        var latin = entries.Single(e => e.Name.StartsWith("caf", StringComparison.Ordinal));
        Assert.Equal(4, latin.Size);
        foreach (var entry in entries)
        {
            var buffer = new byte[4];
            var result = await client.ReadRangeAsync(StoragePaths.Combine("/d", entry.Name), 0, buffer, ct);
            Assert.Equal(4, result.BytesRead);
            Assert.Equal("II*\0"u8.ToArray(), buffer);
        }
    }

    [Fact]
    public async Task Busy_server_lowers_the_limit_and_is_retried()
    {
        var ct = TestContext.Current.CancellationToken;
        int calls = 0;
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
                await connection.WriteResponseAsync(503, "Service Unavailable", [], token, "Retry-After: 0");
            else if (calls == 2)
                await connection.WriteResponseAsync(429, "Too Many Requests", [], token);
            else
                await connection.WriteResponseAsync(206, "Partial Content", [1, 2, 3], token, "Content-Range: bytes 0-2/3");
            return true;
        });
        var limiter = new CountingLimiter();
        await using var client = Client(server.Url, limiter);
        var result = await client.ReadRangeAsync("/f", 0, new byte[3], ct);
        Assert.Equal(3, result.BytesRead);
        Assert.Equal(2, limiter.TooManyReports);
        await limiter.WaitUntilNoneInUseAsync(); // the connection's lease returns when it closes (idle timeout)
    }

    [Fact]
    public async Task Server_errors_are_retried_then_reported()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            await connection.WriteResponseAsync(500, "Internal Server Error", [], token);
            return true;
        });
        await using var client = Client(server.Url);
        var error = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/d", ct).ToListAsync(ct));
        Assert.Equal(StorageErrorKind.Transient, error.Kind);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task A_page_that_is_not_a_listing_is_an_error_not_an_empty_directory()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            // A login or welcome page served with 200 links elsewhere, never below the directory nor back to its parent.
            await connection.WriteResponseAsync(200, "OK",
                "<html><head><title>Welcome</title></head><body><a href=\"/about.html\">a</a><a href=\"http://elsewhere.example/d/a.tif\">b</a></body></html>"u8.ToArray(), token,
                "Content-Type: text/html");
            return true;
        });
        await using var client = Client(server.Url);
        var error = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/d", ct).ToListAsync(ct));
        Assert.Equal(StorageErrorKind.Protocol, error.Kind);
        Assert.Contains("is not a directory listing", error.Message);
    }

    [Fact]
    public async Task Basic_credentials_are_sent_to_the_storage_only()
    {
        var ct = TestContext.Current.CancellationToken;
        string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("peer:pa:ss é"));
        await using var other = new ScriptedHttpServer(async (request, connection, token) =>
        {
            await connection.WriteResponseAsync(206, "Partial Content", [7], token, "Content-Range: bytes 0-0/1");
            return true;
        }, "127.0.0.2");
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            if (request.Header("Authorization") != expected)
                await connection.WriteResponseAsync(401, "Unauthorized", [], token, "WWW-Authenticate: Basic realm=\"x\"");
            else if (request.Target == "/moved")
                await connection.WriteResponseAsync(302, "Found", [], token, $"Location: {other.Url}elsewhere");
            else
                await connection.WriteResponseAsync(206, "Partial Content", [9], token, "Content-Range: bytes 0-0/1");
            return true;
        });
        await using (var anonymous = Client(server.Url))
        {
            var error = await Assert.ThrowsAsync<StorageException>(() => anonymous.ReadRangeAsync("/f", 0, new byte[1], ct));
            Assert.Equal(StorageErrorKind.Authentication, error.Kind);
        }
        await using var client = Client(server.Url, credentials: new StorageCredentials("peer", "pa:ss é"));
        var buffer = new byte[1];
        Assert.Equal(1, (await client.ReadRangeAsync("/f", 0, buffer, ct)).BytesRead);
        Assert.Equal(9, buffer[0]);
        Assert.Equal(1, (await client.ReadRangeAsync("/moved", 0, buffer, ct)).BytesRead);
        Assert.Equal(7, buffer[0]);
        Assert.Null(Assert.Single(other.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task Concurrent_reads_never_exceed_the_connection_limit()
    {
        var ct = TestContext.Current.CancellationToken;
        var limiter = new CountingLimiter(2);
        await using var client = Client(PeerUrl(Pcrs.TestSupport.Peers.Nginx), limiter);
        await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            var buffer = new byte[4096];
            var result = await client.ReadRangeAsync("/tree/CC48/0652_6863.tif", i * 1000, buffer, ct);
            Assert.Equal(4096, result.BytesRead);
        }));
        Assert.Equal(2, limiter.Peak);
        // Leases belong to connections: idle keep-alive connections keep theirs until they close.
        Assert.InRange(limiter.InUse, 0, 2);
        await limiter.WaitUntilNoneInUseAsync();
    }

    [Fact]
    public async Task Stat_falls_back_to_one_ranged_byte_when_head_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            if (request.Method == "HEAD")
                await connection.WriteResponseAsync(405, "Method Not Allowed", [], token);
            else
                await connection.WriteResponseAsync(206, "Partial Content", [1], token, "Content-Range: bytes 0-0/123456",
                    "Last-Modified: Sun, 29 Nov 2026 10:53:00 GMT", "ETag: \"abc\"");
            return true;
        });
        await using var client = Client(server.Url);
        var entry = await client.StatAsync("/f.tif", ct);
        Assert.Equal(123456, entry!.Size);
        Assert.Equal("\"abc\"", entry.ETag);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 10, 53, 0, TimeSpan.Zero), entry.LastModified);
        Assert.Equal("bytes=0-0", server.Requests[1].Header("Range"));
    }

    [Fact]
    public async Task Download_from_an_offset_on_a_server_without_ranges_skips_the_start()
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] file = Enumerable.Range(0, 100_000).Select(i => (byte)(i % 253)).ToArray();
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            await connection.WriteResponseAsync(200, "OK", file, token);
            return true;
        });
        await using var client = Client(server.Url);
        await using (var stream = await client.OpenReadAsync("/f.bin", 70_000, ct))
        {
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy, ct);
            Assert.Equal(file[70_000..], copy.ToArray());
        }
        Assert.False(client.RangesSupported);
        Assert.Equal("bytes=70000-", server.Requests[0].Header("Range"));
    }
}
