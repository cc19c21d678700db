namespace Pcrs.Grains.Storage;

/// <summary>
/// Grants the right to hold one open connection to a storage. In a cluster the grant comes from the storage's grain
/// (a lease), so the limit holds across silos; alone it is a local semaphore. Pools ask before opening a connection
/// and dispose the lease when the connection closes.
/// </summary>
public interface IConnectionLimiter
{
    ValueTask<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken);

    /// <summary>The server said "too many connections": lower the number of grants for a while.</summary>
    void ReportTooManyConnections();
}
