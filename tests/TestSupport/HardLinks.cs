using System.Runtime.InteropServices;

namespace Pcrs.TestSupport;

/// <summary>
/// Hard links for wide test trees: thousands of real, valid fixture files that take no disk space. .NET has no
/// hard-link API, so this calls libc link(2).
/// </summary>
public static class HardLinks
{
    public static void Create(string existing, string link)
    {
        if (Link(existing, link) != 0)
            throw new IOException($"Could not hard-link {existing} to {link} (errno {Marshal.GetLastPInvokeError()}).");
    }

    /// <summary>
    /// <paramref name="directories"/> folders d00, d01… under <paramref name="root"/>, each holding
    /// <paramref name="filesPerDirectory"/> hard links tile_0000.tif… of <paramref name="source"/>.
    /// </summary>
    public static void CreateTree(string root, int directories, int filesPerDirectory, string source)
    {
        for (int d = 0; d < directories; d++)
        {
            string folder = Path.Combine(root, $"d{d:D2}");
            Directory.CreateDirectory(folder);
            for (int f = 0; f < filesPerDirectory; f++)
                Create(source, Path.Combine(folder, $"tile_{f:D4}.tif"));
        }
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true, CharSet = CharSet.Ansi)]
    private static extern int Link(string existing, string link);
}
