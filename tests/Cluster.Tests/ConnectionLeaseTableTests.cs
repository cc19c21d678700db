using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;

namespace Pcrs.Cluster.Tests;

/// <summary>The StorageGrain's lease table on its own: waiting, fewest-first hand-over, signals to holders, counters.</summary>
public sealed class ConnectionLeaseTableTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    private static LeaseCounters Held(long granted, long released = 0) => new(granted, released);

    [Fact]
    public async Task Grants_up_to_the_limit_then_a_release_hands_the_lease_to_the_waiter_at_once()
    {
        var table = new ConnectionLeaseTable(() => 2);
        Assert.True((await table.AcquireAsync("a/1", 1, Held(0), Long)).Granted);
        Assert.True((await table.AcquireAsync("a/1", 2, Held(1), Long)).Granted);
        Assert.Equal(2, table.Total);

        var waiting = table.AcquireAsync("b/1", 1, Held(0), Long);
        await WaitUntilAsync(() => table.Waiting == 1);
        Assert.False(waiting.IsCompleted);

        var released = table.Release("a/1", Held(2, 1));
        var answer = await waiting.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.True(answer.Granted);
        Assert.Equal(2, table.Total);
        Assert.Equal(1, table.HeldBy("b/1"));
        Assert.False(released.Signal.OthersWaiting);
    }

    [Fact]
    public async Task A_lowered_limit_tells_watching_holders_to_give_connections_back_until_within_it()
    {
        int limit = 4;
        var table = new ConnectionLeaseTable(() => limit);
        for (int i = 1; i <= 2; i++)
        {
            Assert.True((await table.AcquireAsync("a/1", i, Held(i - 1), Long)).Granted);
            Assert.True((await table.AcquireAsync("b/1", i, Held(i - 1), Long)).Granted);
        }
        var known = new LeaseSignal(false, false);
        var watch = table.WatchAsync("a/1", Held(2), known, Long);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(watch.IsCompleted);

        limit = 1; // an administrator's new setting
        table.LimitChanged();
        var heard = await watch.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.True(heard.Signal.OverLimit);
        Assert.True(table.Release("a/1", Held(2, 1)).Signal.OverLimit); // 3 held
        Assert.True(table.Release("b/1", Held(2, 1)).Signal.OverLimit); // 2 held
        Assert.False(table.Release("a/1", Held(2, 2)).Signal.OverLimit); // 1 held: within the limit

        // No new grant until the total is under the new limit.
        var waiting = table.AcquireAsync("a/1", 3, Held(2, 2), Long);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        limit = 2;
        table.LimitChanged(); // a higher one serves the waiter at once
        Assert.True((await waiting.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Granted);
    }

    [Fact]
    public async Task The_holder_with_fewest_leases_is_served_first_then_the_oldest()
    {
        var table = new ConnectionLeaseTable(() => 3);
        for (int i = 1; i <= 3; i++)
            Assert.True((await table.AcquireAsync("a/1", i, Held(i - 1), Long)).Granted);
        Assert.True(table.Release("a/1", Held(3, 1)) is { Granted: false });
        Assert.True((await table.AcquireAsync("b/1", 1, Held(0), Long)).Granted); // a/1: 2, b/1: 1

        var moreForA = table.AcquireAsync("a/1", 4, Held(3, 1), Long);
        var moreForB = table.AcquireAsync("b/1", 2, Held(1), Long);
        var firstForC = table.AcquireAsync("c/1", 1, Held(0), Long);
        await WaitUntilAsync(() => table.Waiting == 3);

        table.Release("a/1", Held(3, 2)); // a/1: 1 → c/1 (none) goes first
        Assert.True((await firstForC.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Granted);
        table.Release("c/1", Held(1, 1)); // a/1 and b/1 hold one each: a/1 asked first
        Assert.True((await moreForA.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Granted);
        Assert.False(moreForB.IsCompleted);
    }

    [Fact]
    public async Task A_watching_holder_hears_at_once_that_another_waits_and_owes_a_turn_to_one_with_none()
    {
        var table = new ConnectionLeaseTable(() => 1);
        Assert.True((await table.AcquireAsync("a/1", 1, Held(0), Long)).Granted);
        var watch = table.WatchAsync("a/1", Held(1), LeaseSignal.Quiet, Long);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(watch.IsCompleted);

        var waiting = table.AcquireAsync("b/1", 7, Held(0), Long);
        var signal = (await watch.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Signal;
        Assert.True(signal.OthersWaiting);
        Assert.True(signal.OwesTurn);

        // The waiter withdraws (its caller got a connection another way): quiet again, and no lease was taken.
        var next = table.WatchAsync("a/1", Held(1), signal, Long);
        table.Abandon("b/1", 7);
        Assert.False((await waiting.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Granted);
        Assert.Equal(LeaseSignal.Quiet, (await next.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Signal);
        Assert.Equal(1, table.Total);
    }

    [Fact]
    public async Task A_spare_lease_is_not_bounced_between_holders_one_apart()
    {
        var table = new ConnectionLeaseTable(() => 3);
        Assert.True((await table.AcquireAsync("a/1", 1, Held(0), Long)).Granted);
        Assert.True((await table.AcquireAsync("a/1", 2, Held(1), Long)).Granted);
        Assert.True((await table.AcquireAsync("b/1", 1, Held(0), Long)).Granted);
        _ = table.AcquireAsync("b/1", 2, Held(1), Long);
        await WaitUntilAsync(() => table.Waiting == 1);
        var signal = (await table.WatchAsync("a/1", Held(2), LeaseSignal.Quiet, TimeSpan.Zero)).Signal;
        Assert.True(signal.OthersWaiting); // idle connections of a/1 should go
        Assert.False(signal.OwesTurn); // but 2 against 1 is fair enough: no turn owed
    }

    [Fact]
    public async Task A_wait_that_times_out_is_not_granted_and_stops_counting_as_waiting()
    {
        var table = new ConnectionLeaseTable(() => 1);
        Assert.True((await table.AcquireAsync("a/1", 1, Held(0), Long)).Granted);
        var answer = await table.AcquireAsync("b/1", 1, Held(0), TimeSpan.FromMilliseconds(100));
        Assert.False(answer.Granted);
        Assert.Equal(0, table.Waiting);
        Assert.Equal(1, table.Total);
    }

    [Fact]
    public async Task Counters_merge_by_maximum_so_late_messages_never_undo_and_a_new_table_rebuilds()
    {
        var table = new ConnectionLeaseTable(() => 4);
        Assert.True((await table.AcquireAsync("a/1", 1, Held(0), Long)).Granted);
        Assert.True((await table.AcquireAsync("a/1", 2, Held(1), Long)).Granted);
        table.Release("a/1", Held(2, 1));
        table.Release("a/1", Held(1, 0)); // a late message from before the release
        Assert.Equal(1, table.HeldBy("a/1"));

        // The grain moved: its table is empty until each holder's next message, which carries the holder's counts.
        var rebuilt = new ConnectionLeaseTable(() => 4);
        await rebuilt.WatchAsync("a/1", Held(2, 1), LeaseSignal.Quiet, TimeSpan.Zero);
        Assert.Equal(1, rebuilt.Total);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_re_activated_table_grants_nothing_until_the_survivors_have_reported(bool toldByTheGrain)
    {
        // The grain resumed a scan after its silo died; a survivor holds 3 of the 3 leases the old table granted.
        var rebuilt = new ConnectionLeaseTable(() => 3, holdersReportWithin: TimeSpan.FromSeconds(1));
        if (toldByTheGrain)
            rebuilt.HoldGrantsForSurvivors();
        else
            await rebuilt.WatchAsync("survivor/1", Held(5, 2), LeaseSignal.Quiet, TimeSpan.Zero); // leases this table never granted

        var newcomer = rebuilt.AcquireAsync("other/1", 1, Held(0), Long);
        await WaitUntilAsync(() => rebuilt.Waiting == 1);
        Assert.True(rebuilt.AwaitingSurvivors);
        if (toldByTheGrain)
            await rebuilt.WatchAsync("survivor/1", Held(5, 2), LeaseSignal.Quiet, TimeSpan.Zero);
        Assert.Equal(3, rebuilt.Total);

        // After the period the newcomer waits for a lease the survivor gives back, not beyond the limit.
        await WaitUntilAsync(() => !rebuilt.AwaitingSurvivors);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.False(newcomer.IsCompleted);
        rebuilt.Release("survivor/1", Held(5, 3));
        Assert.True((await newcomer.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Granted);
        Assert.Equal(3, rebuilt.Total);
    }

    [Fact]
    public async Task A_new_table_whose_first_holder_holds_nothing_grants_at_once()
    {
        var table = new ConnectionLeaseTable(() => 2, holdersReportWithin: TimeSpan.FromMinutes(1));
        Assert.True((await table.AcquireAsync("a/1", 1, Held(0), Long)).Granted);
        Assert.False(table.AwaitingSurvivors);
    }

    [Fact]
    public async Task A_gone_silo_s_leases_go_to_the_waiters()
    {
        var table = new ConnectionLeaseTable(() => 1);
        Assert.True((await table.AcquireAsync("dead/1", 1, Held(0), Long)).Granted);
        var waiting = table.AcquireAsync("b/1", 1, Held(0), Long);
        await WaitUntilAsync(() => table.Waiting == 1);
        table.Forget(holder => holder.StartsWith("dead/", StringComparison.Ordinal));
        Assert.True((await waiting.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Granted);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
