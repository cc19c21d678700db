using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Projects;
using Pcrs.WebFront.Auth;

namespace Pcrs.WebFront.Apis;

/// <summary>
/// Operators' view of a deliverable's storage: its last scans with counts, duration and error. Administrators only: the
/// counts and errors are the whole storage's, which other deliverables on the same account share (a deliverable's own
/// public view, GET …/scan, stays within its start path).
/// </summary>
public static class ScanHistoryApi
{
    public const int DefaultLimit = 20, MaxLimit = 200;

    public static IEndpointRouteBuilder MapScanHistoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("api/projects/{id:guid}/deliverables/{did:guid}/scans", ListScans)
            .WithTags("Storages and scans")
            .WithName("ListScans")
            .WithSummary("The storage's last scans, newest first (administrators)")
            .WithDescription($"limit: 1-{MaxLimit}, default {DefaultLimit}. Each scan: number, status (succeeded, failed, partial…), start, end, duration in seconds, directories, files, data files read (analysed) and unchanged, errors, bytes read, first error.")
            .RequireAdmin();
        return app;
    }

    public static async Task<Results<Ok<ScanHistoryResponse>, NotFound, ValidationProblem>> ListScans(
        Guid id, Guid did, int? limit, [FromServices] ProjectStore store, [FromServices] ITileMetadataReader catalogue, [FromServices] ICatalogueReader declarations,
        CancellationToken cancellationToken)
    {
        int count = limit ?? DefaultLimit;
        if (count is < 1 or > MaxLimit)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["limit"] = [$"Between 1 and {MaxLimit}."] });
        if (await store.GetDeliverableAsync(id, did, cancellationToken) is null
            || await declarations.GetDeclarationAsync(did.ToString(), cancellationToken) is not { } storage)
            return TypedResults.NotFound();
        var scans = await catalogue.ListRecentScansAsync(storage.StorageKey, count, cancellationToken);
        return TypedResults.Ok(new ScanHistoryResponse(storage.StorageKey, scans.Select(ToResponse).ToList()));
    }

    private static ScanHistoryItem ToResponse(ScanRow scan) => new(
        scan.ScanNumber, ScanStatusText.ToHistoryText(scan.Status), scan.StartedAt, scan.FinishedAt,
        scan.FinishedAt is { } end ? Math.Round((end - scan.StartedAt).TotalSeconds, 3) : null,
        scan.Counts.Directories, scan.Counts.Files, scan.Counts.Analysed, scan.Counts.Unchanged, scan.Counts.Errors,
        scan.Counts.BytesRead, scan.Error);
}

/// <summary>GET …/scans: the storage (its identity: protocol, host, port, account) and its last scans, newest first.</summary>
public sealed record ScanHistoryResponse(string Storage, IReadOnlyList<ScanHistoryItem> Scans);

public sealed record ScanHistoryItem(
    long ScanNumber, string Status, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, double? DurationSeconds,
    long Directories, long Files, long Analysed, long Unchanged, long Errors, long BytesRead, string? Error);
