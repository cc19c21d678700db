using System.IO.Hashing;
using System.Text;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Scanning.Placement;

/// <summary>
/// Which silo a storage belongs to: rendezvous hashing of the storage key with each silo's address (the silo with the
/// highest hash wins). Every silo computes the same answer from the same membership, with no call and no shared table;
/// when a silo leaves, only its storages move (each to its next-highest silo), and a silo that joins takes about 1/n of
/// the storages, so the grains of the others stay where they run.
/// </summary>
public static class StorageSilos
{
    /// <summary>The storage key a scanning grain's key starts with: the whole key, or what precedes <see cref="ScanKeys.Separator"/>.</summary>
    public static ReadOnlySpan<byte> StorageKeyOf(ReadOnlySpan<byte> grainKey)
    {
        int separator = grainKey.IndexOf((byte)ScanKeys.Separator);
        return separator < 0 ? grainKey : grainKey[..separator];
    }

    /// <summary>True when the grain key names a part of a storage's crawl (a directory, a file, a file shard, a root's budget).</summary>
    public static bool IsCrawlKey(ReadOnlySpan<byte> grainKey) => grainKey.IndexOf((byte)ScanKeys.Separator) >= 0;

    /// <summary>The silo of <paramref name="storageKey"/> (UTF-8) among <paramref name="silos"/> (at least one).</summary>
    public static SiloAddress Choose(ReadOnlySpan<byte> storageKey, IReadOnlyList<SiloAddress> silos)
    {
        ArgumentOutOfRangeException.ThrowIfZero(silos.Count);
        ulong seed = XxHash64.HashToUInt64(storageKey);
        SiloAddress best = silos[0];
        ulong bestScore = 0;
        for (int i = 0; i < silos.Count; i++)
        {
            ulong score = Score(seed, silos[i]);
            // Ties (astronomically rare) go to the lower address, so that every silo still agrees.
            if (i == 0 || score > bestScore || (score == bestScore && silos[i].CompareTo(best) < 0))
                (best, bestScore) = (silos[i], score);
        }
        return best;
    }

    /// <summary>The silo of the storage named by <paramref name="storageKey"/> (text form, as grain keys hold it).</summary>
    public static SiloAddress Choose(string storageKey, IReadOnlyList<SiloAddress> silos) =>
        Choose(Encoding.UTF8.GetBytes(storageKey), silos);

    private static ulong Score(ulong storageSeed, SiloAddress silo) =>
        XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(silo.ToParsableString()), unchecked((long)storageSeed));
}
