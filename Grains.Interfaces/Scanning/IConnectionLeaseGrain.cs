using Orleans.Concurrency;

namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// The cluster-wide connection leases of one storage (key: <c>StorageLocation.IdentityKey</c>, the key of its
/// <see cref="IStorageGrain"/>, which is the same activation): every pool on every silo asks here before it opens a
/// connection, so the storage's limit holds across the cluster.
/// </summary>
[Alias("pcrs.IConnectionLeaseGrain")]
public interface IConnectionLeaseGrain : IGrainWithStringKey
{
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
