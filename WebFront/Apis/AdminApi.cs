using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Catalogue;
using Pcrs.WebFront.Projects;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OutputCaching;
using Pcrs.Grains.Projects;
using Pcrs.WebFront.Auth;
using Pcrs.WebFront.Problems;
using Pcrs.WebFront.Scanning;

namespace Pcrs.WebFront.Apis;

/// <summary>
/// Administration (administrator token only): every declared storage with its deliverable, project and scan state, and
/// a new editor key for a project. Revoking and rescanning use the storage routes, which administrators may call.
/// </summary>
public static class AdminApi
{
    /// <summary>One declared storage as the admin screen lists it. No password, ever; the address is the declared one.</summary>
    public sealed record AdminStorage(
        Guid ProjectId, string ProjectName, Guid DeliverableId, string DeliverableName,
        string Type, string Location, string StartPath, string StorageKey, bool PublicConnection, bool DownloadAllowed,
        DateTimeOffset DeclaredAt, string Status, DateTimeOffset? LastSuccessAt, string? LastError,
        long? Tiles, long? FilesScanned, long? Errors, long? TotalBytes, CodedError? LastErrorCode = null);

    public sealed record EditorKeyRenewed(Guid Id, string EditorKey);

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/admin").WithTags("Administration");
        api.MapGet("/storages", ListStorages)
            .WithName("AdminListStorages")
            .WithSummary("Every declared storage with its deliverable, project, scan status, last success, last error and error count")
            .RequireAdmin();
        api.MapPost("/projects/{id:guid}/editor-key", RenewEditorKey)
            .WithName("AdminRenewEditorKey")
            .WithSummary("Give a project a new editor key (shown this once); the old key stops working at once")
            .RequireAdmin();
        api.MapPost("/import", Import.ImportEndpoint.ImportAsync)
            .WithName("AdminImport")
            .WithSummary("Bulk import of projects, deliverables and storages (JSON or CSV), checked and applied line by line")
            .WithDescription(Import.ImportEndpoint.Description)
            .RequireAdmin();
        return app;
    }

    public static async Task<Ok<List<AdminStorage>>> ListStorages(
        [FromServices] DeclaredDeliverables declarations, [FromServices] IScanGateway scans, CancellationToken cancellationToken)
    {
        // Every declaration, whatever its state (administrators see the verifying and refused ones too).
        var declared = new List<(Guid ProjectId, string ProjectName, StoredDeliverable Deliverable, DeclarationRow Storage)>();
        await foreach (var (projectId, project, deliverable, storage) in declarations.ListAllAsync(cancellationToken))
        {
            if (storage is not null)
                declared.Add((projectId, project.Name, deliverable, storage));
        }
        var result = new List<AdminStorage>(declared.Count);
        foreach (var group in declared.GroupBy(d => d.ProjectId))
        {
            var items = group.ToList();
            var views = await scans.GetScansAsync(group.Key, items.Select(i => i.Deliverable.Id).ToList(), cancellationToken);
            for (int i = 0; i < items.Count; i++)
            {
                var (projectId, projectName, deliverable, storage) = items[i];
                var view = i < views.Count ? views[i] : null;
                result.Add(new AdminStorage(
                    projectId, projectName, deliverable.Id, deliverable.Document.Name,
                    DeclaredStorages.Kind(storage), DisplayLocation(storage), storage.StartPath, storage.StorageKey, storage.PublicConnection, storage.DownloadAllowed,
                    storage.VerifiedAt ?? default, ScanStatusText.ToText(view?.Status ?? ScanStatus.Queued), view?.LastSuccessAt, view?.LastError,
                    view?.Summary?.Tiles, view?.Summary?.FilesScanned, view?.Summary?.Errors, view?.Summary?.TotalBytes,
                    ErrorSentences.Identify(view?.LastError)));
            }
        }
        return TypedResults.Ok(result);
    }

    /// <summary>The declared location with the account but never a password (the stored location holds none).</summary>
    private static string DisplayLocation(DeclarationRow storage)
    {
        var location = DeclaredStorages.Location(storage);
        return DeclaredStorages.Kind(storage) == "http" ? ProjectViews.HttpUrl(location) : location.ToString();
    }

    public static async Task<Results<Ok<EditorKeyRenewed>, NotFound>> RenewEditorKey(
        Guid id, [FromServices] ProjectStore store, [FromServices] IOutputCacheStore cache, CancellationToken cancellationToken)
    {
        var key = AccessTokens.NewEditorKey();
        if (!await store.ReplaceEditorKeyHashAsync(id, AccessTokens.Hash(key), cancellationToken))
            return TypedResults.NotFound();
        await cache.EvictByTagAsync(WebFrontPolicies.ProjectsTag, cancellationToken);
        return TypedResults.Ok(new EditorKeyRenewed(id, key));
    }
}
