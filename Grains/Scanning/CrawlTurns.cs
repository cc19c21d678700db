using Microsoft.Extensions.Options;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// The turns a silo's directories take to record a listing (catalogue rows, orders to their sub-directories, whose
/// activations each read their own state): at most <see cref="ScanningOptions.CrawlTurnsPerSilo"/> at once, handed to
/// the storages waiting in turn (round robin), each storage's directories first come, first served.
/// </summary>
/// <remarks>
/// Without it every listed directory of a wide tree wrote its rows and activated its twenty children at once: the silo's
/// thread pool and the catalogue's connections were flooded with one storage's crawl, the public routes' queries and
/// continuations queued behind it (p50 7-13 ms at rest, 125-153 ms during a hostile crawl, tests/Benchmarks/Fairness),
/// and the directories of any other storage queued behind the hostile one's thousands. Listing a directory (waiting for
/// the server) takes no turn: a slow server never holds one.
/// </remarks>
public sealed class CrawlTurns(IOptions<ScanningOptions> options)
{
    private readonly Lock _lock = new();
    /// <summary>Storages with directories waiting, in the order their next turn comes.</summary>
    private readonly LinkedList<string> _ring = new();
    private readonly Dictionary<string, Queue<Waiter>> _waiting = new(StringComparer.Ordinal);
    private int _taken;

    private int Capacity => Math.Max(1, options.Value.CrawlTurnsPerSilo);

    /// <summary>Turns taken now (for tests and metrics).</summary>
    public int Taken
    {
        get
        {
            lock (_lock)
                return _taken;
        }
    }

    /// <summary>Waits for a turn for a directory of <paramref name="storageKey"/>; dispose the result when the turn is done.</summary>
    public Task<IDisposable> EnterAsync(string storageKey, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_taken < Capacity && _ring.Count == 0)
            {
                _taken++;
                return Task.FromResult<IDisposable>(new Turn(this));
            }
            var waiter = new Waiter();
            if (!_waiting.TryGetValue(storageKey, out var queue))
            {
                _waiting[storageKey] = queue = new Queue<Waiter>();
                _ring.AddLast(storageKey);
            }
            queue.Enqueue(waiter);
            // A cancelled waiter stays queued; its turn, when it comes, is handed on at once (see Release). The callback
            // only completes the waiter (continuations run asynchronously), so registering under the lock is safe.
            if (cancellationToken.CanBeCanceled)
                waiter.Registration = cancellationToken.Register(static (state, token) => ((Waiter)state!).Cancel(token), waiter);
            return waiter.Turn.Task;
        }
    }

    private void Release()
    {
        while (true)
        {
            Waiter next;
            lock (_lock)
            {
                if (_ring.First is not { } first)
                {
                    _taken--;
                    return;
                }
                // The storage at the head of the ring gets the turn and goes to the back, if it still has directories waiting.
                var queue = _waiting[first.Value];
                next = queue.Dequeue();
                _ring.RemoveFirst();
                if (queue.Count > 0)
                    _ring.AddLast(first);
                else
                    _waiting.Remove(first.Value);
            }
            // The waiter has its answer: its registration goes now. A scan's token lives as long as the scan, and each
            // registration kept its waiter (and what the waiting directory's continuation holds) alive until then.
            next.Registration.Dispose();
            // The turn passes on without being released: _taken is unchanged. A waiter already cancelled passes it further.
            if (next.Turn.TrySetResult(new Turn(this)))
                return;
        }
    }

    private sealed class Waiter
    {
        public TaskCompletionSource<IDisposable> Turn { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }

        public void Cancel(CancellationToken token) => Turn.TrySetCanceled(token);
    }

    private sealed class Turn(CrawlTurns turns) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                turns.Release();
        }
    }
}
