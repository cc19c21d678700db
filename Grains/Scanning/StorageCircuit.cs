using System.Globalization;
using System.Runtime.CompilerServices;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// A circuit breaker per storage per silo. When the server fails <see cref="OpenAfter"/> times in a row for a transient
/// reason (refused, timeout, 5xx), it is taken as down: calls fail at once, without traffic, for a pause that doubles
/// from 2 s up to 30 s; after the pause one call probes it, and the first success closes the circuit. Without it, a
/// vanished server made every remaining file spend its whole retry budget (an FTP scan of 20,000 files went on 12.5 minutes
/// at 21 files/s); with it they are recorded at once as unreadable for a transient reason, and read again next scan.
/// </summary>
public sealed class StorageCircuit(TimeProvider? time = null)
{
    public const int OpenAfter = 8;
    private static readonly TimeSpan FirstPause = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private int _consecutiveFailures;
    private TimeSpan _pause = FirstPause;
    private DateTimeOffset _openUntil = DateTimeOffset.MinValue;
    private bool _probing;
    private string? _lastError;

    /// <summary>Calls refused without traffic since this circuit was made.</summary>
    public long Refused { get; private set; }

    /// <summary>Throws a transient <see cref="StorageException"/> when the server is taken as down; else lets the call go.</summary>
    public void Enter()
    {
        lock (_lock)
        {
            if (_consecutiveFailures < OpenAfter)
                return;
            var now = _time.GetUtcNow();
            if (now >= _openUntil && !_probing)
            {
                _probing = true; // this call probes the server
                return;
            }
            Refused++;
            throw new StorageException(StorageErrorKind.Transient, string.Create(CultureInfo.InvariantCulture,
                $"The server is taken as down after {_consecutiveFailures} failures in a row (last: {_lastError}); not tried again for {Math.Max(0, (_openUntil - now).TotalSeconds):0} s."));
        }
    }

    public void Succeeded()
    {
        lock (_lock)
        {
            _consecutiveFailures = 0;
            _pause = FirstPause;
            _probing = false;
        }
    }

    public void Failed(Exception failure)
    {
        if (failure is not StorageException { Kind: StorageErrorKind.Transient } storage)
        {
            // Not the server's state (missing file, bad bytes, cancellation): a probe that ended so proves nothing either way.
            lock (_lock)
                _probing = false;
            return;
        }
        lock (_lock)
        {
            _lastError = storage.Message;
            _consecutiveFailures++;
            if (_consecutiveFailures < OpenAfter)
                return;
            if (_probing || _consecutiveFailures == OpenAfter)
            {
                _openUntil = _time.GetUtcNow() + _pause;
                _pause = TimeSpan.FromTicks(Math.Min(_pause.Ticks * 2, LongestPause.Ticks));
            }
            _probing = false;
        }
    }
}

/// <summary>A storage client whose calls go through the storage's <see cref="StorageCircuit"/> (downloads pass as they are).</summary>
public sealed class CircuitBreakingStorageClient(IStorageClient inner, StorageCircuit circuit) : IStorageClient
{
    public StorageCircuit Circuit => circuit;

    public async IAsyncEnumerable<StorageEntry> ListAsync(string directoryPath, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        circuit.Enter();
        var entries = inner.ListAsync(directoryPath, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await entries.MoveNextAsync();
                }
                catch (Exception e)
                {
                    circuit.Failed(e);
                    throw;
                }
                if (!more)
                    break;
                yield return entries.Current;
            }
            circuit.Succeeded();
        }
        finally
        {
            await entries.DisposeAsync();
        }
    }

    public Task<StorageEntry?> StatAsync(string path, CancellationToken cancellationToken) =>
        GuardAsync(() => inner.StatAsync(path, cancellationToken));

    public Task<RangeReadResult> ReadRangeAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        GuardAsync(() => inner.ReadRangeAsync(path, offset, buffer, cancellationToken));

    public Task<Stream> OpenReadAsync(string path, long offset, CancellationToken cancellationToken) =>
        inner.OpenReadAsync(path, offset, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private async Task<T> GuardAsync<T>(Func<Task<T>> call)
    {
        circuit.Enter();
        try
        {
            var result = await call();
            circuit.Succeeded();
            return result;
        }
        catch (Exception e)
        {
            circuit.Failed(e);
            throw;
        }
    }
}
