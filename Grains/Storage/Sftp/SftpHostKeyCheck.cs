namespace Pcrs.Grains.Storage.Sftp;

/// <summary>
/// Decides whether the host key one SSH connection presents is trusted. A key pinned earlier for the storage must match
/// (a changed key is refused, never silently re-pinned) unless the administrator pinned the new fingerprint explicitly;
/// an unknown key is trusted when pinned explicitly, when a store will pin it on first use, or when the run accepts
/// unknown keys. The decision is made inside SSH.NET's synchronous host-key callback, so the remembered key is read
/// before connecting and a new one is saved only after the login succeeded (a failed login never pins a key).
/// </summary>
internal sealed class SftpHostKeyCheck(StorageTrust trust, string storageIdentity, string? remembered)
{
    /// <summary>The fingerprint the server presented, "SHA256:base64".</summary>
    public string? Presented { get; private set; }

    /// <summary>Why the key was refused; null while it is trusted.</summary>
    public string? Refusal { get; private set; }

    public bool Check(string sha256Base64)
    {
        string presented = "SHA256:" + sha256Base64;
        Presented = presented;
        bool pinnedExplicitly = trust.PinnedFingerprints.Any(p => string.Equals(p.Trim(), presented, StringComparison.Ordinal));
        if (remembered is not null && !string.Equals(remembered, presented, StringComparison.Ordinal) && !pinnedExplicitly)
        {
            Refusal = $"The SSH host key of {storageIdentity} has changed: it was {remembered} when first seen, the server now presents "
                + $"{presented}. The connection was refused because this can be an attack. If the server's key was replaced on "
                + $"purpose, trust the new key explicitly ({presented}).";
            return false;
        }
        if (remembered is not null || pinnedExplicitly)
            return true;
        if (trust.PinnedFingerprints.Count > 0 && !trust.AcceptUnknown)
        {
            Refusal = $"The SSH host key of {storageIdentity} ({presented}) is not among the trusted fingerprints "
                + $"({string.Join(", ", trust.PinnedFingerprints)}).";
            return false;
        }
        if (trust.HostKeys is not null || trust.AcceptUnknown)
            return true;
        Refusal = $"The SSH host key of {storageIdentity} ({presented}) is unknown and nothing can pin it; trust it explicitly "
            + "or allow unknown keys for this run.";
        return false;
    }

    /// <summary>Whether the key presented must be saved now that the login succeeded.</summary>
    public bool ShouldSave => trust.HostKeys is not null && Refusal is null && Presented is not null
        && !string.Equals(remembered, Presented, StringComparison.Ordinal);
}
