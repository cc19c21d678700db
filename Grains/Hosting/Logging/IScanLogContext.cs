namespace Pcrs.Grains.Hosting.Logging;

/// <summary>
/// A scanning grain's scan in progress, for the log lines of calls that do not name one (connection leases, reminders,
/// a directory's retries): <see cref="ScanLogScopeFilter"/> puts it on them.
/// </summary>
public interface IScanLogContext
{
    /// <summary>The scan this grain works for now; null between scans.</summary>
    long? ScanInProgress { get; }
}
