using Orleans.Concurrency;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Interfaces.Projects;

/// <summary>
/// A deliverable (key: its id as text). The web front declares, revokes and rescans its storage through it, and reads a
/// cached scan summary filtered to its start path, with no storage access.
/// </summary>
[Alias("pcrs.IDeliverableGrain")]
public interface IDeliverableGrain : IGrainWithStringKey
{
    /// <summary>Declares or replaces the deliverable's storage (detaching from a previous one); a scan is queued.</summary>
    [Alias("DeclareStorage")]
    Task<DeliverableScanView> DeclareStorage(StorageDeclaration declaration);

    /// <summary>Revokes the storage: attachment and (when no other deliverable uses it) credentials erased; scan data kept.</summary>
    [Alias("RevokeStorage")]
    Task RevokeStorage();

    /// <summary>Starts a scan of the storage, or joins the running one. Null when no storage is declared.</summary>
    [Alias("RequestScan")]
    Task<DeliverableScanView?> RequestScan();

    /// <summary>The deliverable's storage and scan state; null when no storage is declared.</summary>
    /// <remarks>Read-only: concurrent page views interleave instead of queueing one by one behind this activation.</remarks>
    [Alias("GetScan"), ReadOnly]
    Task<DeliverableScanView?> GetScan();

    /// <summary>The storage finished scan <paramref name="scanNumber"/>: drop the cached summary. One-way, so the storage never waits on a deliverable that may be waiting on it.</summary>
    [Alias("SummaryChanged"), OneWay]
    Task SummaryChanged(long scanNumber);
}
