using System.Runtime.CompilerServices;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Projects;

namespace Pcrs.WebFront.Projects;

/// <summary>
/// Deliverables of the live projects joined with their storage declarations, which the scanner owns (read through
/// <see cref="ICatalogueReader"/>). Every read of scan data starts here: <see cref="ListProvenAsync"/> yields only the
/// deliverables whose own login is proven, so a refused or unproven declaration never shows tiles, counts or extents.
/// </summary>
public sealed class DeclaredDeliverables(ProjectStore store, ICatalogueReader catalogue)
{
    /// <summary>Every deliverable, in project and position order, with its declaration (any state) when it has one.</summary>
    public async IAsyncEnumerable<(Guid ProjectId, ProjectDocument Project, StoredDeliverable Deliverable, DeclarationRow? Storage)> ListAllAsync(
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var deliverables = new List<(Guid ProjectId, ProjectDocument Project, StoredDeliverable Deliverable)>();
        await foreach (var row in store.ListDeliverablesAsync(cancellationToken))
            deliverables.Add(row);
        var declarations = await DeclaredStorages.ByDeliverableAsync(catalogue, deliverables.Select(d => d.Deliverable.Id), cancellationToken);
        foreach (var (projectId, project, deliverable) in deliverables)
            yield return (projectId, project, deliverable, declarations.GetValueOrDefault(deliverable.Id));
    }

    /// <summary>The deliverables whose declaration is proven: the only ones whose scan data may be shown.</summary>
    public async IAsyncEnumerable<(Guid ProjectId, ProjectDocument Project, StoredDeliverable Deliverable, DeclarationRow Storage)> ListProvenAsync(
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (projectId, project, deliverable, storage) in ListAllAsync(cancellationToken))
        {
            if (storage is { IsProven: true })
                yield return (projectId, project, deliverable, storage);
        }
    }

    /// <summary>A deliverable's declaration when it is proven; null otherwise (none, verifying, refused).</summary>
    public async Task<DeclarationRow?> GetProvenAsync(Guid deliverableId, CancellationToken cancellationToken) =>
        await catalogue.GetDeclarationAsync(deliverableId.ToString(), cancellationToken) is { IsProven: true } storage ? storage : null;
}
