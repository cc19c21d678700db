using Orleans.Concurrency;

namespace Pcrs.Grains.Interfaces.Projects;

/// <summary>A project (key: its id as text): the scan views of its deliverables for the project page, gathered in one call.</summary>
[Alias("pcrs.IProjectGrain")]
public interface IProjectGrain : IGrainWithStringKey
{
    /// <summary>Scan views of the given deliverables, in the same order; null entries for deliverables without storage.</summary>
    /// <remarks>Read-only: a popular project's page views interleave (the grain keeps no state).</remarks>
    [Alias("GetDeliverableScans"), ReadOnly]
    Task<DeliverableScanView?[]> GetDeliverableScans(string[] deliverableIds);
}
