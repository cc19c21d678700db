using System.Globalization;
using System.Text;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// Names are data, not keys: an entry whose path is longer than the catalogue can index
/// (<see cref="CatalogueLimits.MaxPathBytes"/>) is refused alone, counted as an error that names it, and never blocks its
/// siblings (before, one such name made the whole directory's catalogue write fail, and the directory restart forever).
/// </summary>
public static class OverlongNames
{
    /// <summary>Removes the entries of <paramref name="listed"/> whose path would not fit; returns how many and the error naming the first.</summary>
    public static (int Count, string? Error) RemoveFrom(List<StorageEntry> listed, string directory)
    {
        string? first = null;
        int removed = listed.RemoveAll(entry =>
        {
            if (CatalogueLimits.PathFits(StoragePaths.Combine(directory, entry.Name)))
                return false;
            first ??= entry.Name;
            return true;
        });
        return removed == 0 ? (0, null) : (removed, Describe(directory, removed, first!));
    }

    /// <summary>The error naming <paramref name="first"/> of the <paramref name="removed"/> names refused in <paramref name="directory"/>.</summary>
    public static string Describe(string directory, int removed, string first)
    {
        string shown = first.Length > 80 ? first[..80] + "…" : first;
        return string.Create(CultureInfo.InvariantCulture,
            $"{directory}: {removed} name{(removed == 1 ? " is" : "s are")} too long to be recorded (more than {CatalogueLimits.MaxPathBytes} bytes of path), e.g. \"{shown}\" ({Encoding.UTF8.GetByteCount(first)} bytes); skipped.");
    }
}
