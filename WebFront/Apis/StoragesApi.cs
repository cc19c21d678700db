using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OutputCaching;
using Pcrs.Grains.Projects;
using Pcrs.Grains.Storage;
using Pcrs.WebFront.Auth;
using Pcrs.WebFront.Model;
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
            .WithSummary("Declare or replace the deliverable's storage; a scan is queued")
            .WithDescription("The host goes through the address checks. The password is write-only: encrypted at rest, never returned unless the connection details are public.")
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
            .WithSummary("Scan status, live progress, last success and last error")
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit);
        return app;
    }

    public static async Task<Results<Accepted<ScanQueued>, NotFound, ValidationProblem>> DeclareStorage(
        Guid id, Guid did, StorageRequest? request, [FromServices] ProjectStore store, [FromServices] IAddressGuard addressGuard, [FromServices] IScanGateway scans,
        [FromServices] IPasswordProtector protector, [FromServices] IOutputCacheStore cache, CancellationToken cancellationToken)
    {
        if (await store.GetDeliverableAsync(id, did, cancellationToken) is not { } deliverable)
            return TypedResults.NotFound();
        var errors = new ValidationErrors();
        var storage = StorageValidator.Validate(request, errors);
        if (storage is null)
            return TypedResults.ValidationProblem(errors.ToDictionary());
        try
        {
            // The same checks the clients apply at connect time; here they give the owner an early, named error.
            await addressGuard.ResolveAsync(storage.Location.Host, cancellationToken);
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.AddressRefused or StorageErrorKind.Invalid)
        {
            errors.Add(storage.HostField, e.Message);
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        catch (StorageException e)
        {
            errors.Add(storage.HostField, $"The host could not be resolved: {e.Message}");
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var declaration = new DeclaredStorage
        {
            DeliverableId = did,
            StorageIdentity = storage.Location.IdentityKey,
            Kind = storage.Kind,
            Location = storage.Location.ToString(),
            StartPath = storage.Location.Path,
            Tls = storage.Tls,
            UserName = storage.Credentials.UserName,
            ProtectedPassword = storage.Credentials.Password is { } password ? protector.Protect(password) : null,
            PublicConnection = storage.PublicConnection,
            DownloadAllowed = storage.DownloadAllowed,
            RescanDays = storage.RescanDays,
            // Absent from the body: the pins declared before for the same storage stay.
            Trust = storage.Trust ?? (deliverable.Storage?.StorageIdentity == storage.Location.IdentityKey ? deliverable.Storage.Trust : []),
        };
        var previous = await store.SaveDeclarationAsync(declaration, cancellationToken);
        if (previous is not null && previous.StorageIdentity != declaration.StorageIdentity)
            await scans.RevokeAsync(did, cancellationToken);
        try
        {
            await scans.DeclareAsync(did, storage.Location, storage.Credentials, storage.PublicConnection, storage.DownloadAllowed,
                storage.Trust, cancellationToken);
            if (storage.RescanDays is { } days)
                await scans.SetRescanPeriodAsync(storage.Location, TimeSpan.FromDays(days), cancellationToken);
        }
        catch
        {
            // The grain did not take it: leave no declaration (and no credentials) behind that nothing scans.
            await store.DeleteDeclarationAsync(did, CancellationToken.None);
            throw;
        }
        await cache.EvictByTagAsync(WebFrontPolicies.ProjectsTag, cancellationToken);
        return TypedResults.Accepted($"/api/projects/{id}/deliverables/{did}/scan", new ScanQueued("queued", $"/api/projects/{id}/deliverables/{did}/scan"));
    }

    public static async Task<Results<NoContent, NotFound>> RevokeStorage(
        Guid id, Guid did, [FromServices] ProjectStore store, [FromServices] IScanGateway scans, [FromServices] IOutputCacheStore cache, CancellationToken cancellationToken)
    {
        if (await store.GetDeliverableAsync(id, did, cancellationToken) is not { Storage: not null })
            return TypedResults.NotFound();
        await store.DeleteDeclarationAsync(did, cancellationToken);
        await scans.RevokeAsync(did, cancellationToken);
        await cache.EvictByTagAsync(WebFrontPolicies.ProjectsTag, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Accepted<ScanQueued>, NotFound>> RequestScan(
        Guid id, Guid did, [FromServices] ProjectStore store, [FromServices] IScanGateway scans, CancellationToken cancellationToken)
    {
        if (await store.GetDeliverableAsync(id, did, cancellationToken) is not { Storage: not null })
            return TypedResults.NotFound();
        if (!await scans.RequestScanAsync(did, cancellationToken))
            return TypedResults.NotFound();
        var scanUrl = $"/api/projects/{id}/deliverables/{did}/scan";
        return TypedResults.Accepted(scanUrl, new ScanQueued("queued", scanUrl));
    }

    public static async Task<Results<Ok<ScanStateResponse>, NotFound>> GetScan(
        Guid id, Guid did, [FromServices] ProjectStore store, [FromServices] IScanGateway scans, CancellationToken cancellationToken)
    {
        if (await store.GetDeliverableAsync(id, did, cancellationToken) is not { Storage: not null })
            return TypedResults.NotFound();
        var views = await scans.GetScansAsync(id, [did], cancellationToken);
        var view = views.Count > 0 ? views[0] : null;
        if (view is null)
            return TypedResults.Ok(new ScanStateResponse("queued", ToProgress(ScanCounters.Zero), null, null));
        return TypedResults.Ok(new ScanStateResponse(view.Status, ToProgress(view.Progress), view.LastSuccessAt, view.LastError));
    }

    private static ScanProgressResponse ToProgress(ScanCounters c) =>
        new(c.Directories, c.Files, c.Analysed, c.Unchanged, c.Errors, c.BytesRead);
}
