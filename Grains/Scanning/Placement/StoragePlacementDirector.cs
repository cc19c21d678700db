using Microsoft.Extensions.Options;
using Orleans.Runtime.Placement;

namespace Pcrs.Grains.Scanning.Placement;

/// <summary>
/// Activates a storage's grains on the storage's silo (<see cref="StorageSilos"/>), so that the calls of its crawl (a
/// directory's orders to its sub-directories and file shards, their reports, progress, connection leases, budgets) stay
/// in one process: random placement sent most of them to another silo, and the serialization and messaging cost more silo
/// CPU per file at 2 and 3 silos than the second and third silo added. Storages spread over the silos by hash.
/// </summary>
/// <remarks>
/// Placement happens only when an activation is created: grains already running stay where they are when the
/// membership changes, and the new activations of a storage (after its silo died: the watchdog's orders re-create them)
/// go to its silo in the new membership. With <see cref="CrawlPlacement.Spread"/> the crawl grains go to a random silo.
/// </remarks>
public sealed class StoragePlacementDirector(IOptions<ScanningOptions> options) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        SiloAddress[] silos = context.GetCompatibleSilos(target);
        ReadOnlySpan<byte> key = target.GrainIdentity.Key.AsSpan();
        if (silos.Length == 1)
            return Task.FromResult(silos[0]);
        if (options.Value.CrawlPlacement == CrawlPlacement.Spread && StorageSilos.IsCrawlKey(key))
            return Task.FromResult(silos[Random.Shared.Next(silos.Length)]);
        return Task.FromResult(StorageSilos.Choose(StorageSilos.StorageKeyOf(key), silos));
    }
}
