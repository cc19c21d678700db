using Microsoft.Extensions.Logging;

namespace Pcrs.Grains.Storage.Sftp;

/// <summary>Retries an operation after transient failures, with exponential backoff and jitter.</summary>
internal static class StorageRetry
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> attempt, int maxAttempts, ILogger logger, string what,
        CancellationToken cancellationToken)
    {
        for (int number = 1; ; number++)
        {
            try
            {
                return await attempt(cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException error) when (number < maxAttempts && IsRetryable(error) && !cancellationToken.IsCancellationRequested)
            {
                var delay = Backoff(number);
                logger.LogInformation("{What} failed (attempt {Attempt} of {MaxAttempts}), retrying in {Delay} ms: {Reason}",
                    what, number, maxAttempts, (int)delay.TotalMilliseconds, error.Message);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static bool IsRetryable(StorageException error) =>
        error.Kind is StorageErrorKind.Transient or StorageErrorKind.TooManyConnections;

    private static TimeSpan Backoff(int failedAttempts)
    {
        double exponential = FirstDelay.TotalMilliseconds * Math.Pow(2, failedAttempts - 1);
        double jittered = Math.Min(exponential, MaxDelay.TotalMilliseconds) * (0.5 + Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(jittered);
    }
}
