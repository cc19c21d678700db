using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pcrs.Grains.Storage;

namespace Pcrs.Storage.Tests.Retry;

/// <summary>The one retry rule of the storage protocols, on a fake clock: when it tries again, how long it waits, when it stops.</summary>
public sealed class StorageRetryPolicyTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private static StorageException Transient(TimeSpan? retryAfter = null) =>
        new(StorageErrorKind.Transient, "The connection broke.") { RetryAfter = retryAfter };

    /// <summary>A policy on a fake clock whose jitter sits in the middle (each backoff exactly as doubled).</summary>
    private static StorageRetryPolicy OnFakeTime(FakeTimeProvider time) => StorageRetryPolicy.Default with { Time = time, Jitter = () => 0.5 };

    /// <summary>Runs an operation whose first <paramref name="failures"/> attempts fail as given; counts the attempts.</summary>
    private sealed class Flaky(int failures, Func<StorageException> failure)
    {
        private int _attempts;
        public int Attempts => Volatile.Read(ref _attempts);

        public Task<int> AttemptAsync(CancellationToken cancellationToken) =>
            cancellationToken.IsCancellationRequested ? Task.FromCanceled<int>(cancellationToken)
            : Interlocked.Increment(ref _attempts) <= failures ? Task.FromException<int>(failure()) : Task.FromResult(42);
    }

    private static async Task WaitForAttemptsAsync(Flaky flaky, int attempts)
    {
        using var deadline = new CancellationTokenSource(Generous);
        while (flaky.Attempts < attempts)
            await Task.Delay(5, deadline.Token);
    }

    [Fact]
    public async Task A_transient_failure_is_tried_again_after_a_doubling_backoff_on_the_policy_clock()
    {
        var time = new FakeTimeProvider();
        var flaky = new Flaky(2, () => Transient());
        var run = OnFakeTime(time).RunAsync("Reading /f", 3, flaky.AttemptAsync, NullLogger.Instance, TestContext.Current.CancellationToken);

        Assert.Equal(1, flaky.Attempts);
        time.Advance(TimeSpan.FromMilliseconds(249));
        Assert.Equal(1, flaky.Attempts);
        time.Advance(TimeSpan.FromMilliseconds(1)); // 250 ms: the first backoff
        await WaitForAttemptsAsync(flaky, 2);
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(2, flaky.Attempts);
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1)); // 500 ms: doubled
        Assert.Equal(42, await run.WaitAsync(Generous, TestContext.Current.CancellationToken));
        Assert.Equal(3, flaky.Attempts);
    }

    [Fact]
    public async Task The_server_Retry_After_replaces_the_backoff_and_is_bounded()
    {
        var time = new FakeTimeProvider();
        var policy = OnFakeTime(time) with { MaxRetryAfter = TimeSpan.FromSeconds(30) };
        var asked = new Flaky(1, () => Transient(TimeSpan.FromSeconds(5)));
        var run = policy.RunAsync("Listing /", 3, asked.AttemptAsync, NullLogger.Instance, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(1, asked.Attempts);
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(42, await run.WaitAsync(Generous, TestContext.Current.CancellationToken));

        Assert.Equal(TimeSpan.FromSeconds(30), policy.DelayAfter(Transient(TimeSpan.FromHours(1)), 1));
        Assert.Equal(TimeSpan.Zero, policy.DelayAfter(Transient(TimeSpan.FromSeconds(-3)), 1));
    }

    [Fact]
    public void The_backoff_grows_to_its_bound_and_jitter_spreads_it_by_a_quarter()
    {
        var policy = StorageRetryPolicy.Default with { FirstDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1) };
        Assert.Equal(TimeSpan.FromMilliseconds(100), (policy with { Jitter = () => 0.5 }).DelayAfter(Transient(), 1));
        Assert.Equal(TimeSpan.FromMilliseconds(800), (policy with { Jitter = () => 0.5 }).DelayAfter(Transient(), 4));
        Assert.Equal(TimeSpan.FromSeconds(1), (policy with { Jitter = () => 0.5 }).DelayAfter(Transient(), 5));
        Assert.Equal(TimeSpan.FromSeconds(1), (policy with { Jitter = () => 0.5 }).DelayAfter(Transient(), 1000));
        Assert.Equal(TimeSpan.FromMilliseconds(750), (policy with { Jitter = () => 0 }).DelayAfter(Transient(), 9));
        Assert.Equal(TimeSpan.FromMilliseconds(1250), (policy with { Jitter = () => 1 }).DelayAfter(Transient(), 9));
    }

    [Theory]
    [InlineData(StorageErrorKind.Transient, true)]
    [InlineData(StorageErrorKind.TooManyConnections, true)]
    [InlineData(StorageErrorKind.NotFound, false)]
    [InlineData(StorageErrorKind.Authentication, false)]
    [InlineData(StorageErrorKind.Trust, false)]
    [InlineData(StorageErrorKind.AddressRefused, false)]
    [InlineData(StorageErrorKind.Invalid, false)]
    [InlineData(StorageErrorKind.Protocol, false)]
    public async Task Only_the_server_passing_state_is_tried_again(StorageErrorKind kind, bool retried)
    {
        var time = new FakeTimeProvider();
        var flaky = new Flaky(1, () => new StorageException(kind, "Failed."));
        var run = OnFakeTime(time).RunAsync("Reading /f", 3, flaky.AttemptAsync, NullLogger.Instance, TestContext.Current.CancellationToken);
        if (retried)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            Assert.Equal(42, await run.WaitAsync(Generous, TestContext.Current.CancellationToken));
            Assert.Equal(2, flaky.Attempts);
        }
        else
        {
            var error = await Assert.ThrowsAsync<StorageException>(() => run);
            Assert.Equal(kind, error.Kind);
            Assert.Equal(1, flaky.Attempts);
        }
    }

    [Fact]
    public async Task After_the_last_attempt_the_last_failure_is_thrown()
    {
        var time = new FakeTimeProvider();
        int number = 0;
        var flaky = new Flaky(int.MaxValue, () => new StorageException(StorageErrorKind.Transient, $"Failure {Interlocked.Increment(ref number)}."));
        var run = OnFakeTime(time).RunAsync("Reading /f", 3, flaky.AttemptAsync, NullLogger.Instance, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMilliseconds(250));
        await WaitForAttemptsAsync(flaky, 2);
        time.Advance(TimeSpan.FromMilliseconds(500));
        var error = await Assert.ThrowsAsync<StorageException>(() => run.WaitAsync(Generous, TestContext.Current.CancellationToken));
        Assert.Equal("Failure 3.", error.Message);
        Assert.Equal(3, flaky.Attempts);
    }

    [Fact]
    public async Task Cancelling_during_the_wait_ends_the_retries()
    {
        var time = new FakeTimeProvider();
        using var cancel = new CancellationTokenSource();
        var flaky = new Flaky(int.MaxValue, () => Transient());
        var run = OnFakeTime(time).RunAsync("Reading /f", 5, flaky.AttemptAsync, NullLogger.Instance, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Generous, TestContext.Current.CancellationToken));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, flaky.Attempts);
    }
}
