using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Interfaces.Projects;

/// <summary>
/// What the public site shows of a deliverable's storage: the attachment (no password) and the scan state with the
/// last successful summary filtered to the deliverable's start path.
/// </summary>
[GenerateSerializer, Immutable, Alias("pcrs.DeliverableScanView")]
public sealed record DeliverableScanView(
    [property: Id(0)] StorageAttachment Attachment,
    [property: Id(1)] StorageScanView Scan);
