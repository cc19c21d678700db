using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Http;

namespace Pcrs.Storage.Tests.Http;

/// <summary>
/// The HTTP client's lease hand-off: requests queued behind the limit get leases from finishing requests without asking
/// the limiter again, the limit holds, nothing stays held once the queue is empty, and a cancelled waiter loses no lease.
/// </summary>
public sealed class LeaseHandOffTests
{
    /// <summary>Counts how often it was asked, on top of the cap and peak the shared test limiter checks.</summary>
    private sealed class AskCountingLimiter(int limit) : IConnectionLimiter
    {
        private readonly CountingLimiter _inner = new(limit);
        private int _asked;

        public int Asked => Volatile.Read(ref _asked);
        public int Peak => _inner.Peak;
        public int InUse => _inner.InUse;

        public ValueTask<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _asked);
            return _inner.AcquireAsync(cancellationToken);
        }

        public void ReportTooManyConnections() => _inner.ReportTooManyConnections();
    }

    [Fact]
    public async Task Queued_requests_reuse_leases_within_the_limit_and_release_all_at_the_end()
    {
        var limiter = new AskCountingLimiter(2);
        var handOff = new LeaseHandOff(limiter, 2);
        int running = 0, peak = 0;
        var requests = Enumerable.Range(0, 40).Select(async _ =>
        {
            var lease = await handOff.AcquireAsync(CancellationToken.None);
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(5);
            Interlocked.Decrement(ref running);
            await lease.DisposeAsync();
        }).ToList();
        await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.InRange(peak, 1, 2);
        Assert.Equal(2, limiter.Peak);
        // 40 requests, 2 leases: the limiter is asked a handful of times (new leases after MaxHold), not once per request.
        Assert.InRange(limiter.Asked, 2, 20);
        Assert.Equal(0, limiter.InUse);
        Assert.Equal(0, handOff.Held);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_lease_for_the_next_one()
    {
        var limiter = new AskCountingLimiter(1);
        var handOff = new LeaseHandOff(limiter, 1);
        var first = await handOff.AcquireAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = handOff.AcquireAsync(cancel.Token).AsTask();
        var third = handOff.AcquireAsync(CancellationToken.None).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        await first.DisposeAsync();
        var lease = await third.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(1, limiter.InUse);
        await lease.DisposeAsync();
        Assert.Equal(0, limiter.InUse);
        Assert.Equal(0, handOff.Held);
    }

    [Fact]
    public async Task A_forfeited_lease_goes_back_to_the_limiter_even_with_waiters()
    {
        var limiter = new AskCountingLimiter(1);
        var handOff = new LeaseHandOff(limiter, 1);
        var first = await handOff.AcquireAsync(CancellationToken.None);
        var second = handOff.AcquireAsync(CancellationToken.None).AsTask();
        LeaseHandOff.Forfeit(first);
        await first.DisposeAsync();
        var lease = await second.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        // The waiter got a fresh lease from the limiter, not the forfeited one.
        Assert.Equal(2, limiter.Asked);
        await lease.DisposeAsync();
        Assert.Equal(0, limiter.InUse);
    }

    [Fact]
    public async Task A_limiter_failure_reaches_one_waiter_and_the_others_still_get_leases()
    {
        var failing = new FailOnceLimiter();
        var handOff = new LeaseHandOff(failing, 1);
        var a = handOff.AcquireAsync(CancellationToken.None).AsTask();
        var b = handOff.AcquireAsync(CancellationToken.None).AsTask();
        await Assert.ThrowsAsync<StorageException>(() => a.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        var lease = await b.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await lease.DisposeAsync();
        Assert.Equal(0, handOff.Held);
    }

    private sealed class FailOnceLimiter : IConnectionLimiter
    {
        private int _calls;

        public ValueTask<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) == 1
                ? ValueTask.FromException<IAsyncDisposable>(new StorageException(StorageErrorKind.Transient, "grain unreachable"))
                : ValueTask.FromResult<IAsyncDisposable>(new Nothing());

        public void ReportTooManyConnections()
        {
        }

        private sealed class Nothing : IAsyncDisposable
        {
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
