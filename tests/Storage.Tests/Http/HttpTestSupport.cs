using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Http;
using Pcrs.Grains.Storage.Security;
using Pcrs.TestSupport;

namespace Pcrs.Storage.Tests.Http;

/// <summary>Counts leases so tests can check the connection limit is never exceeded.</summary>
internal sealed class CountingLimiter(int limit = 4) : IConnectionLimiter
{
    private readonly SemaphoreSlim _slots = new(limit, limit);
    private int _inUse;
    private int _peak;
    private int _tooMany;
    private int _acquired;

    public int Peak => Volatile.Read(ref _peak);

    /// <summary>Leases granted so far: connections opened, since each holds one while open.</summary>
    public int Acquired => Volatile.Read(ref _acquired);
    public int InUse => Volatile.Read(ref _inUse);
    public int TooManyReports => Volatile.Read(ref _tooMany);

    public async ValueTask<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        Interlocked.Increment(ref _acquired);
        int now = Interlocked.Increment(ref _inUse);
        int peak;
        while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }
        return new Lease(this);
    }

    public void ReportTooManyConnections() => Interlocked.Increment(ref _tooMany);

    /// <summary>
    /// Leases belong to TCP connections, and an idle keep-alive connection keeps its lease until the handler closes it
    /// (one second idle): waits for that, and fails if a lease is never given back.
    /// </summary>
    public async Task WaitUntilNoneInUseAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (InUse > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(0, InUse);
    }

    private sealed class Lease(CountingLimiter owner) : IAsyncDisposable
    {
        private int _done;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref owner._inUse);
                owner._slots.Release();
            }
            return ValueTask.CompletedTask;
        }
    }
}

internal static class HttpTestSupport
{
    public static StorageAccessOptions LoopbackOptions(TimeSpan? operationTimeout = null, int maxAttempts = 3) => new()
    {
        AllowedNetworks = ["127.0.0.0/8"],
        OperationTimeout = operationTimeout ?? TimeSpan.FromSeconds(20),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        MaxAttempts = maxAttempts,
    };

    public static HttpStorageClient Client(string url, CountingLimiter? limiter = null, StorageAccessOptions? options = null,
        StorageCredentials? credentials = null)
    {
        options ??= LoopbackOptions();
        var location = StorageLocation.Parse(url, out _);
        return new HttpStorageClient(location, credentials ?? StorageCredentials.Anonymous, limiter ?? new CountingLimiter(),
            StorageTrust.Default, new AddressGuard(options), options)
        {
            Retry = StorageRetryPolicy.Default with { FirstDelay = TimeSpan.FromMilliseconds(20) },
        };
    }

    public static string PeerUrl(int port) => $"http://{Peers.Host}:{port}/";

    /// <summary>Lists a tree recursively: relative path → entry (directories end with '/').</summary>
    public static async Task<SortedDictionary<string, StorageEntry>> ListTreeAsync(IStorageClient client, string root, CancellationToken ct)
    {
        var result = new SortedDictionary<string, StorageEntry>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            string directory = pending.Pop();
            await foreach (var entry in client.ListAsync(directory, ct))
            {
                string path = StoragePaths.Combine(directory, entry.Name);
                string relative = path[root.Length..].TrimStart('/');
                if (entry.Kind == StorageEntryKind.Directory)
                {
                    result[relative + "/"] = entry;
                    pending.Push(path);
                }
                else
                {
                    result[relative] = entry;
                }
            }
        }
        return result;
    }

    /// <summary>The same view of a local folder, straight from the file system.</summary>
    public static SortedDictionary<string, long?> LocalTree(string root, bool includeDotFiles)
    {
        var result = new SortedDictionary<string, long?>(StringComparer.Ordinal);
        foreach (var info in new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, info.FullName).Replace('\\', '/');
            if (!includeDotFiles && relative.Split('/').Any(s => s.StartsWith('.')))
                continue;
            if (info is DirectoryInfo)
                result[relative + "/"] = null;
            else
                result[relative] = ((FileInfo)info).Length;
        }
        return result;
    }
}
