namespace Pcrs.Grains.Storage.Local;

/// <summary>
/// Resolves symbolic links one path component at a time, the way the kernel does, so the client can see where a path
/// really leads before touching it. A bounded number of link hops makes symlink loops fail fast instead of hanging.
/// </summary>
internal static class LocalPathResolver
{
    /// <summary>Same limit as Linux (ELOOP after 40 links).</summary>
    public const int MaxLinkHops = 40;

    /// <summary>Returns the physical path <paramref name="path"/> leads to; components that do not exist are kept as written.</summary>
    /// <exception cref="StorageException">More than <see cref="MaxLinkHops"/> links (a loop).</exception>
    public static string Resolve(string path)
    {
        var pending = new Stack<string>();
        PushComponents(pending, path);
        string current = "/";
        int hops = 0;
        while (pending.Count > 0)
        {
            string part = pending.Pop();
            if (part == ".")
                continue;
            if (part == "..")
            {
                current = Parent(current);
                continue;
            }
            string candidate = current == "/" ? "/" + part : current + "/" + part;
            string? target = LinkTarget(candidate);
            if (target is null)
            {
                current = candidate;
                continue;
            }
            if (++hops > MaxLinkHops)
                throw new StorageException(StorageErrorKind.Invalid, $"Too many symbolic links (a loop?) while resolving \"{path}\".");
            if (target.StartsWith('/'))
                current = "/";
            PushComponents(pending, target);
        }
        return current;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or lies below it (both physical, normalised).</summary>
    public static bool IsWithin(string path, string root) =>
        root == "/" || path == root || path.StartsWith(root + "/", StringComparison.Ordinal);

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            // Not a link, or not readable: treat as a plain component; opening it later reports the real error.
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void PushComponents(Stack<string> pending, string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 1; i >= 0; i--)
            pending.Push(parts[i]);
    }

    private static string Parent(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }
}
