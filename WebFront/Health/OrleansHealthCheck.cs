using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pcrs.Grains.Interfaces.Diagnostics;

namespace Pcrs.WebFront.Health;

/// <summary>Healthy when the cluster activates and answers a grain call (the diagnostic heartbeat grain).</summary>
public sealed class OrleansHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            HeartbeatReply reply = await grains.GetGrain<IHeartbeatGrain>("health").Ping()
                .AsTask().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"answered by {reply.Silo}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the Orleans cluster does not answer", ex);
        }
    }
}
