using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Scanning;

namespace Pcrs.Cluster.Tests;

/// <summary>The silo's crawl turns on their own: the bound, the round robin between storages, cancelled waiters.</summary>
public sealed class CrawlTurnsTests
{
    private static CrawlTurns Turns(int perSilo) => new(Options.Create(new ScanningOptions { CrawlTurnsPerSilo = perSilo }));

    [Fact]
    public async Task No_more_turns_than_the_setting_and_a_release_hands_one_on()
    {
        var turns = Turns(2);
        var token = TestContext.Current.CancellationToken;
        var first = await turns.EnterAsync("a", token);
        var second = await turns.EnterAsync("a", token);
        var third = turns.EnterAsync("b", token);
        Assert.False(third.IsCompleted);
        Assert.Equal(2, turns.Taken);

        first.Dispose();
        first.Dispose(); // a second dispose releases nothing more
        using var handedOn = await third.WaitAsync(TimeSpan.FromSeconds(10), token);
        Assert.Equal(2, turns.Taken);
        second.Dispose();
        Assert.Equal(1, turns.Taken);
    }

    [Fact]
    public async Task A_storage_with_many_directories_waiting_does_not_pass_before_another_storage()
    {
        var turns = Turns(1);
        var token = TestContext.Current.CancellationToken;
        var held = await turns.EnterAsync("hostile", token);
        // The hostile storage queues five directories, then an ordinary storage queues two.
        var order = new List<string>();
        var waiters = new List<Task>();
        foreach (var storage in new[] { "hostile", "hostile", "hostile", "hostile", "hostile", "ordinary", "ordinary" })
        {
            var turn = turns.EnterAsync(storage, token);
            waiters.Add(turn.ContinueWith(t =>
            {
                lock (order)
                    order.Add(storage);
                t.Result.Dispose();
            }, token, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));
        }
        held.Dispose();
        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(10), token);
        // Turns alternate between the storages while both wait: the ordinary one is done by the fourth turn, not the seventh.
        Assert.Equal(["hostile", "ordinary", "hostile", "ordinary", "hostile", "hostile", "hostile"], order);
        Assert.Equal(0, turns.Taken);
    }

    [Fact]
    public async Task A_cancelled_waiter_passes_its_turn_to_the_next()
    {
        var turns = Turns(1);
        var token = TestContext.Current.CancellationToken;
        var held = await turns.EnterAsync("a", token);
        using var cancel = new CancellationTokenSource();
        var cancelled = turns.EnterAsync("a", cancel.Token);
        var next = turns.EnterAsync("b", token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        held.Dispose();
        using var turn = await next.WaitAsync(TimeSpan.FromSeconds(10), token);
        Assert.Equal(1, turns.Taken);
    }

    [Fact]
    public async Task A_waiter_that_got_its_turn_is_not_kept_alive_by_the_scan_token()
    {
        var turns = Turns(1);
        using var scan = new CancellationTokenSource(); // a scan's token outlives every turn its directories take
        var held = await turns.EnterAsync("a", scan.Token);
        var granted = QueueAndGrant(turns, scan.Token, held);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        // Before, the token's registration kept every waiter that was ever queued until the scan ended.
        Assert.False(granted.IsAlive);
        Assert.Equal(0, turns.Taken);
        GC.KeepAlive(scan);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference QueueAndGrant(CrawlTurns turns, CancellationToken token, IDisposable held)
    {
        var waiting = turns.EnterAsync("a", token);
        Assert.False(waiting.IsCompleted);
        held.Dispose(); // the turn passes to the waiter at once
        Assert.True(waiting.IsCompletedSuccessfully);
        waiting.Result.Dispose();
        return new WeakReference(waiting);
    }
}
