using System.Globalization;
using System.Runtime.InteropServices;

namespace Pcrs.Grains.Hosting.Postgres;

/// <summary>The few facts about Unix users that starting PostgreSQL needs.</summary>
internal static class PosixUser
{
    /// <summary>The account PostgreSQL runs as when we are root (initdb refuses to run as root).</summary>
    public const string ServerAccount = "postgres";

    public static bool IsRoot() => OperatingSystem.IsLinux() && geteuid() == 0;

    /// <summary>Uid and gid of an account from /etc/passwd, or null when it does not exist.</summary>
    public static (int Uid, int Gid)? Find(string account)
    {
        if (!File.Exists("/etc/passwd"))
        {
            return null;
        }

        foreach (string line in File.ReadLines("/etc/passwd"))
        {
            string[] fields = line.Split(':');
            if (fields.Length >= 4 && fields[0] == account &&
                int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out int uid) &&
                int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out int gid))
            {
                return (uid, gid);
            }
        }

        return null;
    }

    public static void ChangeOwner(string path, int uid, int gid)
    {
        if (chown(path, uid, gid) != 0)
        {
            throw new IOException($"chown {uid}:{gid} {path} failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>True when a process with this id exists and is a PostgreSQL server.</summary>
    public static bool IsPostgresProcess(int pid)
    {
        try
        {
            string comm = File.ReadAllText($"/proc/{pid}/comm").Trim();
            return comm is "postgres" or "postmaster";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    private static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int owner, int group);
}
