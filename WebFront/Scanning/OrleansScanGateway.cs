using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.WebFront.Scanning;

/// <summary><see cref="IScanGateway"/> over the deliverable and project grains (keys: the ids as text).</summary>
public sealed class OrleansScanGateway(IGrainFactory grains) : IScanGateway
{
    public async Task DeclareAsync(Guid deliverableId, StorageLocation location, string? protectedPassword, bool publicConnection,
        bool downloadAllowed, IReadOnlyList<string>? trust, int? rescanDays, CancellationToken cancellationToken)
    {
        var key = deliverableId.ToString();
        await grains.GetGrain<IDeliverableGrain>(key).DeclareStorage(new StorageDeclaration(
            key, StorageLocation.ProtocolScheme(location.Protocol), location.Host, location.Port, location.Path,
            location.UserName, protectedPassword, publicConnection, downloadAllowed, trust?.ToArray(), rescanDays));
    }

    public Task RevokeAsync(Guid deliverableId, CancellationToken cancellationToken) =>
        grains.GetGrain<IDeliverableGrain>(deliverableId.ToString()).RevokeStorage();

    public async Task<bool> RequestScanAsync(Guid deliverableId, CancellationToken cancellationToken) =>
        await grains.GetGrain<IDeliverableGrain>(deliverableId.ToString()).RequestScan() is not null;

    public async Task<IReadOnlyList<ScanView?>> GetScansAsync(Guid projectId, IReadOnlyList<Guid> deliverableIds, CancellationToken cancellationToken)
    {
        var views = await grains.GetGrain<IProjectGrain>(projectId.ToString())
            .GetDeliverableScans(deliverableIds.Select(d => d.ToString()).ToArray());
        return views.Select(v => v is null ? null : ToView(v.Scan)).ToList();
    }

    public async Task<ScanView> GetStorageScanAsync(string storageKey, CancellationToken cancellationToken) =>
        ToView(await grains.GetGrain<IStorageGrain>(storageKey).GetStatus());

    public async Task<ScanView> ApplyStorageOperationsAsync(string storageKey, CancellationToken cancellationToken) =>
        ToView(await grains.GetGrain<IStorageGrain>(storageKey).ApplyOperations());

    public static ScanView ToView(StorageScanView scan) => new(
        scan.Status,
        scan.Progress,
        scan.LastSuccessAt,
        scan.LastError,
        scan.LastSuccess is { } s
            ? new ScanFacts(s.Nature, s.Format, s.Tiles, s.Epsg, s.Projection, s.TotalBytes, s.Bands, s.FilesScanned, s.Errors)
            : null);
}
