using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pcrs.WebFront.Health;

/// <summary>/alive: the process answers (tag "live"). /health: PostgreSQL and Orleans answer too, and the cluster has an active silo.</summary>
public static class HealthEndpoints
{
    private const string LiveTag = "live";

    public static IServiceCollection AddPcrsHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag])
            .AddCheck<PostgresHealthCheck>("postgresql")
            .AddCheck<OrleansHealthCheck>("orleans")
            .AddCheck<ClusterMembershipHealthCheck>("cluster");
        return services;
    }

    public static WebApplication MapPcrsHealth(this WebApplication app)
    {
        app.MapHealthChecks("/alive", new() { Predicate = check => check.Tags.Contains(LiveTag) });
        app.MapHealthChecks("/health", new() { ResponseWriter = HealthReportWriter.WriteAsync });
        return app;
    }
}
