namespace Pcrs.WebFront.Model;

/// <summary>PUT /api/admin/scanning body: pause or resume the scanning of every storage.</summary>
public sealed record ScanningRequest(bool? Paused);

/// <summary>Whether the scanning of every storage is paused.</summary>
public sealed record ScanningResponse(bool Paused);

/// <summary>
/// PUT …/scan/operations body (administrators): the storage's pause, connection limit and rescan period; each field
/// replaces the stored one, null going back to the default (not paused, the deployment's limit, the declarations' period).
/// </summary>
public sealed record StorageOperationsRequest(bool? Paused, int? MaxConnections, int? RescanDays);

/// <summary>An administrator's settings of the storage a deliverable is on, and its scan status.</summary>
public sealed record StorageOperationsResponse(
    string Storage, bool Paused, bool PausedEverywhere, int? MaxConnections, int? RescanDays, string Status, string? LastError);
