using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OutputCaching;
using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Grains.Projects;
using Pcrs.WebFront.Auth;
using Pcrs.WebFront.Catalogue;
using Pcrs.WebFront.Model;
using Pcrs.WebFront.Projects;
using Pcrs.WebFront.Scanning;
using Pcrs.WebFront.Territories;
using Pcrs.WebFront.Validation;
using Pcrs.Grains.Catalogue;

namespace Pcrs.WebFront.Apis;

/// <summary>Projects: create (admin), list and read (public), full update (editor), delete (admin).</summary>
public static class ProjectsApi
{
    public static IEndpointRouteBuilder MapProjectsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/projects").WithTags("Projects");

        api.MapPost("/", CreateProject)
            .WithName("CreateProject")
            .WithSummary("Create a project")
            .WithDescription("Administrators only. Returns the project id and its editor key, shown this once.")
            .RequireAdmin();
        api.MapGet("/", ListProjects)
            .WithName("ListProjects")
            .WithSummary("List projects with their current status")
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit);
        api.MapGet("/{id:guid}", GetProject)
            .WithName("GetProject")
            .WithSummary("A project with its deliverables and their scan summaries")
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit);
        api.MapPut("/{id:guid}", UpdateProject)
            .WithName("UpdateProject")
            .WithSummary("Replace a project")
            .WithDescription("Deliverables with an id are updated, those without get a server id, those left out are removed (their storage revoked).")
            .RequireProjectEditor();
        api.MapDelete("/{id:guid}", DeleteProject)
            .WithName("DeleteProject")
            .WithSummary("Delete a project (soft delete; storages revoked)")
            .RequireAdmin();
        return app;
    }

    public static async Task<Results<Created<ProjectCreated>, ValidationProblem>> CreateProject(
        ProjectRequest? request, [FromServices] ProjectStore store, [FromServices] IOutputCacheStore cache, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var (project, deliverables) = ProjectValidator.ValidateNew(request, errors);
        if (project is null || deliverables is null)
            return TypedResults.ValidationProblem(errors.ToDictionary());
        var id = Guid.CreateVersion7();
        var editorKey = AccessTokens.NewEditorKey();
        var deliverableIds = await store.CreateAsync(id, project, deliverables.Select(d => d.Document).ToList(), AccessTokens.Hash(editorKey), cancellationToken);
        await cache.EvictByTagAsync(WebFrontPolicies.ProjectsTag, cancellationToken);
        return TypedResults.Created($"/api/projects/{id}", new ProjectCreated(id, editorKey, deliverableIds));
    }

    public static async Task<Ok<List<ProjectListItem>>> ListProjects(
        [FromServices] ProjectStore store, [FromServices] ICatalogueReader reader, [FromServices] ScanDataSummaries catalogue,
        [FromServices] TerritoryIndex territories, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var projects = await store.ListAsync(cancellationToken);
        // Extents for the home map: the union of the tile extents of deliverables with a proven declaration, from the catalogue.
        var extents = new Dictionary<Guid, GeoBox>();
        var counts = new Dictionary<Guid, int>();
        var deliverables = new List<(Guid ProjectId, Guid DeliverableId)>();
        await foreach (var (projectId, _, deliverable) in store.ListDeliverablesAsync(cancellationToken))
        {
            counts[projectId] = counts.GetValueOrDefault(projectId) + 1;
            deliverables.Add((projectId, deliverable.Id));
        }
        var declarations = await DeclaredStorages.ByDeliverableAsync(reader, deliverables.Select(d => d.DeliverableId), cancellationToken);
        foreach (var (projectId, deliverableId) in deliverables)
        {
            if (!declarations.TryGetValue(deliverableId, out var storage) || !storage.IsProven)
                continue;
            var aggregate = await catalogue.SummarizeAsync(storage.StorageKey, storage.StartPath, cancellationToken);
            if (aggregate?.Extent is not { } box)
                continue;
            extents[projectId] = extents.TryGetValue(projectId, out var known)
                ? known.Union(box)
                : box;
        }
        var items = projects.Select(p => new ProjectListItem(
            p.Id, p.Document.Name, p.Document.Regime, p.Document.Nature, p.Document.CurrentStatus(today), p.Document.Perimeters,
            counts.GetValueOrDefault(p.Id), extents.TryGetValue(p.Id, out var extent) ? extent.ToArray() : null,
            p.Document.Actors.Select(a => new ActorSummary(a.Siren, a.Name, a.Role)).ToList(),
            p.Document.Perimeters.Select(territories.Name).ToList())).ToList();
        return TypedResults.Ok(items);
    }

    public static async Task<Results<Ok<ProjectResponse>, NotFound>> GetProject(
        Guid id, [FromServices] ProjectStore store, [FromServices] ICatalogueReader reader, [FromServices] IScanGateway scans,
        [FromServices] ISecretProtector protector, CancellationToken cancellationToken)
    {
        var project = await store.GetAsync(id, cancellationToken);
        if (project is null)
            return TypedResults.NotFound();
        return TypedResults.Ok(await BuildResponseAsync(project, reader, scans, protector, cancellationToken));
    }

    public static async Task<Results<Ok<ProjectResponse>, NotFound, ValidationProblem>> UpdateProject(
        Guid id, ProjectRequest? request, [FromServices] ProjectStore store, [FromServices] ICatalogueReader reader, [FromServices] IScanGateway scans,
        [FromServices] ISecretProtector protector, [FromServices] IOutputCacheStore cache, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var (project, deliverables) = ProjectValidator.Validate(request, errors);
        if (project is null || deliverables is null)
            return TypedResults.ValidationProblem(errors.ToDictionary());
        var before = await store.GetAsync(id, cancellationToken);
        var declaredBefore = before is null ? [] : await DeclaredStorages.ByDeliverableAsync(reader, before.Deliverables.Select(d => d.Id), cancellationToken);
        var result = await store.UpdateAsync(id, project, deliverables, cancellationToken);
        switch (result.Outcome)
        {
            case ProjectUpdateOutcome.ProjectNotFound:
                return TypedResults.NotFound();
            case ProjectUpdateOutcome.UnknownDeliverable:
                errors.Add($"deliverables[{result.UnknownDeliverableIndex}].id", "This deliverable id does not belong to the project.");
                return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        // Removed deliverables lose their declarations (a no-op for those without one).
        foreach (var removed in result.RemovedDeliverables ?? [])
            await scans.RevokeAsync(removed, cancellationToken);
        await store.RecordDeliverableEventsAsync((result.RemovedDeliverables ?? []).Where(declaredBefore.ContainsKey)
            .Select(d => (id, d, (string?)DeclaredStorages.Kind(declaredBefore[d]))).ToList(), "deliverable_removed", cancellationToken);
        await cache.EvictByTagAsync(WebFrontPolicies.ProjectsTag, cancellationToken);
        var updated = await store.GetAsync(id, cancellationToken);
        return updated is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(await BuildResponseAsync(updated, reader, scans, protector, cancellationToken));
    }

    public static async Task<Results<NoContent, NotFound>> DeleteProject(
        Guid id, [FromServices] ProjectStore store, [FromServices] ICatalogueReader reader, [FromServices] IScanGateway scans,
        [FromServices] IOutputCacheStore cache, CancellationToken cancellationToken)
    {
        var removed = await store.DeleteAsync(id, cancellationToken);
        if (removed is null)
            return TypedResults.NotFound();
        var declared = await DeclaredStorages.ByDeliverableAsync(reader, removed, cancellationToken);
        foreach (var deliverableId in removed)
            await scans.RevokeAsync(deliverableId, cancellationToken);
        await store.RecordDeliverableEventsAsync(declared.Select(d => (id, d.Key, (string?)DeclaredStorages.Kind(d.Value))).ToList(),
            "deliverable_removed", cancellationToken);
        await cache.EvictByTagAsync(WebFrontPolicies.ProjectsTag, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<ProjectResponse> BuildResponseAsync(
        StoredProject project, ICatalogueReader reader, IScanGateway scans, ISecretProtector protector, CancellationToken cancellationToken)
    {
        var declarations = await DeclaredStorages.ByDeliverableAsync(reader, project.Deliverables.Select(d => d.Id), cancellationToken);
        var declared = project.Deliverables.Where(d => declarations.ContainsKey(d.Id)).Select(d => d.Id).ToList();
        // The grains give each deliverable its own view: verifying or failed ones carry no counts and no summary.
        var views = declared.Count == 0 ? [] : await scans.GetScansAsync(project.Id, declared, cancellationToken);
        var byDeliverable = declared.Zip(views).ToDictionary(p => p.First, p => p.Second);
        var ordered = project.Deliverables.Select(d => byDeliverable.GetValueOrDefault(d.Id)).ToList();
        return ProjectViews.ToResponse(project, declarations, ordered, protector, DateOnly.FromDateTime(DateTime.UtcNow));
    }
}
