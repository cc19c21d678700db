using Pcrs.Grains.Storage.Pooling;

namespace Pcrs.Storage.Tests.Pooling;

public sealed class LocalConnectionLimiterTests
{
    [Fact]
    public async Task Limit_is_never_exceeded_under_heavy_concurrency()
    {
        var limiter = new LocalConnectionLimiter(4);
        int inside = 0, peak = 0;
        var ct = TestContext.Current.CancellationToken;

        await Parallel.ForEachAsync(Enumerable.Range(0, 2000), new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = ct }, async (i, token) =>
        {
            await using var lease = await limiter.AcquireAsync(token);
            int now = Interlocked.Increment(ref inside);
            InterlockedMax(ref peak, now);
            // Hold the lease across a real wait on some items, so that many holders overlap and the cap is tested.
            if (i % 4 == 0)
                await Task.Delay(1, token);
            else if (i % 7 == 0)
                await Task.Yield();
            Interlocked.Decrement(ref inside);
        });

        // Never above the limit; and the overlap did happen (on a fast machine work this short may not fill all 4).
        Assert.InRange(peak, 2, 4);
        Assert.Equal(0, limiter.ActiveCount);
    }

    [Fact]
    public async Task Cancelled_waiter_takes_no_lease()
    {
        var limiter = new LocalConnectionLimiter(1);
        var ct = TestContext.Current.CancellationToken;
        var held = await limiter.AcquireAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var waiting = limiter.AcquireAsync(cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        await held.DisposeAsync();
        Assert.Equal(0, limiter.ActiveCount);
        await using var again = await limiter.AcquireAsync(ct);
        Assert.Equal(1, limiter.ActiveCount);
    }

    [Fact]
    public async Task Too_many_connections_shrinks_then_regrows_one_step_per_quiet_interval()
    {
        var time = new ManualTimeProvider();
        var limiter = new LocalConnectionLimiter(4, TimeSpan.FromSeconds(30), time);
        var ct = TestContext.Current.CancellationToken;
        var leases = new List<IAsyncDisposable>();
        for (int i = 0; i < 4; i++)
            leases.Add(await limiter.AcquireAsync(ct));

        // The 4th connection was refused by the server: 3 are what it accepts.
        limiter.ReportTooManyConnections();
        Assert.Equal(3, limiter.CurrentLimit);
        foreach (var lease in leases)
            await lease.DisposeAsync();

        leases.Clear();
        for (int i = 0; i < 3; i++)
            leases.Add(await limiter.AcquireAsync(ct));
        var fourth = limiter.AcquireAsync(ct).AsTask();
        await Task.Delay(50, ct);
        Assert.False(fourth.IsCompleted, "a 4th lease must wait while the limit is 3");

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(3, limiter.CurrentLimit);
        var fifth = limiter.AcquireAsync(ct).AsTask();
        Assert.False(fourth.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(2));
        await leases[0].DisposeAsync(); // any release refreshes the limit: back to 4, both waiters served
        leases.Add(await fourth.WaitAsync(TimeSpan.FromSeconds(5), ct));
        leases.Add(await fifth.WaitAsync(TimeSpan.FromSeconds(5), ct));
        Assert.Equal(4, limiter.CurrentLimit);
        Assert.Equal(4, limiter.ActiveCount);

        // Repeated refusals keep stepping down, never below one.
        for (int i = 0; i < 10; i++)
            limiter.ReportTooManyConnections();
        Assert.Equal(1, limiter.CurrentLimit);
        foreach (var lease in leases.Skip(1))
            await lease.DisposeAsync();
    }

    internal static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
