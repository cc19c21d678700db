namespace Pcrs.Grains.Storage;

/// <summary>Path helpers shared by every protocol client.</summary>
public static class StoragePaths
{
    /// <summary>
    /// Rejects CR, LF and NUL (and other C0 controls) before a path reaches any protocol command: on FTP they would
    /// let a crafted name inject commands on the control connection.
    /// </summary>
    public static void EnsureSafe(string path)
    {
        foreach (char c in path)
        {
            if (c < 0x20 || c == 0x7F)
                throw new StorageException(StorageErrorKind.Invalid,
                    "The path contains a control character (CR, LF, NUL or another C0 control), which is never allowed.");
        }
    }

    /// <summary>Joins a directory path and a child name with exactly one '/'.</summary>
    public static string Combine(string directory, string name) =>
        directory.EndsWith('/') ? directory + name : directory + "/" + name;

    /// <summary>The directory part of a path ("/a/b.tif" → "/a"; "/b.tif" → "/").</summary>
    public static string Parent(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    /// <summary>The last segment of a path.</summary>
    public static string FileName(string path) => path[(path.LastIndexOf('/') + 1)..];
}
