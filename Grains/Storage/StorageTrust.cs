namespace Pcrs.Grains.Storage;

/// <summary>
/// What to trust on TLS (FTPS, HTTPS) and SSH connections beyond the system's certificate store.
/// </summary>
/// <param name="AcceptUnknown">Accept any certificate or host key for this run only (the scan verb's --insecure).</param>
/// <param name="PinnedFingerprints">Certificate or host-key fingerprints accepted as "SHA256:base64" (the scan verb's --trust).</param>
/// <param name="HostKeys">Where SSH host keys are pinned on first use; a changed key is refused. Null: nothing remembered.</param>
public sealed record StorageTrust(bool AcceptUnknown, IReadOnlyList<string> PinnedFingerprints, IHostKeyStore? HostKeys)
{
    public static StorageTrust Default { get; } = new(false, [], null);
}

/// <summary>Remembers the SSH host key (fingerprint "SHA256:base64") first seen for each storage identity.</summary>
public interface IHostKeyStore
{
    ValueTask<string?> GetAsync(string storageIdentity, CancellationToken cancellationToken);

    ValueTask SaveAsync(string storageIdentity, string fingerprint, CancellationToken cancellationToken);
}
