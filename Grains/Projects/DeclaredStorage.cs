namespace Pcrs.Grains.Projects;

/// <summary>
/// A storage declared on a deliverable, as stored. <see cref="ProtectedPassword"/> is the password encrypted with the
/// silos' key ring; it leaves the store only towards the code that connects to the storage.
/// </summary>
public sealed record DeclaredStorage
{
    public required Guid DeliverableId { get; init; }

    /// <summary>StorageLocation.IdentityKey (protocol family, host, port, account): the catalogue's key for scan data.</summary>
    public required string StorageIdentity { get; init; }

    /// <summary>"http", "ftp" or "sftp".</summary>
    public required string Kind { get; init; }

    /// <summary>Storage URL without password (FileZilla schemes: http(s), ftp, ftpes, ftps, sftp).</summary>
    public required string Location { get; init; }

    /// <summary>Decoded absolute path the deliverable covers on the storage.</summary>
    public required string StartPath { get; init; }

    /// <summary>FTP only: "none", "explicit" or "implicit".</summary>
    public string? Tls { get; init; }

    public string? UserName { get; init; }
    public string? ProtectedPassword { get; init; }
    public bool PublicConnection { get; init; }
    public bool DownloadAllowed { get; init; }
    public DateTimeOffset DeclaredAt { get; init; }

    /// <summary>Days between periodic rescans the owner asked for; null: the deployment's default.</summary>
    public int? RescanDays { get; init; }

    /// <summary>Certificate or SSH host-key fingerprints ("SHA256:base64") the owner declared as trusted.</summary>
    public IReadOnlyList<string> Trust { get; init; } = [];
}
