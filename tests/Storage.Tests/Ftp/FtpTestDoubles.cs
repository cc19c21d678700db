using System.Net;
using Pcrs.Grains.Storage;

namespace Pcrs.Storage.Tests.Ftp;

/// <summary>
/// A connection limiter like the real one: a count of grants that "too many connections" lowers to what is open.
/// Records the highest number of grants held at once.
/// </summary>
internal sealed class TestConnectionLimiter(int limit) : IConnectionLimiter
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _limit = limit;
    private int _granted;

    public int Limit { get { lock (_gate) return _limit; } }
    public int Granted { get { lock (_gate) return _granted; } }
    public int MaxGranted { get; private set; }

    /// <summary>Leases handed out in total: one per connection ever opened.</summary>
    public int Acquired { get; private set; }
    public int TooManyReports { get; private set; }

    public async ValueTask<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_granted < _limit)
                {
                    _granted++;
                    Acquired++;
                    MaxGranted = Math.Max(MaxGranted, _granted);
                    return new Lease(this);
                }
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    public void ReportTooManyConnections()
    {
        lock (_gate)
        {
            TooManyReports++;
            // As StorageGrain.ReportTooManyConnections: the reporter still holds the refused attempt's lease.
            _limit = Math.Max(1, Math.Min(_limit, _granted - 1));
        }
    }

    private void Release()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _granted--;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.SetResult();
    }

    private sealed class Lease(TestConnectionLimiter owner) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                owner.Release();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>An address guard with an administrator's allow-list of loopback only (what the tests' servers use).</summary>
internal sealed class LoopbackOnlyGuard : IAddressGuard
{
    public List<IPAddress> Checked { get; } = [];

    public async ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        foreach (var address in addresses)
            EnsureAllowed(address);
        return addresses;
    }

    public void EnsureAllowed(IPAddress address)
    {
        lock (Checked)
            Checked.Add(address);
        if (!IPAddress.IsLoopback(address))
            throw new StorageException(StorageErrorKind.AddressRefused, $"{address} is not allowed.");
    }
}

/// <summary>A guard that refuses everything, as the real one does for loopback without an allow-list.</summary>
internal sealed class RefuseAllGuard : IAddressGuard
{
    public ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        throw new StorageException(StorageErrorKind.AddressRefused, $"{host} resolves to an address that is not allowed.");

    public void EnsureAllowed(IPAddress address) =>
        throw new StorageException(StorageErrorKind.AddressRefused, $"{address} is not allowed.");
}
