using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pcrs.WebFront.Health;

/// <summary>
/// The cluster's membership as Orleans sees it (the management grain reads the membership table): silos active and
/// dead. Unhealthy when no silo is active; dead silos alone (a silo stopped or replaced) leave the cluster healthy.
/// </summary>
public sealed class ClusterMembershipHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: false)
                .WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            int active = hosts.Values.Count(s => s == SiloStatus.Active);
            int dead = hosts.Values.Count(s => s == SiloStatus.Dead);
            int other = hosts.Count - active - dead;
            var data = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["active"] = active,
                ["dead"] = dead,
                ["joiningOrLeaving"] = other,
                ["silos"] = hosts.ToDictionary(h => h.Key.ToParsableString(), h => (object)h.Value.ToString(), StringComparer.Ordinal),
            };
            string description = $"{active} silo(s) active, {dead} dead" + (other > 0 ? $", {other} joining or leaving" : "");
            return active > 0
                ? HealthCheckResult.Healthy(description, data)
                : HealthCheckResult.Unhealthy(description, data: data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the cluster membership could not be read", ex);
        }
    }
}
