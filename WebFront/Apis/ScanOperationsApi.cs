using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Projects;
using Pcrs.WebFront.Auth;
using Pcrs.WebFront.Model;
using Pcrs.WebFront.Projects;
using Pcrs.WebFront.Scanning;
using Pcrs.WebFront.Validation;

namespace Pcrs.WebFront.Apis;

/// <summary>
/// Operators' controls of scanning (administrators only): pause and resume every storage, and per storage a pause, a
/// connection limit and a rescan period. Kept in PostgreSQL and applied by the storage's grain, whichever silo holds it.
/// </summary>
public static class ScanOperationsApi
{
    public static IEndpointRouteBuilder MapScanOperationsApi(this IEndpointRouteBuilder app)
    {
        var all = app.MapGroup("api/admin/scanning").WithTags("Administration");
        all.MapGet("/", GetScanning)
            .WithName("AdminGetScanning")
            .WithSummary("Whether the scanning of every storage is paused")
            .RequireAdmin();
        all.MapPut("/", PutScanning)
            .WithName("AdminPutScanning")
            .WithSummary("Pause or resume the scanning of every storage")
            .WithDescription("A pause stops the running scans at once (they end failed, saying so) and keeps new ones (requests, rescans, new declarations) from starting; a resume starts the scans a pause stopped.")
            .RequireAdmin();
        var storage = app.MapGroup("api/projects/{id:guid}/deliverables/{did:guid}/scan/operations").WithTags("Administration");
        storage.MapGet("/", GetStorageOperations)
            .WithName("AdminGetStorageOperations")
            .WithSummary("The pause, connection limit and rescan period of the storage the deliverable is on")
            .RequireAdmin();
        storage.MapPut("/", PutStorageOperations)
            .WithName("AdminPutStorageOperations")
            .WithSummary("Set the pause, connection limit and rescan period of the storage the deliverable is on")
            .WithDescription("They hold for every deliverable on that storage and on every silo. null: back to the default.")
            .RequireAdmin();
        return app;
    }

    public static async Task<Ok<ScanningResponse>> GetScanning([FromServices] IStorageOperationsStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ScanningResponse((await store.GetAsync(IStorageOperationsStore.Everywhere, cancellationToken)).IsPaused));

    public static async Task<Results<Ok<ScanningResponse>, ValidationProblem>> PutScanning(
        ScanningRequest? request, [FromServices] IStorageOperationsStore store, [FromServices] DeclaredDeliverables declarations,
        [FromServices] IScanGateway scans, CancellationToken cancellationToken)
    {
        if (request?.Paused is not { } paused)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["paused"] = ["true or false is required."] });
        await store.SetAsync(IStorageOperationsStore.Everywhere, new StorageOperations(paused, null, null), cancellationToken);
        // Every storage with a declaration applies it now (stopping or restarting its scan); the others read it when they start one.
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var (_, _, _, declared) in declarations.ListAllAsync(cancellationToken))
        {
            if (declared is not null && keys.Add(declared.StorageKey))
                await scans.ApplyStorageOperationsAsync(declared.StorageKey, cancellationToken);
        }
        return TypedResults.Ok(new ScanningResponse(paused));
    }

    public static async Task<Results<Ok<StorageOperationsResponse>, NotFound>> GetStorageOperations(
        Guid id, Guid did, [FromServices] ProjectStore projects, [FromServices] ICatalogueReader catalogue,
        [FromServices] IStorageOperationsStore store, [FromServices] IScanGateway scans, CancellationToken cancellationToken)
    {
        if (await projects.GetDeliverableAsync(id, did, cancellationToken) is null
            || await catalogue.GetDeclarationAsync(did.ToString(), cancellationToken) is not { } declaration)
            return TypedResults.NotFound();
        var operations = await store.GetAsync(declaration.StorageKey, cancellationToken);
        var view = await scans.GetStorageScanAsync(declaration.StorageKey, cancellationToken);
        return TypedResults.Ok(Response(declaration.StorageKey, operations, view));
    }

    public static async Task<Results<Ok<StorageOperationsResponse>, NotFound, ValidationProblem>> PutStorageOperations(
        Guid id, Guid did, StorageOperationsRequest? request, [FromServices] ProjectStore projects, [FromServices] ICatalogueReader catalogue,
        [FromServices] IStorageOperationsStore store, [FromServices] IScanGateway scans, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (request is null)
            errors.Add("body", "A JSON body {paused, maxConnections, rescanDays} is required.");
        if (request?.MaxConnections is < 1 or > StorageOperations.MaxConnectionLimit)
            errors.Add("maxConnections", $"From 1 to {StorageOperations.MaxConnectionLimit} connections, or null for the deployment's limit.");
        if (request?.RescanDays is < StorageValidator.MinRescanDays or > StorageValidator.MaxRescanDays)
            errors.Add("rescanDays", $"From {StorageValidator.MinRescanDays} to {StorageValidator.MaxRescanDays} days, or null for the declarations' period.");
        if (!errors.IsEmpty || request is null)
            return TypedResults.ValidationProblem(errors.ToDictionary());
        if (await projects.GetDeliverableAsync(id, did, cancellationToken) is null
            || await catalogue.GetDeclarationAsync(did.ToString(), cancellationToken) is not { } declaration)
            return TypedResults.NotFound();
        await store.SetAsync(declaration.StorageKey, new StorageOperations(request.Paused ?? false, request.MaxConnections, request.RescanDays), cancellationToken);
        var view = await scans.ApplyStorageOperationsAsync(declaration.StorageKey, cancellationToken);
        return TypedResults.Ok(Response(declaration.StorageKey, await store.GetAsync(declaration.StorageKey, cancellationToken), view));
    }

    private static StorageOperationsResponse Response(string storageKey, StorageOperations operations, ScanView view) =>
        new(storageKey, operations.Paused, operations.PausedEverywhere, operations.MaxConnections, operations.RescanDays, ScanStatusText.ToText(view.Status), view.LastError);
}
