using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pcrs.WebFront.Health;

/// <summary>
/// /health's answer. Plain text: "Healthy" as before when every check passes, otherwise the status followed by one line
/// per check that did not pass, naming it and why. With Accept: application/json: every check with its status,
/// description and data (the cluster check lists the silos, active and dead).
/// </summary>
public static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        if (context.Request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.ContentType = "application/json";
            var body = new
            {
                status = report.Status.ToString(),
                checks = report.Entries.Select(e => new
                {
                    name = e.Key,
                    status = e.Value.Status.ToString(),
                    description = e.Value.Description,
                    error = e.Value.Exception?.Message,
                    data = e.Value.Data.Count == 0 ? null : e.Value.Data,
                }),
            };
            return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
        }
        context.Response.ContentType = "text/plain";
        if (report.Status == HealthStatus.Healthy)
            return context.Response.WriteAsync("Healthy");
        var failed = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"{e.Key}: {e.Value.Status} ({e.Value.Description}{(e.Value.Exception is { } ex ? ": " + ex.Message : "")})");
        return context.Response.WriteAsync(report.Status + "\n" + string.Join("\n", failed) + "\n");
    }
}
