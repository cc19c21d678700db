using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OutputCaching;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Projects;
using Pcrs.Grains.Storage;
using Pcrs.WebFront.Auth;
using Pcrs.WebFront.Model;
using Pcrs.WebFront.Problems;
using Pcrs.WebFront.Projects;
using Pcrs.WebFront.Scanning;
using Pcrs.WebFront.Validation;

namespace Pcrs.WebFront.Apis;

/// <summary>A deliverable's storage: declare or replace (scan queued), revoke, ask for a scan, read the scan state.</summary>
public static class StoragesApi
{
    public static IEndpointRouteBuilder MapStoragesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/projects/{id:guid}/deliverables/{did:guid}").WithTags("Storages and scans");

        api.MapPut("/storage", DeclareStorage)
            .WithName("DeclareStorage")
            .WithSummary("Declare or replace the deliverable's storage; its login is proven, then a scan is queued")
            .WithDescription("The host goes through the address checks. Answers 202 \"verifying\": the login (password, TLS mode, trust) is tried with these credentials before the deliverable shares anything of the storage; …/scan then says \"failed\" with the server's reason, or goes on. The password is write-only: encrypted at rest, never returned unless the connection details are public.")
            .RequireProjectEditor();
        api.MapDelete("/storage", RevokeStorage)
            .WithName("RevokeStorage")
            .WithSummary("Revoke the deliverable's storage")
            .WithDescription("Credentials are erased from the database; the deliverable's scan data disappears from responses, tiles and exports at once; downloads are refused. The scan data stays in the catalogue.")
            .RequireProjectEditor();
        api.MapPost("/scan", RequestScan)
            .WithName("RequestScan")
            .WithSummary("Start a scan, or join the running one")
            .RequireProjectEditor();
        api.MapGet("/scan", GetScan)
            .WithName("GetScan")
            .WithSummary("Scan status, live progress, last success and last error, of the deliverable's own start path")
            .WithDescription("\"verifying\" while the declaration's login is being proven; \"failed\" with the server's reason when it was refused. Progress counts only the deliverable's subtree.")
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit);
        api.MapGet("/scan/storage", GetStorageScan)
            .WithName("GetStorageScan")
            .WithSummary("Scan of the whole storage the deliverable is on (every start path of the account)")
            .RequireAdmin();
        return app;
    }

    public static async Task<Results<Accepted<ScanQueued>, NotFound, ValidationProblem>> DeclareStorage(
        Guid id, Guid did, StorageRequest? request, [FromServices] ProjectStore store, [FromServices] ICatalogueReader catalogue,
        [FromServices] IAddressGuard addressGuard, [FromServices] IScanGateway scans, [FromServices] ISecretProtector protector,
        [FromServices] IOutputCacheStore cache, CancellationToken cancellationToken)
    {
        if (await store.GetDeliverableAsync(id, did, cancellationToken) is null)
            return TypedResults.NotFound();
        var errors = new ValidationErrors();
        var storage = await StorageDeclaring.ValidateAsync(request, addressGuard, errors, cancellationToken);
        if (storage is null)
            return TypedResults.ValidationProblem(errors.ToDictionary());
        var previous = await catalogue.GetDeclarationAsync(did.ToString(), cancellationToken);
        await StorageDeclaring.DeclareAsync(scans, protector, did, storage, cancellationToken);
        if (previous is not null)
            await store.RecordDeliverableEventsAsync([(id, did, DeclaredStorages.Kind(previous))], "storage_replaced", cancellationToken);
        await cache.EvictByTagAsync(WebFrontPolicies.ProjectsTag, cancellationToken);
        var scanUrl = $"/api/projects/{id}/deliverables/{did}/scan";
        return TypedResults.Accepted(scanUrl, new ScanQueued(ScanStatusText.ToText(ScanStatus.Verifying), scanUrl));
    }

    public static async Task<Results<NoContent, NotFound>> RevokeStorage(
        Guid id, Guid did, [FromServices] ProjectStore store, [FromServices] ICatalogueReader catalogue, [FromServices] IScanGateway scans,
        [FromServices] IOutputCacheStore cache, CancellationToken cancellationToken)
    {
        if (await store.GetDeliverableAsync(id, did, cancellationToken) is null
            || await catalogue.GetDeclarationAsync(did.ToString(), cancellationToken) is not { } declaration)
            return TypedResults.NotFound();
        await scans.RevokeAsync(did, cancellationToken);
        await store.RecordDeliverableEventsAsync([(id, did, DeclaredStorages.Kind(declaration))], "storage_revoked", cancellationToken);
        await cache.EvictByTagAsync(WebFrontPolicies.ProjectsTag, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Accepted<ScanQueued>, NotFound>> RequestScan(
        Guid id, Guid did, [FromServices] ProjectStore store, [FromServices] ICatalogueReader catalogue, [FromServices] IScanGateway scans,
        CancellationToken cancellationToken)
    {
        if (await store.GetDeliverableAsync(id, did, cancellationToken) is null
            || await catalogue.GetDeclarationAsync(did.ToString(), cancellationToken) is not { } declaration)
            return TypedResults.NotFound();
        if (!await scans.RequestScanAsync(did, cancellationToken))
            return TypedResults.NotFound();
        var scanUrl = $"/api/projects/{id}/deliverables/{did}/scan";
        // A declaration not proven yet does not make the shared storage crawl: it says so instead of "queued".
        return TypedResults.Accepted(scanUrl, new ScanQueued(ScanStatusText.ToText(declaration.IsProven ? ScanStatus.Queued : StatusOf(declaration)), scanUrl));
    }

    public static async Task<Results<Ok<ScanStateResponse>, NotFound>> GetScan(
        Guid id, Guid did, [FromServices] ProjectStore store, [FromServices] ICatalogueReader catalogue, [FromServices] IScanGateway scans,
        CancellationToken cancellationToken)
    {
        if (await store.GetDeliverableAsync(id, did, cancellationToken) is null
            || await catalogue.GetDeclarationAsync(did.ToString(), cancellationToken) is null)
            return TypedResults.NotFound();
        var views = await scans.GetScansAsync(id, [did], cancellationToken);
        var view = views.Count > 0 ? views[0] : null;
        if (view is null)
            return TypedResults.Ok(new ScanStateResponse(ScanStatusText.ToText(ScanStatus.Verifying), ScanProgress.Zero, null, null));
        return TypedResults.Ok(new ScanStateResponse(ScanStatusText.ToText(view.Status), view.Progress, view.LastSuccessAt, view.LastError, ErrorSentences.Identify(view.LastError)));
    }

    /// <summary>The scan of the whole storage the deliverable is on (every start path of the account): administrators only.</summary>
    public static async Task<Results<Ok<ScanStateResponse>, NotFound>> GetStorageScan(
        Guid id, Guid did, [FromServices] ProjectStore store, [FromServices] ICatalogueReader catalogue, [FromServices] IScanGateway scans,
        CancellationToken cancellationToken)
    {
        if (await store.GetDeliverableAsync(id, did, cancellationToken) is null
            || await catalogue.GetDeclarationAsync(did.ToString(), cancellationToken) is not { } declaration)
            return TypedResults.NotFound();
        var view = await scans.GetStorageScanAsync(declaration.StorageKey, cancellationToken);
        return TypedResults.Ok(new ScanStateResponse(ScanStatusText.ToText(view.Status), view.Progress, view.LastSuccessAt, view.LastError, ErrorSentences.Identify(view.LastError)));
    }

    private static ScanStatus StatusOf(DeclarationRow declaration) => declaration.State == DeclarationState.Failed ? ScanStatus.Failed : ScanStatus.Verifying;
}
