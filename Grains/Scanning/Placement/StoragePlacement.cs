using Orleans.Placement;

namespace Pcrs.Grains.Scanning.Placement;

/// <summary>
/// Places a storage's grains (StorageGrain, its DirectoryGrains, file shards and crawl budgets) by the storage key their
/// own key starts with (see <see cref="StoragePlacementDirector"/>): a storage's crawl runs on one silo, storages spread
/// over the silos.
/// </summary>
[GenerateSerializer, Immutable, Alias("pcrs.StoragePlacementStrategy")]
public sealed class StoragePlacementStrategy : PlacementStrategy
{
    internal static readonly StoragePlacementStrategy Instance = new();
}

/// <summary>Marks a grain keyed by a storage key, or by <c>&lt;storage key&gt;|…</c>, for <see cref="StoragePlacementStrategy"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class StoragePlacementAttribute() : PlacementAttribute(StoragePlacementStrategy.Instance);

/// <summary>Where a storage's crawl grains (directories, file shards, the budget of a scan root) are activated.</summary>
public enum CrawlPlacement
{
    /// <summary>On the storage's silo: every call of the crawl stays in one process (the default).</summary>
    Storage,

    /// <summary>On a silo chosen at random per activation: one storage's crawl spread over every silo (tests of a crawl
    /// that straddles silos, which also happens for a while after the cluster's membership changes).</summary>
    Spread,
}
