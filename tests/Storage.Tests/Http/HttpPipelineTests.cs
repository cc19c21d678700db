using System.Globalization;
using Pcrs.Grains.Storage;
using Pcrs.TestSupport;
using static Pcrs.Storage.Tests.Http.HttpTestSupport;

namespace Pcrs.Storage.Tests.Http;

/// <summary>
/// HTTP/1.1 pipelining of range reads (<see cref="StorageAccessOptions.HttpPipelineDepth"/>): byte-identical reads from
/// the real nginx, Apache and lighttpd over few connections, and scripted servers that ignore Range, close after a few
/// requests, answer chunked or with the wrong range, or never answer.
/// </summary>
public sealed class HttpPipelineTests
{
    private const string Fixture = "fixtures/cc48_rgb_tiled_deflate.tif";

    private static StorageAccessOptions Pipelined(int depth, TimeSpan? operationTimeout = null, int maxAttempts = 3)
    {
        var options = LoopbackOptions(operationTimeout, maxAttempts);
        options.HttpPipelineDepth = depth;
        return options;
    }

    /// <summary>Offsets spread over the file, the last read running past its end.</summary>
    private static long[] Offsets(long length, int count) =>
        [.. Enumerable.Range(0, count - 1).Select(i => i * 7919L * 13 % (length - 4096)), length - 1000];

    private static async Task<byte[][]> ReadAllAsync(IStorageClient client, string path, long[] offsets, CancellationToken ct) =>
        await Task.WhenAll(offsets.Select(async offset =>
        {
            var buffer = new byte[4096];
            var result = await client.ReadRangeAsync(path, offset, buffer, ct);
            return buffer[..result.BytesRead];
        }));

    private static void AssertSameBytes(byte[] file, long[] offsets, byte[][] reads)
    {
        for (int i = 0; i < offsets.Length; i++)
        {
            int expected = (int)Math.Min(4096, file.Length - offsets[i]);
            Assert.Equal(file[(int)offsets[i]..((int)offsets[i] + expected)], reads[i]);
        }
    }

    [Theory]
    [InlineData("nginx", 8081)]
    [InlineData("apache", 8082)]
    [InlineData("lighttpd", 8083)]
    public async Task Many_concurrent_reads_over_one_connection_match_the_file(string server, int port)
    {
        _ = server;
        var ct = TestContext.Current.CancellationToken;
        byte[] file = await File.ReadAllBytesAsync(Path.Combine(Peers.DataDir, Fixture), ct);
        long[] offsets = Offsets(file.Length, 240);
        var limiter = new CountingLimiter(1);
        await using var client = Client(PeerUrl(port), limiter, Pipelined(8));

        var reads = await ReadAllAsync(client, "/" + Fixture, offsets, ct);

        AssertSameBytes(file, offsets, reads);
        var past = await client.ReadRangeAsync("/" + Fixture, file.Length + 10, new byte[4096], ct);
        // A 416: nginx gives the length in Content-Range; Apache and lighttpd send none (the standard handler gives null too).
        Assert.Equal(0, past.BytesRead);
        Assert.True(past.TotalLength is null || past.TotalLength == file.Length);
        Assert.Equal(1, limiter.Peak);
        Assert.True(client.Pipeline.Enabled);
        // Apache's 416 comes chunked: that one goes to the standard handler.
        Assert.InRange(client.Pipeline.ReadsAnswered, offsets.Length, offsets.Length + 1);
        await limiter.WaitUntilNoneInUseAsync();
    }

    [Theory]
    [InlineData(8081, 1)]
    [InlineData(8081, 4)]
    [InlineData(8082, 1)]
    [InlineData(8082, 4)]
    [InlineData(8083, 1)]
    [InlineData(8083, 4)]
    public async Task Listings_stats_and_reads_share_the_pools_connections(int port, int depth)
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] file = await File.ReadAllBytesAsync(Path.Combine(Peers.DataDir, Fixture), ct);
        long[] offsets = Offsets(file.Length, 60);
        var limiter = new CountingLimiter(2);
        await using var client = Client(PeerUrl(port), limiter, Pipelined(depth));

        // Interleaved the way a scan does it: listings, reads and stats at once.
        var listings = Enumerable.Range(0, 6).Select(_ => client.ListAsync("/fixtures", ct).ToListAsync(ct).AsTask());
        var stats = Enumerable.Range(0, 6).Select(_ => client.StatAsync("/" + Fixture, ct));
        var reads = ReadAllAsync(client, "/" + Fixture, offsets, ct);
        var listed = await Task.WhenAll(listings);
        var stated = await Task.WhenAll(stats);

        AssertSameBytes(file, offsets, await reads);
        Assert.All(listed, entries => Assert.Contains(entries, e => e.Name == Path.GetFileName(Fixture)));
        Assert.All(stated, entry => Assert.Equal(file.Length, entry!.Size));
        Assert.Equal(offsets.Length, client.Pipeline.ReadsAnswered);
        Assert.InRange(limiter.Peak, 1, 2);
        // Every request kind went over the same pooled connections: none was opened beyond the limit.
        Assert.InRange(limiter.Acquired, 1, 2);
    }

    [Fact]
    public async Task Connections_stay_within_the_limit_under_many_readers()
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] file = await File.ReadAllBytesAsync(Path.Combine(Peers.DataDir, Fixture), ct);
        long[] offsets = Offsets(file.Length, 300);
        var limiter = new CountingLimiter(3);
        await using var client = Client(PeerUrl(Peers.Nginx), limiter, Pipelined(4));

        AssertSameBytes(file, offsets, await ReadAllAsync(client, "/" + Fixture, offsets, ct));

        Assert.InRange(limiter.Peak, 1, 3);
        Assert.Equal(offsets.Length, client.Pipeline.ReadsAnswered);
        await limiter.WaitUntilNoneInUseAsync();
    }

    /// <summary>A scripted file server: 206 for each Range, with <paramref name="decorate"/> deciding per response.</summary>
    private static ScriptedHttpServer RangeServer(byte[] file, Func<int, (string[] Headers, bool KeepOpen)> decorate)
    {
        var perConnection = new System.Runtime.CompilerServices.ConditionalWeakTable<ScriptedConnection, StrongBox>();
        return new ScriptedHttpServer(async (request, connection, token) =>
        {
            var served = perConnection.GetOrCreateValue(connection);
            served.Count++;
            var (from, to) = ParseRange(request.Header("Range")!);
            to = Math.Min(to, file.Length - 1);
            var (headers, keepOpen) = decorate(served.Count);
            await connection.WriteResponseAsync(206, "Partial Content", file[(int)from..(int)(to + 1)], token,
                [$"Content-Range: bytes {from}-{to}/{file.Length}", .. headers]);
            return keepOpen;
        });
    }

    private sealed class StrongBox
    {
        public int Count;
    }

    private static (long From, long To) ParseRange(string header)
    {
        string[] parts = header["bytes=".Length..].Split('-');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private static byte[] RandomFile(int length)
    {
        var bytes = new byte[length];
        new Random(42).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_server_closing_after_a_few_requests_gets_the_rest_resent(bool saysClose)
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] file = RandomFile(300_000);
        // Like nginx's keepalive_requests: the 5th response of a connection is its last (announced or not).
        await using var server = RangeServer(file, served => served < 5 ? ([], true) : (saysClose ? ["Connection: close"] : [], false));
        var limiter = new CountingLimiter(2);
        await using var client = Client(server.Url, limiter, Pipelined(8));
        long[] offsets = Offsets(file.Length, 60);

        AssertSameBytes(file, offsets, await ReadAllAsync(client, "/f.bin", offsets, ct));

        Assert.InRange(limiter.Peak, 1, 2);
        Assert.InRange(server.ConnectionCount, 12, 60);
        Assert.Equal(offsets.Length, client.Pipeline.ReadsAnswered);
        // Connections closed with requests unanswered after 5 responses: one request per connection from then on.
        Assert.Equal(1, client.Pipeline.Depth);
        await limiter.WaitUntilNoneInUseAsync();
    }

    [Fact]
    public async Task A_server_ignoring_Range_is_read_only_as_far_as_asked_and_pipelining_stops()
    {
        var ct = TestContext.Current.CancellationToken;
        // Bigger than what loopback socket buffers hold, so a whole body only counts as sent if the client read it.
        byte[] file = RandomFile(20_000_000);
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            await connection.WriteResponseAsync(200, "OK", file, token);
            return true;
        });
        var limiter = new CountingLimiter(2);
        await using var client = Client(server.Url, limiter, Pipelined(8));
        long[] offsets = [0, 5000, 20_000, 70_000, 100];

        AssertSameBytes(file, offsets, await ReadAllAsync(client, "/f.bin", offsets, ct));

        Assert.False(client.Pipeline.Enabled);
        Assert.False(client.RangesSupported);
        Assert.Equal(0, client.Pipeline.ReadsAnswered);
        // The server's write of a whole body never completed: every answer was cut after the bytes asked for.
        Assert.InRange(server.BytesSent, 1, file.Length - 1);
        Assert.InRange(limiter.Peak, 1, 2);
        await limiter.WaitUntilNoneInUseAsync();
    }

    [Fact]
    public async Task A_chunked_206_goes_to_the_standard_handler()
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] file = RandomFile(100_000);
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            var (from, to) = ParseRange(request.Header("Range")!);
            byte[] body = file[(int)from..(int)(to + 1)];
            await connection.WriteHeadAsync(206, "Partial Content", null, token, $"Content-Range: bytes {from}-{to}/{file.Length}", "Transfer-Encoding: chunked");
            await connection.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"{body.Length:x}\r\n"), token);
            await connection.WriteAsync(body, token);
            await connection.WriteAsync("\r\n0\r\n\r\n"u8.ToArray(), token);
            return true;
        });
        await using var client = Client(server.Url, new CountingLimiter(1), Pipelined(4));
        long[] offsets = [0, 10_000, 50_000];

        AssertSameBytes(file, offsets, await ReadAllAsync(client, "/f.bin", offsets, ct));
        Assert.True(client.Pipeline.Enabled);
        Assert.Equal(0, client.Pipeline.ReadsAnswered);
    }

    [Fact]
    public async Task A_206_for_other_bytes_than_asked_is_a_protocol_error()
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] file = RandomFile(100_000);
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            var (from, to) = ParseRange(request.Header("Range")!);
            await connection.WriteResponseAsync(206, "Partial Content", file[(int)(from + 1)..(int)(to + 2)], token,
                $"Content-Range: bytes {from + 1}-{to + 1}/{file.Length}");
            return true;
        });
        await using var client = Client(server.Url, new CountingLimiter(1), Pipelined(4));

        var error = await Assert.ThrowsAsync<StorageException>(() => client.ReadRangeAsync("/f.bin", 100, new byte[4096], ct));
        Assert.Equal(StorageErrorKind.Protocol, error.Kind);
    }

    [Fact]
    public async Task A_request_never_answered_times_out_and_the_ones_behind_it_are_resent()
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] file = RandomFile(100_000);
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            if (request.Target == "/stuck.bin")
            {
                await Task.Delay(Timeout.Infinite, token);
                return false;
            }
            var (from, to) = ParseRange(request.Header("Range")!);
            await connection.WriteResponseAsync(206, "Partial Content", file[(int)from..(int)(to + 1)], token,
                $"Content-Range: bytes {from}-{to}/{file.Length}");
            return true;
        });
        var limiter = new CountingLimiter(1);
        await using var client = Client(server.Url, limiter, Pipelined(8, TimeSpan.FromSeconds(3), maxAttempts: 1));

        var stuck = client.ReadRangeAsync("/stuck.bin", 0, new byte[4096], ct);
        // Sent later behind the stuck one on the only connection: their own timeouts end 1.5 s after its.
        await Task.Delay(TimeSpan.FromSeconds(1.5), ct);
        long[] offsets = [0, 4096, 30_000, 60_000];
        var others = ReadAllAsync(client, "/f.bin", offsets, ct);

        var error = await Assert.ThrowsAsync<StorageException>(() => stuck);
        Assert.Equal(StorageErrorKind.Transient, error.Kind);
        AssertSameBytes(file, offsets, await others);
        Assert.Equal(1, limiter.Peak);
    }

    [Fact]
    public async Task A_redirect_goes_to_the_standard_handler_which_checks_its_target()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            await connection.WriteResponseAsync(302, "Found", [], token, "Location: http://169.254.169.254/latest/meta-data/");
            return true;
        });
        await using var client = Client(server.Url, new CountingLimiter(1), Pipelined(4));

        var error = await Assert.ThrowsAsync<StorageException>(() => client.ReadRangeAsync("/f.tif", 0, new byte[10], ct));

        Assert.Equal(StorageErrorKind.AddressRefused, error.Kind);
        // The pipelined request and the standard handler's; the refused target is never asked.
        Assert.Equal(2, server.Requests.Count);
        Assert.False(client.Pipeline.Enabled);
    }

    [Fact]
    public async Task An_error_status_is_reported_like_the_standard_handler_does_without_asking_twice()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new ScriptedHttpServer(async (request, connection, token) =>
        {
            await connection.WriteResponseAsync(404, "Not Found", "<html>gone</html>"u8.ToArray(), token);
            return true;
        });
        await using var client = Client(server.Url, new CountingLimiter(1), Pipelined(4));

        var error = await Assert.ThrowsAsync<StorageException>(() => client.ReadRangeAsync("/f.tif", 0, new byte[10], ct));

        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
        Assert.Single(server.Requests);
        Assert.True(client.Pipeline.Enabled);
    }
}
