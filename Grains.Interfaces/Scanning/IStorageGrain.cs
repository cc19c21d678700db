using Orleans.Concurrency;

namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// One storage (key: <c>StorageLocation.IdentityKey</c>): the declarations of the deliverables on it (each with its own
/// encrypted credentials, proven before it is attached), its scan life cycle, live progress, last successful result,
/// periodic rescans. Its connection leases are <see cref="IConnectionLeaseGrain"/>, the same activation under the same key. Deliverables declaring the same storage share this grain and
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

    /// <summary>Starts a scan, or joins the running one: never refused while one runs.</summary>
    [Alias("RequestScan")]
    Task<StorageScanView> RequestScan();

    /// <summary>
    /// Reads the administrator's settings of the storage again (pause, connection limit, rescan period) and applies them:
    /// a pause stops the running scan, a resume starts the scan a pause stopped.
    /// </summary>
    [Alias("ApplyOperations")]
    Task<StorageScanView> ApplyOperations();

    [Alias("GetStatus"), AlwaysInterleave]
    Task<StorageScanView> GetStatus();

    /// <summary>
    /// A DirectoryGrain's own counts so far in scan <paramref name="scanNumber"/> (a total, replacing what that directory
    /// reported before, so a directory redone after a silo died is not counted twice), batched (never one call per file);
    /// <paramref name="final"/> on its last report, once its completion is in the catalogue.
    /// </summary>
    [Alias("ReportDirectoryProgress"), AlwaysInterleave]
    Task ReportProgress(long scanNumber, string directoryPath, ScanProgress total, bool final);

    /// <summary>A root DirectoryGrain finished its subtree for scan <paramref name="scanNumber"/>. Idempotent.</summary>
    [Alias("RootCompleted"), AlwaysInterleave]
    Task RootCompleted(long scanNumber, string rootPath, SubtreeReport report);
}
