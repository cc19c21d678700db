using Pcrs.Grains.Interfaces.Diagnostics;
using Pcrs.Hosting.Tests.Support;

namespace Pcrs.Hosting.Tests;

/// <summary>
/// Real `dotnet Pcrs.Silo.dll` processes on one PostgreSQL: they form one cluster through the membership table,
/// and a reminder keeps firing after every silo was stopped and new ones started.
/// </summary>
public sealed class SiloClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);
    private readonly TestDatabase _database = new();
    private readonly string _clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<ProductProcess> _silos = [];

    public ValueTask InitializeAsync() => _database.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (ProductProcess silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    private ProductProcess StartSilo(string name, int siloPort, int gatewayPort)
    {
        ProductProcess silo = ProductProcess.Start(name, "Pcrs.Silo", new Dictionary<string, string?>
        {
            ["ConnectionStrings__Pcrs"] = _database.ConnectionString,
            ["Orleans__ClusterId"] = _clusterId,
            ["Orleans__ServiceId"] = _clusterId,
            ["Orleans__SiloName"] = name,
            ["Orleans__Endpoints__SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans__Endpoints__GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans__MinimumReminderPeriod"] = "00:00:01",
        }, "run");
        _silos.Add(silo);
        return silo;
    }

    private string Outputs() => string.Join("\n", _silos.Select(s => s.ToString()));

    private Task<int> ActiveCountAsync(string siloNamePrefix) => _database.ScalarAsync<int>(
        $"SELECT count(*) FROM orleans_members WHERE deployment_id = '{_clusterId}' AND status = 3 AND silo_name LIKE '{siloNamePrefix}%'");

    private async Task StartPairAsync(string prefix)
    {
        StartSilo(prefix + "-a", FreePort.Next(), FreePort.Next());
        StartSilo(prefix + "-b", FreePort.Next(), FreePort.Next());
        bool active = await Eventually.TrueAsync(async () => await ActiveCountAsync(prefix) == 2, StartTimeout);
        Assert.True(active, "Both silos should be Active (status 3) in the membership table.\n" + Outputs());
    }

    private async Task StopAllAsync()
    {
        foreach (ProductProcess silo in _silos.Where(s => !s.HasExited))
        {
            await silo.StopAsync(TimeSpan.FromSeconds(60));
        }
    }

    [Fact(Timeout = 600_000)]
    public async Task Two_silos_join_one_cluster_and_a_reminder_survives_restarting_all_of_them()
    {
        await StartPairAsync("first");

        // A client finds the gateways through the same membership table.
        await using (ClusterClient client = await ClusterClient.StartAsync(_clusterId, _database.ConnectionString, TestContext.Current.CancellationToken))
        {
            IHeartbeatGrain grain = client.Grains.GetGrain<IHeartbeatGrain>("survivor");
            HeartbeatReply reply = await grain.Ping();
            Assert.Contains(":", reply.Silo);
            await grain.StartBeating(TimeSpan.FromSeconds(2));
        }

        Assert.True(await Eventually.TrueAsync(
            async () => await _database.ScalarAsync<int>("SELECT count(*) FROM pcrs_heartbeats WHERE grain_key = 'survivor'") >= 2,
            TimeSpan.FromSeconds(60)), "The reminder should fire every 2 s.\n" + Outputs());

        await StopAllAsync();
        Assert.Equal(2, await _database.ScalarAsync<int>(
            $"SELECT count(*) FROM orleans_members WHERE deployment_id = '{_clusterId}' AND status = 6"));
        DateTime stoppedAt = await _database.ScalarAsync<DateTime>("SELECT now()");
        Assert.Equal(1, await _database.ScalarAsync<int>("SELECT count(*) FROM orleans_reminders"));

        // Nobody calls the grain again: only the durable reminder can wake it on the new silos.
        await StartPairAsync("second");
        bool firedAgain = await Eventually.TrueAsync(async () => await _database.ScalarAsync<int>(
                $"SELECT count(*) FROM pcrs_heartbeats WHERE grain_key = 'survivor' AND beat_at > '{stoppedAt:O}'") >= 1,
            TimeSpan.FromSeconds(120));
        Assert.True(firedAgain, "The reminder should fire again after all silos restarted.\n" + Outputs());
        string? silo = await _database.ScalarAsync<string>(
            "SELECT silo FROM pcrs_heartbeats WHERE grain_key = 'survivor' ORDER BY beat_at DESC LIMIT 1");
        List<string> newSilos = [];
        await using (var command = _database.DataSource.CreateCommand(
            $"SELECT address || ':' || port || ':' || generation FROM orleans_members WHERE deployment_id = '{_clusterId}' AND status = 3"))
        await using (var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                newSilos.Add(reader.GetString(0));
            }
        }

        Assert.Contains(newSilos, s => silo!.Contains(s, StringComparison.Ordinal));
    }
}
