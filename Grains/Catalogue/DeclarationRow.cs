using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Catalogue;

/// <summary>
/// A deliverable's storage declaration as the StorageGrain (its only writer) keeps it: the start path, the login with
/// its password encrypted by the deployment's key ring (the one copy at rest), the TLS mode (in <see cref="Scheme"/>),
/// the trusted fingerprints, the rescan period, the two access flags, and whether the login is proven.
/// <see cref="Revision"/> grows with every declaration, so a proof of an older one never changes a newer one.
/// </summary>
public sealed record DeclarationRow
{
    public required string DeliverableId { get; init; }
    public required string StorageKey { get; init; }

    /// <summary>"http", "https", "ftp", "ftpes", "ftps", "sftp" or "file": the protocol with its TLS mode.</summary>
    public required string Scheme { get; init; }

    /// <summary>The storage's host and port (read with the declaration from the storage row; not written by it).</summary>
    public string Host { get; init; } = "";
    public int Port { get; init; }

    public string? UserName { get; init; }
    public required string StartPath { get; init; }

    /// <summary>Cipher text of the password (key ring); null without one.</summary>
    public string? ProtectedSecret { get; init; }
    public IReadOnlyList<string> TrustPins { get; init; } = [];
    public int? RescanDays { get; init; }
    public bool PublicConnection { get; init; }
    public bool DownloadAllowed { get; init; }
    public DeclarationState State { get; init; } = DeclarationState.Verifying;

    /// <summary>Why the declaration failed (the server's reason), or a note of its last check.</summary>
    public string? StateError { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }

    /// <summary>The last proof needed the password (always for FTP and SFTP logins; on HTTP only where the server asks for it).</summary>
    public bool PasswordRequired { get; init; }
    public long Revision { get; init; }

    public bool IsProven => State == DeclarationState.Proven;

    public override string ToString() =>
        $"DeclarationRow {{ {DeliverableId} on {StorageKey}{StartPath}, {Scheme}, {State}, revision {Revision}, secret {(ProtectedSecret is null ? "none" : "set")} }}";
}
