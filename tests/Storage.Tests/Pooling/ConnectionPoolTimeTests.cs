using Microsoft.Extensions.Time.Testing;
using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Pooling;

namespace Pcrs.Storage.Tests.Pooling;

/// <summary>
/// The pool that FTP and SFTP rent from, driven by a fake clock: its timers (idle expiry, contention sweep, regrowth)
/// fire only when a test advances the time, so every case below shows what the pool does without them.
/// </summary>
public sealed class ConnectionPoolTimeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>A connection that records when it was closed.</summary>
    private sealed class Connection(int id) : IAsyncDisposable
    {
        public int Id { get; } = id;

        public bool Closed { get; private set; }

        public ValueTask DisposeAsync()
        {
            Closed = true;
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A limiter whose contention signals the test sets, over a real local semaphore.</summary>
    private sealed class SignalledLimiter(int limit) : IConnectionLimiter
    {
        private readonly LocalConnectionLimiter _inner = new(limit);

        public bool Contended { get; set; }

        public bool Owed { get; set; }

        public int Active => _inner.ActiveCount;

        public ValueTask<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken) => _inner.AcquireAsync(cancellationToken);

        public void ReportTooManyConnections() => _inner.ReportTooManyConnections();

        public bool IsContended => Contended;

        public bool OwesTurn => Owed;
    }

    private static int s_ids;

    private static ConnectionPool<Connection> NewPool(IConnectionLimiter limiter, FakeTimeProvider time, ConnectionPoolOptions options) =>
        new(_ => Task.FromResult(new Connection(Interlocked.Increment(ref s_ids))), limiter, options, time: time);

    [Fact]
    public async Task A_connection_returned_while_a_caller_registers_reaches_it_without_any_timer()
    {
        // The lost wake-up: a caller that saw no idle connection and then registered as a waiter under a second lock
        // missed a connection returned in between, and slept until a timer looked again. Time never moves here, so no
        // timer fires: every rent must be served by a return or a lease alone.
        var time = new FakeTimeProvider();
        var limiter = new SignalledLimiter(1);
        await using var pool = NewPool(limiter, time, new ConnectionPoolOptions { MaxConnections = 1 });
        var ct = TestContext.Current.CancellationToken;
        int served = 0;

        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < 300; i++)
            {
                var rented = await pool.RentAsync(ct);
                Interlocked.Increment(ref served);
                await rented.DisposeAsync();
            }
        }, ct));
        await Task.WhenAll(workers).WaitAsync(Patience, ct);

        Assert.Equal(8 * 300, served);
        Assert.Equal(1, pool.OpenCount);
        Assert.Equal(1, limiter.Active);
    }

    [Fact]
    public async Task An_owed_turn_gives_the_connection_back_once_it_served_its_turn_even_with_callers_waiting_here()
    {
        var time = new FakeTimeProvider();
        var limiter = new SignalledLimiter(1) { Owed = true };
        var turn = TimeSpan.FromSeconds(2);
        await using var pool = NewPool(limiter, time, new ConnectionPoolOptions { MaxConnections = 1, TurnLength = turn });
        var ct = TestContext.Current.CancellationToken;

        var first = await pool.RentAsync(ct);
        var waiting = pool.RentAsync(ct);
        await first.DisposeAsync(); // turn not served yet: handed to the local waiter
        var second = await waiting.WaitAsync(Patience, ct);
        Assert.Same(first.Connection, second.Connection);
        Assert.False(second.Connection.Closed);

        time.Advance(turn);
        var third = pool.RentAsync(ct);
        await second.DisposeAsync(); // turn served: closed, its lease goes back to the limiter
        Assert.True(second.Connection.Closed);
        var fresh = await third.WaitAsync(Patience, ct);
        Assert.NotSame(second.Connection, fresh.Connection);
        await fresh.DisposeAsync();
        Assert.Equal(1, limiter.Active);
    }

    [Fact]
    public async Task Under_contention_a_connection_nobody_here_waits_for_is_closed_and_idle_ones_within_a_sweep()
    {
        var time = new FakeTimeProvider();
        var limiter = new SignalledLimiter(2);
        await using var pool = NewPool(limiter, time, new ConnectionPoolOptions { MaxConnections = 2 });
        var ct = TestContext.Current.CancellationToken;

        var a = await pool.RentAsync(ct);
        var b = await pool.RentAsync(ct);
        await a.DisposeAsync();
        Assert.Equal(1, pool.IdleCount); // no contention: kept for reuse, with its lease

        limiter.Contended = true;
        await b.DisposeAsync();
        Assert.True(b.Connection.Closed); // another holder waits: not kept idle
        Assert.False(a.Connection.Closed);
        Assert.Equal(1, limiter.Active);

        time.Advance(ConnectionPool<Connection>.ContentionSweepPeriod);
        await WaitUntilAsync(() => a.Connection.Closed, ct);
        Assert.Equal(0, pool.OpenCount);
        Assert.Equal(0, limiter.Active);
    }

    [Fact]
    public async Task Idle_connections_are_released_by_the_clock_alone()
    {
        var time = new FakeTimeProvider();
        var limiter = new SignalledLimiter(2);
        var idleTimeout = TimeSpan.FromSeconds(60);
        await using var pool = NewPool(limiter, time, new ConnectionPoolOptions { MaxConnections = 2, IdleTimeout = idleTimeout });
        var ct = TestContext.Current.CancellationToken;

        var rented = await pool.RentAsync(ct);
        await rented.DisposeAsync();
        Assert.Equal(1, limiter.Active);

        time.Advance(idleTimeout - TimeSpan.FromSeconds(1));
        Assert.False(rented.Connection.Closed);
        Assert.Equal(1, pool.IdleCount);

        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => rented.Connection.Closed, ct);
        Assert.Equal(0, pool.OpenCount);
        Assert.Equal(0, limiter.Active);
    }

    [Fact]
    public async Task Too_many_connections_lowers_the_limit_until_the_clock_lets_it_regrow()
    {
        var time = new FakeTimeProvider();
        const int accepts = 2;
        int open = 0;
        var limiter = new SignalledLimiter(4);
        var regrow = TimeSpan.FromSeconds(30);
        await using var pool = new ConnectionPool<Connection>(_ =>
        {
            if (Interlocked.Increment(ref open) > accepts)
            {
                Interlocked.Decrement(ref open);
                throw new StorageException(StorageErrorKind.TooManyConnections, "421 Too many connections.");
            }
            return Task.FromResult(new Connection(Interlocked.Increment(ref s_ids)));
        }, limiter, new ConnectionPoolOptions { MaxConnections = 4, RegrowInterval = regrow },
            close: c => { Interlocked.Decrement(ref open); return c.DisposeAsync(); }, time: time);
        var ct = TestContext.Current.CancellationToken;

        var first = await pool.RentAsync(ct);
        var second = await pool.RentAsync(ct);
        var third = pool.RentAsync(ct); // refused while two are open: waits for one of them
        await WaitUntilAsync(() => pool.CurrentLimit == 2, ct);
        Assert.False(third.IsCompleted);

        await first.DisposeAsync();
        var handedOver = await third.WaitAsync(Patience, ct);
        Assert.Same(first.Connection, handedOver.Connection);

        time.Advance(regrow);
        Assert.Equal(3, pool.CurrentLimit);
        await handedOver.DisposeAsync();
        await second.DisposeAsync();
    }

    /// <summary>Waits for work the fake clock's timer started on the thread pool (a sweep closing connections).</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the pool did not act on the advanced clock");
            await Task.Delay(10, ct);
        }
    }
}
