using System.Net;
using System.Text;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning.Placement;

namespace Pcrs.Cluster.Tests;

/// <summary>
/// Storage placement's choice of silo (<see cref="StorageSilos"/>): every grain of a storage's crawl goes where the
/// storage goes, every silo agrees whatever order it lists the members in, and a membership change moves only the
/// storages it must. Inputs are fixed (silo addresses and storage keys), so every assertion is deterministic.
/// </summary>
public sealed class StorageSilosTests
{
    private static readonly SiloAddress[] Silos =
    [
        SiloAddress.New(IPEndPoint.Parse("10.0.0.1:11111"), 500_000_001),
        SiloAddress.New(IPEndPoint.Parse("10.0.0.2:11111"), 500_000_002),
        SiloAddress.New(IPEndPoint.Parse("10.0.0.3:11111"), 500_000_003),
    ];

    /// <summary>The cluster benchmark's storages: one nginx server per port, 100 of them.</summary>
    private static readonly string[] Storages = Enumerable.Range(18000, 100).Select(p => $"http://127.0.0.1:{p}").ToArray();

    [Fact]
    public void Every_grain_of_a_storages_crawl_is_placed_with_the_storage()
    {
        foreach (string storage in Storages.Append("ftp://peer@127.0.0.1:2121").Append("file://"))
        {
            SiloAddress home = StorageSilos.Choose(storage, Silos);
            string[] keys =
            [
                storage,
                ScanKeys.Directory(storage, "/"),
                ScanKeys.Directory(storage, "/lot01/d0003"),
                ScanKeys.File(storage, "/lot01/d0003/PCRS_0600200_6899800_5cm_LA93.tif"),
                ScanKeys.FileShard(storage, 63),
            ];
            foreach (string key in keys)
            {
                var utf8 = Encoding.UTF8.GetBytes(key);
                Assert.Equal(home, StorageSilos.Choose(StorageSilos.StorageKeyOf(utf8), Silos));
                Assert.Equal(key != storage, StorageSilos.IsCrawlKey(utf8));
            }
        }
    }

    [Fact]
    public void Silos_listing_the_members_in_any_order_agree()
    {
        SiloAddress[] reversed = [.. Silos.Reverse()];
        SiloAddress[] rotated = [Silos[1], Silos[2], Silos[0]];
        foreach (string storage in Storages)
        {
            SiloAddress home = StorageSilos.Choose(storage, Silos);
            Assert.Equal(home, StorageSilos.Choose(storage, reversed));
            Assert.Equal(home, StorageSilos.Choose(storage, rotated));
        }
    }

    [Fact]
    public void Storages_spread_over_every_silo()
    {
        var perSilo = Storages.GroupBy(s => StorageSilos.Choose(s, Silos)).ToDictionary(g => g.Key, g => g.Count());
        // Every silo gets storages; how evenly is a property of the hash, shown here for these fixed inputs: at least half
        // an even share each (a third of 100 storages is 33; a hash that sent most storages to one silo would fail).
        Assert.Equal(Silos.Length, perSilo.Count);
        Assert.All(perSilo.Values, n => Assert.True(n >= Storages.Length / Silos.Length / 2, $"a silo got {n} of {Storages.Length} storages"));
    }

    [Fact]
    public void A_silo_leaving_moves_only_its_own_storages_and_a_silo_joining_takes_storages_only_for_itself()
    {
        SiloAddress[] two = [Silos[0], Silos[1]];
        foreach (string storage in Storages)
        {
            SiloAddress withThree = StorageSilos.Choose(storage, Silos);
            SiloAddress withTwo = StorageSilos.Choose(storage, two);
            if (!withThree.Equals(Silos[2]))
                Assert.Equal(withThree, withTwo); // its silo stayed: it does not move
            else
                Assert.Contains(withTwo, two); // its silo left: it moves to a survivor
        }
        // Read the other way: the third silo joining takes storages for itself and moves no other.
        Assert.Contains(Storages, s => StorageSilos.Choose(s, Silos).Equals(Silos[2]));
    }

    [Fact]
    public void One_silo_takes_everything_and_no_silo_is_an_error()
    {
        Assert.All(Storages, s => Assert.Equal(Silos[1], StorageSilos.Choose(s, [Silos[1]])));
        Assert.Throws<ArgumentOutOfRangeException>(() => StorageSilos.Choose(Storages[0], []));
    }
}
