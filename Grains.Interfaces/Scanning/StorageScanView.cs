namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// The scan state of a storage (or of a deliverable's start path within it) as the web API "…/scan" route shows it:
/// status, live progress of the running scan, the last successful summary (never erased by a failed rescan) and the last error.
/// </summary>
[GenerateSerializer, Immutable, Alias("pcrs.StorageScanView")]
public sealed record StorageScanView(
    [property: Id(0)] ScanStatus Status,
    [property: Id(1)] ScanProgress Progress,
    [property: Id(2)] ScanSummary? LastSuccess,
    [property: Id(3)] DateTimeOffset? LastSuccessAt,
    [property: Id(4)] string? LastError,
    [property: Id(5)] long ScanNumber)
{
    public static StorageScanView None { get; } = new(ScanStatus.Queued, ScanProgress.Zero, null, null, null, 0);
}
