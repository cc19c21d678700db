using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace Pcrs.Grains.Hosting.Secrets;

/// <summary>
/// The Data Protection key manager with a shorter memory. Data Protection caches the key ring for up to 24 hours and only
/// notices keys created or revoked by its own process; with several processes on one key ring, a key rotated by an
/// operator would stay unknown elsewhere for a day. Here the cached ring expires every <see cref="RefreshPeriod"/>, and
/// <see cref="Refresh"/> expires it at once (a secret under a key this process has not seen yet).
/// </summary>
public sealed class RefreshingKeyManager(XmlKeyManager inner) : IKeyManager, IDisposable
{
    /// <summary>Every process reads the key ring again at least this often: the wait before old keys may be retired.</summary>
    public static readonly TimeSpan RefreshPeriod = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private CancellationTokenSource _current = new(RefreshPeriod);

    public IKey CreateNewKey(DateTimeOffset activationDate, DateTimeOffset expirationDate) => inner.CreateNewKey(activationDate, expirationDate);

    public IReadOnlyCollection<IKey> GetAllKeys() => inner.GetAllKeys();

    /// <summary>Called once per reading of the key ring: the ring read now expires at the period, at a refresh, or as the inner manager says.</summary>
    public CancellationToken GetCacheExpirationToken()
    {
        CancellationTokenSource next = CancellationTokenSource.CreateLinkedTokenSource(inner.GetCacheExpirationToken());
        next.CancelAfter(RefreshPeriod);
        CancellationTokenSource previous;
        lock (_gate)
        {
            (previous, _current) = (_current, next);
        }
        // The ring read before is replaced by now; its token's state stays readable after the source is disposed.
        previous.Dispose();
        return next.Token;
    }

    /// <summary>Makes the next use of the key ring read it again from the database.</summary>
    public void Refresh()
    {
        lock (_gate)
        {
            if (!_current.IsCancellationRequested)
                _current.Cancel();
        }
    }

    public void RevokeAllKeys(DateTimeOffset revocationDate, string? reason = null) => inner.RevokeAllKeys(revocationDate, reason);

    public void RevokeKey(Guid keyId, string? reason = null) => inner.RevokeKey(keyId, reason);

    public void Dispose()
    {
        lock (_gate)
        {
            _current.Dispose();
        }
    }
}
