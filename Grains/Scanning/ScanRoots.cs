using Pcrs.Grains.Catalogue;

namespace Pcrs.Grains.Scanning;

/// <summary>The minimal set of start paths to crawl: a path under another declared one is crawled once, as part of it.</summary>
public static class ScanRoots
{
    public static IReadOnlyList<string> Minimal(IEnumerable<string> startPaths)
    {
        var sorted = startPaths.Select(Normalize).Distinct(StringComparer.Ordinal).OrderBy(p => p.Length).ThenBy(p => p, StringComparer.Ordinal).ToList();
        var roots = new List<string>();
        foreach (var path in sorted)
        {
            if (!roots.Any(root => CataloguePaths.IsUnder(path, root)))
                roots.Add(path);
        }
        roots.Sort(StringComparer.Ordinal);
        return roots;
    }

    private static string Normalize(string path) => path.Length > 1 ? path.TrimEnd('/') : "/";
}
