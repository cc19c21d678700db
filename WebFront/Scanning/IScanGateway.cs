using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.WebFront.Scanning;

/// <summary>
/// The web front's door to the scanning cluster: declaring and revoking a deliverable's storage on its grain,
/// asking for scans, reading scan state and the cached summary. Implemented over the deliverable and project grains.
/// </summary>
public interface IScanGateway
{
    /// <summary>
    /// Hands the deliverable's whole declaration to its storage's grain, which proves it (a login with these credentials,
    /// TLS mode and pins) before attaching it. <paramref name="protectedPassword"/> is cipher text of the deployment's key
    /// ring: no plain password leaves the web front. <paramref name="trust"/>: null keeps the declaration's pins.
    /// </summary>
    Task DeclareAsync(Guid deliverableId, StorageLocation location, string? protectedPassword, bool publicConnection,
        bool downloadAllowed, IReadOnlyList<string>? trust, int? rescanDays, CancellationToken cancellationToken);

    /// <summary>Removes the deliverable's declaration and its encrypted password. Scan data stays in the catalogue.</summary>
    Task RevokeAsync(Guid deliverableId, CancellationToken cancellationToken);

    /// <summary>Starts a scan or joins the running one; false when the grain knows no storage for the deliverable.</summary>
    Task<bool> RequestScanAsync(Guid deliverableId, CancellationToken cancellationToken);

    /// <summary>Scan state of the deliverables of one project, in order (null for those the grains know nothing of).</summary>
    Task<IReadOnlyList<ScanView?>> GetScansAsync(Guid projectId, IReadOnlyList<Guid> deliverableIds, CancellationToken cancellationToken);

    /// <summary>Makes the storage's grain read and apply its administrator's settings (pause, limit, rescan period) now.</summary>
    Task<ScanView> ApplyStorageOperationsAsync(string storageKey, CancellationToken cancellationToken);

    /// <summary>The whole storage's scan state (every start path on the account): for administrators only.</summary>
    Task<ScanView> GetStorageScanAsync(string storageKey, CancellationToken cancellationToken);
}

/// <summary>Scan state as the API shows it; <see cref="Summary"/> is the last successful scan filtered to the start path.</summary>
public sealed record ScanView(
    ScanStatus Status,
    ScanProgress Progress,
    DateTimeOffset? LastSuccessAt,
    string? LastError,
    ScanFacts? Summary);


/// <summary>The facts users read on a deliverable card ("Nombre de dalles", "Projection", "Poids", "Bandes"…).</summary>
public sealed record ScanFacts(
    string Nature,
    string? Format,
    long Tiles,
    int? Epsg,
    string? Projection,
    long TotalBytes,
    IReadOnlyList<string> Bands,
    long FilesScanned,
    long Errors);
