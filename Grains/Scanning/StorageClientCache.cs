using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// One <see cref="IStorageClient"/> per storage per silo, shared by every DirectoryGrain and FileGrain of that storage
/// on this silo, so connections are pooled and reused for many files. Created with the login of the storage's crawl
/// credential (a proven declaration, <see cref="StorageRow.CrawlCredential"/>) and a limiter backed by the StorageGrain's
/// leases. A newer scan number recreates the client, which is how a changed crawl credential reaches every silo without
/// any broadcast. Proofs of new declarations get a client of their own (<see cref="CreateProbe"/>) under the same leases. When the silo stops, the limiters stop
/// watching their leases (<see cref="LeasedConnectionLimiter"/>; when: <see cref="Participate"/>).
/// </summary>
public sealed partial class StorageClientCache(
    ICatalogue catalogue,
    IStorageClientFactory factory,
    ISecretProtector protector,
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    ScanTrustOverrides trustOverrides,
    ScanActivity activity,
    ILogger<StorageClientCache> logger) : IAsyncDisposable, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _siloStopping = new();
    // Replaced clients waiting to be closed (RetireAsync): closed with the others when the silo stops.
    private readonly ConcurrentDictionary<IStorageClient, byte> _retiring = new();
    private volatile bool _stopping;
    // Read without a gate (every FileGrain call asks for its client); written only under the storage's gate.
    private readonly ConcurrentDictionary<string, Entry> _clients = new(StringComparer.Ordinal);
    // One gate per storage, so that one client is made per storage and scan. Never one gate for the silo: making a client
    // reads the catalogue, and behind a busy catalogue a silo-wide gate made every storage's scan wait for every other
    // storage's client in turn (100 storages started their unchanged rescans one after another, a minute apart).
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    private sealed record Entry(long ScanNumber, IStorageClient Client);

    /// <summary>The client for <paramref name="storageKey"/> as of scan <paramref name="scanNumber"/> (or newer).</summary>
    public async Task<IStorageClient> GetAsync(string storageKey, long scanNumber, CancellationToken cancellationToken)
    {
        // The common case, a client of this scan already made, takes no lock: the gate serialised every file's call on a silo.
        if (_clients.TryGetValue(storageKey, out var current) && current.ScanNumber >= scanNumber)
            return current.Client;
        IStorageClient? retired = null;
        var gate = _gates.GetOrAdd(storageKey, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (_clients.TryGetValue(storageKey, out var entry) && entry.ScanNumber >= scanNumber)
                return entry.Client;
            var client = await CreateAsync(storageKey, cancellationToken);
            retired = entry?.Client;
            _clients[storageKey] = new Entry(scanNumber, client);
            return client;
        }
        finally
        {
            gate.Release();
            if (retired is not null)
                _ = RetireAsync(retired);
        }
    }

    private async Task<IStorageClient> CreateAsync(string storageKey, CancellationToken cancellationToken)
    {
        var row = await catalogue.GetStorageAsync(storageKey, cancellationToken)
            ?? throw new StorageException(StorageErrorKind.Invalid, "The storage is not declared any more.");
        // Only a proven declaration's login is ever used by the crawl: a declaration still verifying, or refused, cannot
        // change what the others see.
        var credential = row.CrawlCredential is { } owner ? await catalogue.GetDeclarationAsync(owner, cancellationToken) : null;
        if (credential is not { IsProven: true } || credential.StorageKey != storageKey)
            throw new StorageException(StorageErrorKind.Authentication, "No declaration of this storage has a proven login.");
        LogClientCreated(logger, storageKey);
        // One circuit per client: a newer scan's client starts with the server taken as up.
        return new CircuitBreakingStorageClient(CreateClient(credential, Decrypt(credential)), new StorageCircuit());
    }

    /// <summary>
    /// A client of its own for proving <paramref name="declaration"/> (its scheme, login, password and pins), under the
    /// storage's leases like every other connection. The caller disposes it.
    /// </summary>
    public IStorageClient CreateProbe(DeclarationRow declaration) => CreateClient(declaration, Decrypt(declaration));

    private IStorageClient CreateClient(DeclarationRow declaration, string? password)
    {
        var location = StorageLocation.Parse($"{declaration.Scheme}://{FormatHost(declaration.Host)}{(declaration.Port > 0 ? ":" + declaration.Port : "")}/", out _)
            with { UserName = declaration.UserName };
        var pins = declaration.TrustPins.Concat(trustOverrides.PinnedFingerprints).Distinct(StringComparer.Ordinal).ToList();
        var trust = new StorageTrust(trustOverrides.AcceptUnknown, pins, new CatalogueHostKeyStore(catalogue));
        var limiter = new LeasedConnectionLimiter(grains.GetGrain<IConnectionLeaseGrain>(declaration.StorageKey), silo.SiloAddress.ToParsableString(),
            activity.LeaseWaited, _siloStopping.Token);
        return factory.Create(location, new StorageCredentials(declaration.UserName, password), limiter, trust);
    }

    private string? Decrypt(DeclarationRow declaration)
    {
        if (declaration.ProtectedSecret is null)
            return null;
        try
        {
            return protector.Unprotect(declaration.ProtectedSecret);
        }
        catch (CryptographicException)
        {
            throw new StorageException(StorageErrorKind.Authentication,
                "The declaration's password cannot be decrypted (the key ring is missing or was rotated away); declare it again.");
        }
    }

    /// <summary>
    /// When other silos stay, lease watch calls end once this silo's grains are deactivated (the application services
    /// stop after them, before messaging does). Not earlier: grains finishing their work during deactivation still hold
    /// connections, and a StorageGrain re-activated meanwhile on another silo (its own silo, or its directory
    /// registration's, is the one stopping) learns of leases only from their holders' calls; with the watch ended at the
    /// start of the stop, it could grant the limit again to the other silos while this one still had connections open.
    /// The last silo ends them at the start of its stop: no silo could take the StorageGrain, and the calls would only
    /// fail (each logged as an error by the messaging layer). Lease acquires and releases go on either way.
    /// </summary>
    /// <remarks>
    /// At that same stage (grains deactivated, messaging still up) every client is closed, so the connections close and
    /// their leases go back to the StorageGrain while this silo still counts as a holder. Left to the service provider's
    /// disposal, they stayed open after the silo was marked dead in the membership, when the other silos' grants no
    /// longer counted them: a rolling upgrade saw 6 connections at the server under a limit of 3.
    /// </remarks>
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(StorageClientCache), ServiceLifecycleStage.Active, _ => Task.CompletedTask, _ =>
        {
            _stopping = true;
            if (!OtherSilosActive())
                _siloStopping.Cancel();
            return Task.CompletedTask;
        });
        lifecycle.Subscribe(nameof(StorageClientCache), ServiceLifecycleStage.ApplicationServices, _ => Task.CompletedTask, async _ =>
        {
            await CloseAllAsync();
            _siloStopping.Cancel();
        });
    }

    /// <summary>The silo is stopping: a read failing now may be this side closing, not the server answering.</summary>
    public bool IsStopping => _stopping;

    private bool OtherSilosActive() =>
        membership.CurrentSnapshot.Members.Values.Any(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress));

    private static string FormatHost(string host) => host.Contains(':') ? $"[{host}]" : host;

    /// <summary>Closes a replaced client once the grains still using it are likely done.</summary>
    private async Task RetireAsync(IStorageClient client)
    {
        _retiring.TryAdd(client, 0);
        await Task.Delay(TimeSpan.FromMinutes(1));
        if (_retiring.TryRemove(client, out _))
            await CloseAsync(client);
    }

    private async Task CloseAsync(IStorageClient client)
    {
        try
        {
            await client.DisposeAsync();
        }
        catch (Exception e)
        {
            LogRetireFailed(logger, e);
        }
    }

    public ValueTask DisposeAsync() => new(CloseAllAsync());

    /// <summary>Closes every client, the replaced ones too (idle connections now, busy ones as they come back).</summary>
    private async Task CloseAllAsync()
    {
        // Each storage's gate in turn: a client being made when the cache goes away is closed with the others.
        var entries = new List<Entry>();
        foreach (var (storageKey, gate) in _gates)
        {
            await gate.WaitAsync();
            try
            {
                if (_clients.TryRemove(storageKey, out var entry))
                    entries.Add(entry);
            }
            finally
            {
                gate.Release();
            }
        }
        foreach (var entry in entries)
            await CloseAsync(entry.Client);
        foreach (var retired in _retiring.Keys)
        {
            if (_retiring.TryRemove(retired, out _))
                await CloseAsync(retired);
        }
        // _siloStopping is not disposed: limiters of retired clients may still read its token (it holds no timer).
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Storage client created for {StorageKey}")]
    private static partial void LogClientCreated(ILogger logger, string storageKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing a storage client failed")]
    private static partial void LogRetireFailed(ILogger logger, Exception exception);
}

/// <summary>SSH host keys pinned on first use, kept in the storage's catalogue row.</summary>
internal sealed class CatalogueHostKeyStore(ICatalogue catalogue) : IHostKeyStore
{
    public async ValueTask<string?> GetAsync(string storageIdentity, CancellationToken cancellationToken) =>
        (await catalogue.GetStorageAsync(storageIdentity, cancellationToken))?.HostKey;

    public async ValueTask SaveAsync(string storageIdentity, string fingerprint, CancellationToken cancellationToken) =>
        await catalogue.PinHostKeyAsync(storageIdentity, fingerprint, cancellationToken);
}
