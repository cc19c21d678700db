using System.Text;
using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Ftp;
using Pcrs.Grains.Storage.Pooling;
using Pcrs.Grains.Storage.Security;
using Pcrs.TestSupport;

namespace Pcrs.Storage.Tests.Ftp;

/// <summary>The pool with the production limiter and address guard: idle expiry, health checks, the guard's allow-list.</summary>
public sealed class FtpPoolTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static FtpStorageClient Client(int port, IConnectionLimiter limiter, IAddressGuard guard, FtpClientSettings settings) =>
        new(StorageLocation.Parse($"ftp://127.0.0.1:{port}/", out _), new StorageCredentials("peer", "secret-pass"), limiter,
            StorageTrust.Default, guard, new StorageAccessOptions { ConnectTimeout = TimeSpan.FromSeconds(5), OperationTimeout = TimeSpan.FromSeconds(5) },
            new TestOutputLogger(), settings);

    private static readonly FtpClientSettings Fast = FtpClientSettings.Default with
    {
        Retry = StorageRetryPolicy.Default with { FirstDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) },
    };

    private static AddressGuard LoopbackAllowed() => new(new StorageAccessOptions { AllowedNetworks = ["127.0.0.0/8"] });

    [Fact]
    public async Task The_production_guard_refuses_loopback_unless_allow_listed()
    {
        var location = StorageLocation.Parse($"ftp://{Peers.Host}:{Peers.VsftpdFtp}/", out _);
        await using (var refused = FtpPeerServers.Client(location, guard: new AddressGuard(new StorageAccessOptions())))
        {
            var error = await Assert.ThrowsAsync<StorageException>(async () => await refused.ListAsync("/", Ct).ToListAsync(Ct));
            Assert.Equal(StorageErrorKind.AddressRefused, error.Kind);
        }
        await using var allowed = FtpPeerServers.Client(location, guard: LoopbackAllowed());
        Assert.NotEmpty(await allowed.ListAsync("/fixtures", Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Too_many_connections_with_the_production_limiter()
    {
        var behaviour = new ScriptedFtpBehaviour { MaxSessions = 2 };
        for (int i = 0; i < 16; i++)
            behaviour.Files[$"/f{i}"] = Encoding.ASCII.GetBytes($"content {i:D3}");
        await using var server = new ScriptedFtpServer(behaviour);
        var limiter = new LocalConnectionLimiter(4);
        await using var client = Client(server.Port, limiter, LoopbackAllowed(), Fast);

        await Parallel.ForEachAsync(Enumerable.Range(0, 16), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct }, async (i, ct) =>
        {
            var buffer = new byte[3];
            await client.ReadRangeAsync($"/f{i}", 8, buffer, ct);
            Assert.Equal($"{i:D3}", Encoding.ASCII.GetString(buffer));
        });
        Assert.True(server.SessionsRefused >= 1);
        Assert.InRange(server.MaxActiveSessions, 1, 2);
        Assert.InRange(limiter.CurrentLimit, 1, 2);
    }

    [Fact]
    public async Task Idle_connections_are_closed_and_their_leases_returned()
    {
        var behaviour = new ScriptedFtpBehaviour();
        behaviour.AddDirectory("/d", []);
        await using var server = new ScriptedFtpServer(behaviour);
        var limiter = new LocalConnectionLimiter(4);
        await using var client = Client(server.Port, limiter, LoopbackAllowed(), Fast with { IdleTimeout = TimeSpan.FromSeconds(1) });

        Assert.Empty(await client.ListAsync("/d", Ct).ToListAsync(Ct));
        Assert.Equal(1, limiter.ActiveCount);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (limiter.ActiveCount > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(100, Ct);
        Assert.Equal(0, limiter.ActiveCount);
        Assert.Equal(0, client.OpenConnections);
    }

    [Fact]
    public async Task A_connection_the_server_timed_out_is_replaced_after_a_failed_health_check()
    {
        var behaviour = new ScriptedFtpBehaviour { IdleTimeout = TimeSpan.FromMilliseconds(300) };
        behaviour.AddDirectory("/d", []);
        await using var server = new ScriptedFtpServer(behaviour);
        await using var client = Client(server.Port, new LocalConnectionLimiter(4), LoopbackAllowed(),
            Fast with { HealthCheckAfter = TimeSpan.FromMilliseconds(100) });

        Assert.Empty(await client.ListAsync("/d", Ct).ToListAsync(Ct));
        await Task.Delay(800, Ct); // the server says "421 Timeout." and hangs up meanwhile
        Assert.Empty(await client.ListAsync("/d", Ct).ToListAsync(Ct));
        Assert.Equal(2, server.SessionsAccepted);
        Assert.Equal(1, client.OpenConnections);
    }
}
