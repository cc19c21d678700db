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

    [DllImport("libc", EntryPoint = "link", SetLastError = true, CharSet = CharSet.Ansi)]
    private static extern int Link(string existing, string link);
}
