using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Pooling;

namespace Pcrs.Storage.Tests.Pooling;

public sealed class ConnectionPoolTests
{
    /// <summary>A stand-in connection: the pool's logic is under test here, the real servers are in the protocol tests.</summary>
    private sealed class FakeConnection(int id, FakeServer server) : IAsyncDisposable
    {
        public int Id { get; } = id;

        public bool Healthy { get; set; } = true;

        public bool Closed { get; private set; }

        public ValueTask DisposeAsync()
        {
            if (!Closed)
            {
                Closed = true;
                Interlocked.Decrement(ref server.Open);
            }
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Counts connections as a server would, and refuses above <see cref="Accepts"/>.</summary>
    private sealed class FakeServer
    {
        public int Open;
        public int Peak;
        public int Created;
        public int Accepts = int.MaxValue;

        public async Task<FakeConnection> ConnectAsync(CancellationToken _)
        {
            await Task.Yield();
            int now = Interlocked.Increment(ref Open);
            if (now > Accepts)
            {
                Interlocked.Decrement(ref Open);
                throw new StorageException(StorageErrorKind.TooManyConnections, "421 Too many connections.");
            }
            LocalConnectionLimiterTests.InterlockedMax(ref Peak, now);
            return new FakeConnection(Interlocked.Increment(ref Created), this);
        }
    }

    private static ConnectionPool<FakeConnection> NewPool(FakeServer server, IConnectionLimiter limiter, ConnectionPoolOptions? options = null, TimeProvider? time = null) =>
        new(server.ConnectAsync, limiter, options ?? new ConnectionPoolOptions(),
            isHealthy: (c, _, _) => ValueTask.FromResult(c.Healthy), time: time);

    [Fact]
    public async Task Open_connections_never_exceed_the_limiter_under_heavy_concurrency()
    {
        var server = new FakeServer();
        var limiter = new LocalConnectionLimiter(3);
        await using var pool = NewPool(server, limiter, new ConnectionPoolOptions { MaxConnections = 8 });
        var ct = TestContext.Current.CancellationToken;
        int busy = 0, peakBusy = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, 3000), new ParallelOptions { MaxDegreeOfParallelism = 48, CancellationToken = ct }, async (i, token) =>
        {
            await pool.RunAsync<int>(async (c, _) =>
            {
                Assert.False(c.Closed);
                LocalConnectionLimiterTests.InterlockedMax(ref peakBusy, Interlocked.Increment(ref busy));
                await Task.Yield();
                Interlocked.Decrement(ref busy);
                if (i % 97 == 0)
                    throw new StorageException(StorageErrorKind.Transient, "simulated failure");
                return i;
            }, token).ContinueWith(_ => 0, token);
        }).WaitAsync(TimeSpan.FromSeconds(20), ct); // a lost wake-up would stall until the 30 s idle sweep

        Assert.Equal(3, server.Peak);
        Assert.True(peakBusy <= 3);
        Assert.True(limiter.ActiveCount <= 3);
        Assert.Equal(server.Open, pool.OpenCount);
        Assert.True(server.Created >= 3 + 3000 / 97, "failed operations discard their connection");
    }

    [Fact]
    public async Task Idle_connections_are_reused_last_in_first_out_and_checked_before_reuse()
    {
        var server = new FakeServer();
        await using var pool = NewPool(server, new LocalConnectionLimiter(4));
        var ct = TestContext.Current.CancellationToken;
        var a = await pool.RentAsync(ct);
        var b = await pool.RentAsync(ct);
        int idA = a.Connection.Id, idB = b.Connection.Id;
        await a.DisposeAsync();
        await b.DisposeAsync();

        await using (var again = await pool.RentAsync(ct))
            Assert.Equal(idB, again.Connection.Id);

        // The warmest is unhealthy now: closed, and the next idle one is used.
        var warm = await pool.RentAsync(ct);
        warm.Connection.Healthy = false;
        await warm.DisposeAsync();
        await using (var next = await pool.RentAsync(ct))
            Assert.Equal(idA, next.Connection.Id);
        Assert.Equal(1, server.Open);
        Assert.Equal(2, server.Created);
    }

    [Fact]
    public async Task Broken_and_expired_connections_are_closed_and_release_their_lease()
    {
        var server = new FakeServer();
        var time = new ManualTimeProvider();
        var limiter = new LocalConnectionLimiter(2);
        await using var pool = NewPool(server, limiter, new ConnectionPoolOptions { IdleTimeout = TimeSpan.FromMinutes(1) }, time);
        var ct = TestContext.Current.CancellationToken;

        var broken = await pool.RentAsync(ct);
        broken.MarkBroken();
        await broken.DisposeAsync();
        Assert.Equal(0, server.Open);
        Assert.Equal(0, limiter.ActiveCount);

        var idle = await pool.RentAsync(ct);
        int idleId = idle.Connection.Id;
        await idle.DisposeAsync();
        Assert.Equal(1, limiter.ActiveCount);
        time.Advance(TimeSpan.FromMinutes(2));
        await using (var fresh = await pool.RentAsync(ct))
            Assert.NotEqual(idleId, fresh.Connection.Id);
        Assert.Equal(1, server.Open);
        Assert.Equal(1, limiter.ActiveCount);
    }

    [Fact]
    public async Task Too_many_connections_lowers_the_pool_limit_and_waits_instead_of_failing_then_regrows()
    {
        var server = new FakeServer { Accepts = 2 };
        var time = new ManualTimeProvider();
        var limiter = new LocalConnectionLimiter(4, TimeSpan.FromSeconds(30), time);
        await using var pool = NewPool(server, limiter, new ConnectionPoolOptions { MaxConnections = 4, RegrowInterval = TimeSpan.FromSeconds(30) }, time);
        var ct = TestContext.Current.CancellationToken;

        var first = await pool.RentAsync(ct);
        var second = await pool.RentAsync(ct);
        var third = pool.RentAsync(ct); // refused by the server: must wait, not fail
        for (int i = 0; i < 500 && pool.CurrentLimit == 4; i++)
            await Task.Delay(10, ct);
        await Task.Delay(50, ct);
        Assert.False(third.IsCompleted);
        Assert.Equal(2, pool.CurrentLimit);
        Assert.Equal(2, limiter.CurrentLimit);

        await first.DisposeAsync();
        var thirdConnection = await third.WaitAsync(TimeSpan.FromSeconds(5), ct);
        Assert.Equal(first.Connection.Id, thirdConnection.Connection.Id);
        Assert.Equal(2, server.Peak);

        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(3, pool.CurrentLimit);
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(4, pool.CurrentLimit);

        await second.DisposeAsync();
        await thirdConnection.DisposeAsync();
    }

    [Fact]
    public async Task Refusal_with_nothing_open_fails_so_the_caller_can_back_off()
    {
        var server = new FakeServer { Accepts = 0 };
        await using var pool = NewPool(server, new LocalConnectionLimiter(4));
        var error = await Assert.ThrowsAsync<StorageException>(() => pool.RentAsync(TestContext.Current.CancellationToken));
        Assert.Equal(StorageErrorKind.TooManyConnections, error.Kind);
        Assert.Equal(0, pool.OpenCount);
    }

    [Fact]
    public async Task Cancelled_wait_for_a_connection_leaves_the_pool_consistent()
    {
        var server = new FakeServer();
        var limiter = new LocalConnectionLimiter(1);
        await using var pool = NewPool(server, limiter);
        var ct = TestContext.Current.CancellationToken;
        var held = await pool.RentAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var waiting = pool.RentAsync(cts.Token);
        cts.CancelAfter(50);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await held.DisposeAsync();
        await using var next = await pool.RentAsync(ct);
        Assert.Equal(held.Connection.Id, next.Connection.Id);
        Assert.Equal(1, pool.OpenCount);
    }
}
