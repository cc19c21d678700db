namespace Pcrs.Grains.Catalogue;

/// <summary>
/// Path-prefix ranges. With the "C" collation, the strict descendants of "/a" are exactly the paths in ["/a/", "/a0"),
/// because '0' is the character after '/'. The root "/" selects every path.
/// </summary>
public static class CataloguePaths
{
    /// <summary>Lower (inclusive) and upper (exclusive) bounds of the strict descendants of <paramref name="directory"/>.</summary>
    public static (string From, string To) Descendants(string directory)
    {
        if (directory == "/")
            return ("/", "0");
        string trimmed = directory.TrimEnd('/');
        return (trimmed + "/", trimmed + "0");
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="prefix"/> or lies under it.</summary>
    public static bool IsUnder(string path, string prefix)
    {
        if (prefix == "/")
            return true;
        string trimmed = prefix.TrimEnd('/');
        return path == trimmed || path.StartsWith(trimmed + "/", StringComparison.Ordinal);
    }

    /// <summary>The parent directory of an absolute path ("/a/b" → "/a", "/a" → "/").</summary>
    public static string Parent(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }
}

/// <summary>
/// Lengths the catalogue can index. A btree index entry must fit in about a third of a page (2,704 bytes with 8 KiB
/// pages); the primary keys hold the storage key and the path, so a path is kept well below that.
/// </summary>
public static class CatalogueLimits
{
    /// <summary>Longest path (UTF-8 bytes) of an entry, tile or directory the catalogue records.</summary>
    public const int MaxPathBytes = 2000;

    /// <summary>Longest start path (UTF-8 bytes) a declaration may give, leaving room for the tree below it.</summary>
    public const int MaxStartPathBytes = 1024;

    /// <summary>Longest storage URL (characters) a declaration may give.</summary>
    public const int MaxUrlLength = 2048;

    public static bool PathFits(string path) => System.Text.Encoding.UTF8.GetByteCount(path) <= MaxPathBytes;
}
