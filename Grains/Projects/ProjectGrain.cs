using Pcrs.Grains.Interfaces.Projects;

namespace Pcrs.Grains.Projects;

/// <summary>A project page's one call: the scan views of its deliverables, gathered in parallel from their grains.</summary>
public sealed class ProjectGrain : Grain, IProjectGrain
{
    public async Task<DeliverableScanView?[]> GetDeliverableScans(string[] deliverableIds)
    {
        ArgumentNullException.ThrowIfNull(deliverableIds);
        var views = deliverableIds.Select(id => GrainFactory.GetGrain<IDeliverableGrain>(id).GetScan());
        return await Task.WhenAll(views);
    }
}
