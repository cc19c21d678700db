using Microsoft.Extensions.Time.Testing;
using Pcrs.Grains.Storage.Pooling;

namespace Pcrs.Storage.Tests.Pooling;

/// <summary>
/// A file's time limit counts its work with the storage's connections, not its waits for one: on a fake clock, what
/// spends the budget and what does not, and a pool that pauses it while its caller waits behind another holder.
/// </summary>
public sealed class ConnectionTimeBudgetTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(5);

    [Fact]
    public void Work_beyond_the_limit_spends_the_budget()
    {
        var time = new FakeTimeProvider();
        using var budget = ConnectionTimeBudget.Start(Limit, LongestWait, time);

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(budget.IsSpent);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(budget.Token.IsCancellationRequested);
        Assert.False(budget.IsSpentWaiting);
    }

    [Fact]
    public void Time_spent_waiting_for_a_connection_is_not_counted()
    {
        var time = new FakeTimeProvider();
        using var budget = ConnectionTimeBudget.Start(Limit, LongestWait, time);

        time.Advance(TimeSpan.FromSeconds(4));
        using (ConnectionTimeBudget.PauseCurrent())
            time.Advance(TimeSpan.FromMinutes(4));
        Assert.False(budget.IsSpent);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(budget.IsSpent);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(budget.IsSpent);
        Assert.False(budget.IsSpentWaiting);
    }

    [Fact]
    public void Reads_waiting_at_once_stop_the_clock_until_the_last_one_is_served()
    {
        var time = new FakeTimeProvider();
        using var budget = ConnectionTimeBudget.Start(Limit, LongestWait, time);

        var tile = ConnectionTimeBudget.PauseCurrent()!;
        var sidecar = ConnectionTimeBudget.PauseCurrent()!;
        tile.Dispose();
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(budget.IsSpent);
        sidecar.Dispose();
        sidecar.Dispose(); // twice changes nothing
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.True(budget.IsSpent);
    }

    [Fact]
    public void A_connection_that_never_comes_ends_the_wait_at_its_own_limit()
    {
        var time = new FakeTimeProvider();
        using var budget = ConnectionTimeBudget.Start(Limit, LongestWait, time);

        using (ConnectionTimeBudget.PauseCurrent())
        {
            time.Advance(LongestWait);
            Assert.False(budget.IsSpent);
            time.Advance(Limit + TimeSpan.FromSeconds(1));
            Assert.True(budget.IsSpent);
            Assert.True(budget.IsSpentWaiting);
        }
    }

    [Fact]
    public async Task The_budget_belongs_to_its_own_flow_and_ends_with_it()
    {
        Assert.Null(ConnectionTimeBudget.Current);
        var time = new FakeTimeProvider();
        async Task<bool> ReadAsync()
        {
            using var budget = ConnectionTimeBudget.Start(Limit, LongestWait, time);
            await Task.Yield();
            return ReferenceEquals(ConnectionTimeBudget.Current, budget);
        }

        bool[] seen = await Task.WhenAll(ReadAsync(), ReadAsync());
        Assert.Equal([true, true], seen);
        Assert.Null(ConnectionTimeBudget.Current);
        Assert.Null(ConnectionTimeBudget.PauseCurrent()); // nothing to pause outside a budget
    }

    [Fact]
    public async Task A_caller_queued_behind_the_only_connection_keeps_its_whole_budget()
    {
        var time = new FakeTimeProvider();
        var ct = TestContext.Current.CancellationToken;
        await using var pool = new ConnectionPool<object>(_ => Task.FromResult(new object()), new LocalConnectionLimiter(1),
            new ConnectionPoolOptions { MaxConnections = 1 }, time: time);
        var held = await pool.RentAsync(ct);

        Task<PooledConnection<object>> queued;
        ConnectionTimeBudget budget;
        using (budget = ConnectionTimeBudget.Start(Limit, LongestWait, time))
        {
            queued = pool.RentAsync(budget.Token);
            // The holder keeps the connection six times the queued caller's limit: waiting does not spend it.
            for (int i = 0; i < 60 && !queued.IsCompleted; i++)
                time.Advance(TimeSpan.FromSeconds(1));
            Assert.False(queued.IsCompleted);
            Assert.False(budget.IsSpent);

            await held.DisposeAsync();
            await using var served = await queued.WaitAsync(TimeSpan.FromSeconds(20), ct);
            time.Advance(TimeSpan.FromSeconds(9));
            Assert.False(budget.IsSpent);
            time.Advance(TimeSpan.FromSeconds(2));
            Assert.True(budget.IsSpent);
        }
    }
}
