using Orleans.Concurrency;

namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// One storage (key: <c>StorageLocation.IdentityKey</c>): the declarations of the deliverables on it (each with its own
/// encrypted credentials, proven before it is attached), its scan life cycle, live progress, last successful result,
/// periodic rescans, and the cluster-wide connection leases. Deliverables declaring the same storage share this grain and
/// one crawl, which uses one proven credential; what each may see is its own start path, while its own credentials hold.
/// </summary>
[Alias("pcrs.IStorageGrain")]
public interface IStorageGrain : IGrainWithStringKey
{
    /// <summary>
    /// Records a deliverable's declaration (one atomic write) as verifying and starts proving it in the background: a
    /// login with its own credentials, TLS mode and pins. Proven, it joins the storage (a scan is queued when its start
    /// path is not covered yet); failed, it keeps the server's reason and nothing else changes. Returns at once.
    /// </summary>
    [Alias("Declare")]
    Task<StorageScanView> Declare(StorageDeclaration declaration);

    /// <summary>Removes a deliverable's declaration and its encrypted password. Scan data stays in the catalogue.</summary>
    [Alias("Detach")]
    Task Detach(string deliverableId);

    /// <summary>Removes every declaration (and encrypted password) at once (administrator revocation). Scan data stays.</summary>
    [Alias("Revoke")]
    Task Revoke();

    /// <summary>Starts a scan, or joins the running one: never refused while one runs.</summary>
    [Alias("RequestScan")]
    Task<StorageScanView> RequestScan();

    [Alias("GetStatus"), AlwaysInterleave]
    Task<StorageScanView> GetStatus();

    /// <summary>Progress deltas from DirectoryGrains, batched per directory (never one call per file).</summary>
    [Alias("ReportProgress"), AlwaysInterleave]
    Task ReportProgress(long scanNumber, ScanProgress delta);

    /// <summary>A root DirectoryGrain finished its subtree for scan <paramref name="scanNumber"/>. Idempotent.</summary>
    [Alias("RootCompleted"), AlwaysInterleave]
    Task RootCompleted(long scanNumber, string rootPath, SubtreeReport report);

    /// <summary>
    /// Asks for the right to open one more connection. <paramref name="heldBySilo"/> is what the silo holds now, so the
    /// grant table heals itself after this grain moved. False: the storage's limit is reached, ask again later.
    /// </summary>
    [Alias("TryAcquireConnection"), AlwaysInterleave]
    Task<bool> TryAcquireConnection(string siloId, int heldBySilo);

    /// <summary>A connection of <paramref name="siloId"/> closed; <paramref name="heldBySilo"/> is what it still holds.</summary>
    [Alias("ReleaseConnection"), AlwaysInterleave]
    Task ReleaseConnection(string siloId, int heldBySilo);

    /// <summary>The server refused a connection as one too many: grant fewer for a while.</summary>
    [Alias("ReportTooManyConnections"), AlwaysInterleave]
    Task ReportTooManyConnections(string siloId, int heldBySilo);

    /// <summary>
    /// Asks for one lease for <paramref name="holderId"/> (one pool on one silo: "silo-address/n"). Waits at most
    /// <paramref name="maxWait"/> for one to free up; waiting holders are served fewest-leases first, then oldest first,
    /// so every silo gets connections. Not granted: ask again.
    /// </summary>
    /// <remarks><paramref name="requestId"/> names this request for <see cref="AbandonConnectionLease"/>.</remarks>
    [Alias("AcquireConnectionLease"), AlwaysInterleave]
    Task<LeaseAnswer> AcquireConnectionLease(string holderId, long requestId, LeaseCounters counters, TimeSpan maxWait);

    /// <summary>
    /// The holder does not need the lease it asked for any more (its caller got a connection another way): the waiting
    /// request ends without a grant, so it neither counts as waiting nor takes a lease another silo needs.
    /// </summary>
    [Alias("AbandonConnectionLease"), AlwaysInterleave]
    Task AbandonConnectionLease(string holderId, long requestId);

    /// <summary>The holder gave one lease back (its counters already count it).</summary>
    [Alias("ReleaseConnectionLease"), AlwaysInterleave]
    Task<LeaseAnswer> ReleaseConnectionLease(string holderId, LeaseCounters counters);

    /// <summary>
    /// Answers when the holder's <see cref="LeaseSignal"/> differs from <paramref name="known"/>, or after
    /// <paramref name="maxWait"/>: how holders learn at once that another silo waits, without polling.
    /// </summary>
    [Alias("WatchConnectionLeases"), AlwaysInterleave]
    Task<LeaseAnswer> WatchConnectionLeases(string holderId, LeaseCounters counters, LeaseSignal known, TimeSpan maxWait);
}
