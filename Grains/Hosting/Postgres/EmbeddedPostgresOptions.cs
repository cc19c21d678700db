using System.ComponentModel.DataAnnotations;

namespace Pcrs.Grains.Hosting.Postgres;

/// <summary>
/// Settings of the PostgreSQL server the application runs itself when no ConnectionStrings:Pcrs is configured
/// (configuration section "Database").
/// </summary>
public sealed class EmbeddedPostgresOptions
{
    public const string Section = "Database";

    /// <summary>
    /// Folder holding the cluster ("cluster/"), its log and the generated credentials. Default: /var/lib/pcrs when
    /// running as root (the server runs as the postgres user, which cannot enter /root), else
    /// $XDG_DATA_HOME/pcrs or ~/.local/share/pcrs.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>TCP port on 127.0.0.1. 0 (default): keep the port used last time if it is free, else pick a free one.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>Folder with initdb and pg_ctl. Default: the newest /usr/lib/postgresql/*/bin, then the PATH.</summary>
    public string? BinDirectory { get; set; }

    public string ResolveDataDirectory()
    {
        if (!string.IsNullOrWhiteSpace(DataDirectory))
        {
            return Path.GetFullPath(DataDirectory);
        }

        if (PosixUser.IsRoot())
        {
            return "/var/lib/pcrs";
        }

        string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        string root = !string.IsNullOrWhiteSpace(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(root, "pcrs");
    }
}
