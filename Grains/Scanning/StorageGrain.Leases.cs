using Microsoft.Extensions.Logging;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Scanning;

/// <summary>The storage's connection leases (<see cref="IConnectionLeaseGrain"/>, same key): granted, watched and released under the effective limit, lowered for a while when the server refuses one too many; leases of silos gone from the cluster go back.</summary>
public sealed partial class StorageGrain
{
    public Task<LeaseAnswer> AcquireConnectionLease(string holderId, long requestId, LeaseCounters counters, TimeSpan maxWait)
    {
        ForgetDeadSilos();
        // Bounded well below the call timeout, so an answer granting a lease always reaches its caller.
        var wait = maxWait > LongestLeaseWait ? LongestLeaseWait : maxWait;
        return ConnectionLeases.AcquireAsync(holderId, requestId, counters, wait);
    }

    public Task AbandonConnectionLease(string holderId, long requestId)
    {
        ConnectionLeases.Abandon(holderId, requestId);
        return Task.CompletedTask;
    }

    public Task<LeaseAnswer> ReleaseConnectionLease(string holderId, LeaseCounters counters) =>
        Task.FromResult(ConnectionLeases.Release(holderId, counters));

    public Task<LeaseAnswer> WatchConnectionLeases(string holderId, LeaseCounters counters, LeaseSignal known, TimeSpan maxWait)
    {
        ForgetDeadSilos();
        var wait = maxWait > LongestLeaseWait ? LongestLeaseWait : maxWait;
        return ConnectionLeases.WatchAsync(holderId, counters, known, wait);
    }

    public Task ReportTooManyConnections(string siloId, int heldBySilo)
    {
        // The server refused one more: grant at most what was open without the refused one, for a while. The reporter
        // still holds the lease of the refused attempt, so it is in the total.
        _reducedLimit = Math.Max(1, ConnectionLeases.Total - 1);
        _reducedUntil = DateTime.UtcNow + _options.TooManyConnectionsBackoff;
        LogTooManyConnections(logger, Key, RunningScan, _reducedLimit);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Leases of silos that left the cluster go back to the waiters. Holder ids are "silo-address/n" (one per pool).
    /// </summary>
    private void ForgetDeadSilos()
    {
        var snapshot = membership.CurrentSnapshot;
        var forgotten = ConnectionLeases.Forget(holder =>
        {
            int slash = holder.IndexOf('/', StringComparison.Ordinal);
            try
            {
                var silo = SiloAddress.FromParsableString(slash < 0 ? holder : holder[..slash]);
                return snapshot.GetSiloStatus(silo) is SiloStatus.Dead;
            }
            catch (FormatException)
            {
                return true;
            }
        });
        if (forgotten.Count > 0)
            LogHoldersForgotten(logger, Key, RunningScan, string.Join(", ", forgotten), ConnectionLeases.Describe());
    }

    private int EffectiveLimit()
    {
        int configured = _operations.MaxConnections ?? accessOptions.Value.MaxConnectionsPerStorage;
        return DateTime.UtcNow < _reducedUntil ? Math.Min(configured, _reducedLimit) : configured;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection leases of {StorageKey} (scan {ScanNumber}) held by {Holders} (gone from the cluster, or quiet) went back; leases now {Leases}")]
    private static partial void LogHoldersForgotten(ILogger logger, string storageKey, long? scanNumber, string holders, string leases);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{StorageKey} refused a connection as one too many (scan {ScanNumber}); granting at most {Limit} for a while")]
    private static partial void LogTooManyConnections(ILogger logger, string storageKey, long? scanNumber, int limit);
}
