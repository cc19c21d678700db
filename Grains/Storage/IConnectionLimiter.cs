namespace Pcrs.Grains.Storage;

/// <summary>
/// Grants the right to hold one open connection to a storage. In a cluster the grant comes from the storage's grain
/// (a lease), so the limit holds across silos; alone it is a local semaphore. Pools ask before opening a connection
/// and dispose the lease when the connection closes.
/// </summary>
/// <remarks>
/// A pool keeps idle connections for reuse, and an idle connection keeps its lease. So that other holders of the same
/// limit (pools on other silos) are never starved by idle connections, pools read <see cref="IsContended"/>,
/// <see cref="OwesTurn"/> and <see cref="OverLimit"/> whenever a connection comes back and at least twice a second.
/// </remarks>
public interface IConnectionLimiter
{
    ValueTask<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken);

    /// <summary>The server said "too many connections": lower the number of grants for a while.</summary>
    void ReportTooManyConnections();

    /// <summary>
    /// Someone else waits for a grant now: a connection with no caller of this pool waiting for it must be closed (its
    /// lease returned) rather than kept idle.
    /// </summary>
    bool IsContended => false;

    /// <summary>
    /// Someone waiting has fewer grants than this holder: give one connection back once it has served its turn, even
    /// when this pool has callers waiting, so every holder keeps moving.
    /// </summary>
    bool OwesTurn => false;

    /// <summary>
    /// More grants are held than the limit allows now (it was lowered while connections were open): close connections as
    /// they come back, and idle ones at once, until the holders are within the limit.
    /// </summary>
    bool OverLimit => false;
}
