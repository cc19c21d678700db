using Microsoft.Extensions.Logging;

namespace Pcrs.Grains.Storage;

/// <summary>
/// The one retry rule of every storage protocol (HTTP, FTP, SFTP): a failure whose <see cref="StorageException.IsTransient"/>
/// is true is tried again, up to <see cref="StorageAccessOptions.MaxAttempts"/> attempts in all, after the wait the server
/// asked for (<see cref="StorageException.RetryAfter"/>, at most <see cref="MaxRetryAfter"/>) or else an exponential backoff
/// that grows up to <see cref="MaxDelay"/>, spread by jitter.
/// </summary>
/// <remarks>
/// Each protocol turns its own failures (sockets, replies, status codes) into a <see cref="StorageException"/> inside the
/// attempt, and does there what its failure asks (close an out-of-step connection, tell the limiter the server is busy);
/// when to try again and how long to wait is decided here only.
/// </remarks>
public sealed record StorageRetryPolicy
{
    public static StorageRetryPolicy Default { get; } = new();

    /// <summary>Wait before the second attempt; doubled for each later one.</summary>
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest backoff between two attempts.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait honoured from a server's Retry-After: a server asking for more gets another attempt sooner.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock the waits between attempts run on.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// A number in [0, 1) that spreads each backoff over ±25 %, so clients that failed together do not come back together.
    /// </summary>
    public Func<double> Jitter { get; init; } = Random.Shared.NextDouble;

    /// <summary>True when the failure of attempt <paramref name="attempt"/> (1-based) is worth another one.</summary>
    public static bool ShouldRetry(StorageException failure, int attempt, int maxAttempts)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.IsTransient && attempt < maxAttempts;
    }

    /// <summary>The wait after attempt <paramref name="attempt"/> (1-based) failed with <paramref name="failure"/>.</summary>
    public TimeSpan DelayAfter(StorageException failure, int attempt)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (failure.RetryAfter is { } asked)
            return asked < TimeSpan.Zero ? TimeSpan.Zero : asked > MaxRetryAfter ? MaxRetryAfter : asked;
        double ms = FirstDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        ms = Math.Min(ms, MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (0.75 + (Math.Clamp(Jitter(), 0, 1) * 0.5)));
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> until it succeeds, fails with a failure that is not transient, has run
    /// <paramref name="maxAttempts"/> times, or <paramref name="cancellationToken"/> is cancelled. The last failure is thrown.
    /// </summary>
    public async Task<T> RunAsync<T>(string what, int maxAttempts, Func<CancellationToken, Task<T>> attempt, ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(logger);
        for (int number = 1; ; number++)
        {
            try
            {
                return await attempt(cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException failure) when (!cancellationToken.IsCancellationRequested && ShouldRetry(failure, number, maxAttempts))
            {
                var delay = DelayAfter(failure, number);
                logger.LogInformation("{What} failed (attempt {Attempt} of {MaxAttempts}), retrying in {Delay} ms: {Reason}",
                    what, number, maxAttempts, (int)delay.TotalMilliseconds, failure.Message);
                await Task.Delay(delay, Time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
