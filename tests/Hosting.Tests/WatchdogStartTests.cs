using Pcrs.Hosting.Tests.Support;

namespace Pcrs.Hosting.Tests;

/// <summary>
/// A real `Pcrs.Silo.dll run` start, read line by line: Orleans' watchdog starts its platform thread before it stamps
/// the component check, so the first check measured from the machine's boot and warned of a "deadlock" lasting the
/// machine's uptime (ImpossibleStallFilter drops exactly that report). The silo must start without it.
/// </summary>
public sealed class WatchdogStartTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();
    private readonly string _clusterId = "wd-" + Guid.NewGuid().ToString("N")[..8];

    public ValueTask InitializeAsync() => _database.InitializeAsync();

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    [Fact(Timeout = 300_000)]
    public async Task A_silo_starts_without_a_watchdog_stall_warning()
    {
        await using ProductProcess silo = ProductProcess.Start("silo", "Pcrs.Silo", new Dictionary<string, string?>
        {
            ["ConnectionStrings__Pcrs"] = _database.ConnectionString,
            ["Orleans__ClusterId"] = _clusterId,
            ["Orleans__ServiceId"] = _clusterId,
            ["Orleans__Endpoints__SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans__Endpoints__GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, "run");

        // "Application started": every hosted service started, the silo among them (Active in the membership table).
        bool started = await Eventually.TrueAsync(
            () => Task.FromResult(silo.HasExited || silo.Output.Contains("Application started", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(150));
        Assert.True(started && !silo.HasExited, "The silo should start.\n" + silo);
        Assert.Equal(1, await _database.ScalarAsync<int>($"SELECT count(*) FROM orleans_members WHERE deployment_id = '{_clusterId}' AND status = 3"));
        // The platform watchdog checks every second from the start; give it several rounds, then stop as an operator does.
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        await silo.StopAsync(TimeSpan.FromSeconds(60));

        string output = silo.Output;
        Assert.DoesNotContain("Participant check thread has not completed", output, StringComparison.Ordinal);
        // No watchdog complaint at all (a slow stop under load may warn from elsewhere: not this test's subject).
        Assert.DoesNotContain(output.Split('\n'), line => line.Contains("Orleans.Runtime.Watchdog", StringComparison.Ordinal));
    }
}
