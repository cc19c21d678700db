using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Pcrs.Grains.Catalogue;

namespace Pcrs.Grains.Hosting.Secrets;

/// <summary>Outcome of re-encrypting the stored secrets under <paramref name="KeyId"/>.</summary>
public sealed record ReencryptionReport(Guid KeyId, int Reencrypted, int AlreadyCurrent, int ChangedMeanwhile);

/// <summary>One key of the ring, with the number of stored secrets it protects.</summary>
public sealed record KeyState(Guid KeyId, DateTimeOffset Created, DateTimeOffset Activation, DateTimeOffset Expiration, bool Revoked, int Secrets);

/// <summary>
/// Rotation of the key that protects the stored storage passwords, while every process keeps running. <see cref="RotateAsync"/>
/// adds a key that protects new secrets from now on and re-encrypts the stored ones under it; old keys still decrypt
/// (processes that have not read the new key yet protect with them for up to <see cref="RefreshingKeyManager.RefreshPeriod"/>).
/// <see cref="RetireAsync"/> then re-encrypts what was written meanwhile and revokes the old keys: a stolen old key
/// then opens nothing still stored.
/// </summary>
public sealed class KeyRotation(IKeyManager keys, ISecretProtector protector, StoredSecrets secrets)
{
    /// <summary>Life of a rotated key, as Data Protection's own (it makes the next one before this one expires).</summary>
    public static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(90);

    private static readonly TimeSpan CurrentWait = TimeSpan.FromSeconds(30);

    public async Task<ReencryptionReport> RotateAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        IKey key = keys.CreateNewKey(now, now + KeyLifetime);
        await WaitUntilCurrentAsync(key.KeyId, cancellationToken);
        return await ReencryptAsync(key.KeyId, cancellationToken);
    }

    /// <summary>
    /// Revokes every key older than the current one once no stored secret uses it. Refused while the current key is younger
    /// than <see cref="RefreshingKeyManager.RefreshPeriod"/> (another process may still protect with an old key) unless
    /// <paramref name="force"/>, and whenever a secret could not be moved to the current key.
    /// </summary>
    public async Task<(ReencryptionReport Sweep, IReadOnlyList<Guid> Retired)> RetireAsync(bool force, CancellationToken cancellationToken)
    {
        (keys as RefreshingKeyManager)?.Refresh();
        Guid current = await CurrentKeyIdAsync(cancellationToken);
        IKey currentKey = keys.GetAllKeys().Single(k => k.KeyId == current);
        var age = DateTimeOffset.UtcNow - currentKey.ActivationDate;
        if (!force && age < RefreshingKeyManager.RefreshPeriod)
            throw new InvalidOperationException(
                $"Key {current} is {age.TotalMinutes:0.0} minutes old; other processes read a new key within {RefreshingKeyManager.RefreshPeriod.TotalMinutes:0} minutes " +
                "and may still protect new passwords with an old one until then. Retire later, or with --force once every process was restarted.");
        var sweep = await ReencryptAsync(current, cancellationToken);
        int left = (await secrets.ListAsync(cancellationToken)).Count(s => DataProtectionSecretProtector.KeyIdOf(s.ProtectedSecret) != current);
        if (left > 0)
            throw new InvalidOperationException($"{left} stored secrets are still under an old key (written while retiring): run retire again.");
        // Keys activated later than the current one are Data Protection's next key, made ahead of time: never retired.
        var retired = keys.GetAllKeys()
            .Where(k => !k.IsRevoked && k.KeyId != current && k.ActivationDate <= currentKey.ActivationDate)
            .Select(k => k.KeyId)
            .ToList();
        foreach (Guid id in retired)
            keys.RevokeKey(id, $"Retired after rotation to key {current}: no stored secret uses it.");
        return (sweep, retired);
    }

    /// <summary>Re-encrypts under <paramref name="keyId"/> every stored secret protected with another key.</summary>
    public async Task<ReencryptionReport> ReencryptAsync(Guid keyId, CancellationToken cancellationToken)
    {
        int moved = 0, current = 0, changed = 0;
        foreach (var stored in await secrets.ListAsync(cancellationToken))
        {
            if (DataProtectionSecretProtector.KeyIdOf(stored.ProtectedSecret) == keyId)
            {
                current++;
                continue;
            }
            string again = protector.Protect(protector.Unprotect(stored.ProtectedSecret));
            if (DataProtectionSecretProtector.KeyIdOf(again) != keyId)
                throw new InvalidOperationException($"Key {keyId} is no longer the one protecting new secrets; run the rotation again.");
            if (await secrets.ReplaceAsync(stored, again, cancellationToken))
                moved++;
            else
                changed++;
        }
        return new ReencryptionReport(keyId, moved, current, changed);
    }

    /// <summary>Every key of the ring, oldest first, with the number of stored secrets under each.</summary>
    public async Task<IReadOnlyList<KeyState>> ListAsync(CancellationToken cancellationToken)
    {
        var counts = (await secrets.ListAsync(cancellationToken))
            .GroupBy(s => DataProtectionSecretProtector.KeyIdOf(s.ProtectedSecret) ?? Guid.Empty)
            .ToDictionary(g => g.Key, g => g.Count());
        return keys.GetAllKeys()
            .OrderBy(k => k.ActivationDate)
            .Select(k => new KeyState(k.KeyId, k.CreationDate, k.ActivationDate, k.ExpirationDate, k.IsRevoked, counts.GetValueOrDefault(k.KeyId)))
            .ToList();
    }

    /// <summary>The key new secrets are protected with now, as this process's key ring says.</summary>
    public Task<Guid> CurrentKeyIdAsync(CancellationToken cancellationToken) => WaitUntilCurrentAsync(null, cancellationToken);

    // This process reads the ring again in the background after a change: wait until it protects with the expected key.
    private async Task<Guid> WaitUntilCurrentAsync(Guid? expected, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + CurrentWait;
        while (true)
        {
            Guid? id = DataProtectionSecretProtector.KeyIdOf(protector.Protect("key probe"));
            if (id is { } found && (expected is null || found == expected))
                return found;
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException(expected is null
                    ? "The secret protector does not use Data Protection keys."
                    : $"Key {expected} was added but new secrets are still protected with {id}: a key activated later exists.");
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }
}
