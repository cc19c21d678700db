using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.Cluster.Tests;

/// <summary>
/// The silo's storage clients: one per storage and scan, and one storage's client being made (its catalogue reads slow)
/// never holds up another storage's. A silo-wide gate around the making made 100 storages start an unchanged rescan one
/// after another behind a busy catalogue (Benchmarks/Cluster RESULTS.md, 2026-12-07).
/// </summary>
public sealed class StorageClientCacheTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_storage_whose_catalogue_read_hangs_does_not_hold_up_another_storages_client()
    {
        var catalogue = SlowCatalogue.Create("http://127.0.0.1:1", "http://127.0.0.1:2");
        var factory = new CountingFactory();
        await using var cache = NewCache(catalogue, factory);

        var blocked = catalogue.Hold("http://127.0.0.1:1");
        var first = cache.GetAsync("http://127.0.0.1:1", 1, TestContext.Current.CancellationToken);
        IStorageClient second;
        try
        {
            await blocked.Entered.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);
            // Storage 1's client is being made (its storage row read waits); storage 2's must not wait for it.
            second = await cache.GetAsync("http://127.0.0.1:2", 1, TestContext.Current.CancellationToken).WaitAsync(Patience, TestContext.Current.CancellationToken);
            Assert.False(first.IsCompleted);
        }
        finally
        {
            // Also when the assertion failed: the cache's disposal waits for the client being made.
            blocked.Release.TrySetResult();
        }
        Assert.NotSame(second, await first.WaitAsync(Patience, TestContext.Current.CancellationToken));
        Assert.Equal(2, factory.Created.Count);
    }

    [Fact]
    public async Task Callers_of_one_storage_share_one_client_per_scan_and_a_newer_scan_makes_a_new_one()
    {
        var catalogue = SlowCatalogue.Create("http://127.0.0.1:1");
        var factory = new CountingFactory();
        await using var cache = NewCache(catalogue, factory);

        var blocked = catalogue.Hold("http://127.0.0.1:1");
        var callers = Enumerable.Range(0, 8).Select(_ => cache.GetAsync("http://127.0.0.1:1", 1, TestContext.Current.CancellationToken)).ToList();
        await blocked.Entered.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);
        blocked.Release.SetResult();
        var clients = await Task.WhenAll(callers).WaitAsync(Patience, TestContext.Current.CancellationToken);
        Assert.Single(clients.Distinct());
        Assert.Single(factory.Created);

        // An older or equal scan number keeps the client; a newer one makes another (a changed login reaches the silo).
        Assert.Same(clients[0], await cache.GetAsync("http://127.0.0.1:1", 1, TestContext.Current.CancellationToken));
        var newer = await cache.GetAsync("http://127.0.0.1:1", 2, TestContext.Current.CancellationToken).WaitAsync(Patience, TestContext.Current.CancellationToken);
        Assert.NotSame(clients[0], newer);
        Assert.Equal(2, factory.Created.Count);
    }

    private static StorageClientCache NewCache(SlowCatalogue catalogue, IStorageClientFactory factory) => new(
        (ICatalogue)catalogue, factory, Fake<ISecretProtector>.Create(_ => null), Fake<IGrainFactory>.Create(_ => null),
        Fake<ILocalSiloDetails>.Create(method => method.Name == "get_SiloAddress" ? SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1) : null),
        Fake<IClusterMembershipService>.Create(_ => null), ScanTrustOverrides.None, new ScanActivity(), NullLogger<StorageClientCache>.Instance);

    /// <summary>The client factory: counts what it made (clients that are never used, so never connect).</summary>
    private sealed class CountingFactory : IStorageClientFactory
    {
        public ConcurrentBag<IStorageClient> Created { get; } = [];

        public IStorageClient Create(StorageLocation location, StorageCredentials credentials, IConnectionLimiter limiter, StorageTrust trust)
        {
            var client = Fake<IStorageClient>.Create(method => method.ReturnType == typeof(ValueTask) ? ValueTask.CompletedTask : null);
            Created.Add(client);
            return client;
        }
    }

    /// <summary>A held catalogue read: <see cref="Entered"/> once it started, it goes on when <see cref="Release"/> is set.</summary>
    public sealed record Held(TaskCompletionSource Entered, TaskCompletionSource Release);

    /// <summary>A catalogue answering storage rows and proven declarations, whose storage row reads can be held per storage.</summary>
    public class SlowCatalogue : DispatchProxy
    {
        private readonly ConcurrentDictionary<string, Held> _held = new(StringComparer.Ordinal);
        private string[] _storages = [];

        public static SlowCatalogue Create(params string[] storages)
        {
            var proxy = (SlowCatalogue)(object)DispatchProxy.Create<ICatalogue, SlowCatalogue>();
            proxy._storages = storages;
            return proxy;
        }

        internal Held Hold(string storageKey) => _held.GetOrAdd(storageKey, _ => new Held(
            new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
            new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)));

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            nameof(ICatalogue.GetStorageAsync) => StorageAsync((string)args![0]!),
            nameof(ICatalogue.GetDeclarationAsync) => Task.FromResult<DeclarationRow?>(Declaration((string)args![0]!)),
            _ => throw new NotSupportedException($"{targetMethod?.Name} is not used by StorageClientCache"),
        };

        private async Task<StorageRow?> StorageAsync(string storageKey)
        {
            if (_held.TryGetValue(storageKey, out var held))
            {
                held.Entered.TrySetResult();
                await held.Release.Task;
            }
            var uri = new Uri(storageKey);
            return new StorageRow { StorageKey = storageKey, Scheme = "http", Host = uri.Host, Port = uri.Port, CrawlCredential = $"d-{storageKey}" };
        }

        private DeclarationRow? Declaration(string deliverableId)
        {
            string storageKey = deliverableId[2..];
            if (!_storages.Contains(storageKey))
                return null;
            var uri = new Uri(storageKey);
            return new DeclarationRow
            {
                DeliverableId = deliverableId, StorageKey = storageKey, Scheme = "http", Host = uri.Host, Port = uri.Port, StartPath = "/",
                State = DeclarationState.Proven,
            };
        }
    }

    /// <summary>An interface whose every call answers what <c>answer</c> gives for the method (the parts the cache never uses).</summary>
    public class Fake<T> : DispatchProxy where T : class
    {
        private Func<MethodInfo, object?> _answer = _ => null;

        public static T Create(Func<MethodInfo, object?> answer)
        {
            var proxy = DispatchProxy.Create<T, Fake<T>>();
            ((Fake<T>)(object)proxy)._answer = answer;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => _answer(targetMethod!);
    }
}
