using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pcrs.WebFront.Auth;

namespace Pcrs.WebFront.Health;

/// <summary>
/// /health's answer. Plain text: "Healthy" as before when every check passes, otherwise the status followed by one line
/// per check that did not pass, naming it. With Accept: application/json: every check with its status.
/// Why a check failed (its description and exception, which can name the database host or port) and its data (the
/// cluster check lists the silos' addresses, active and dead) go to administrators only (Bearer administrator token):
/// load balancers and anonymous callers get the statuses and the checks' names.
/// </summary>
public static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        bool details = IsAdministrator(context);
        if (context.Request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.ContentType = "application/json";
            var body = new
            {
                status = report.Status.ToString(),
                checks = report.Entries.Select(e => details
                    ? (object)new
                    {
                        name = e.Key,
                        status = e.Value.Status.ToString(),
                        description = e.Value.Description,
                        error = e.Value.Exception?.Message,
                        data = e.Value.Data.Count == 0 ? null : e.Value.Data,
                    }
                    : new { name = e.Key, status = e.Value.Status.ToString() }),
            };
            return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
        }
        context.Response.ContentType = "text/plain";
        if (report.Status == HealthStatus.Healthy)
            return context.Response.WriteAsync("Healthy");
        var failed = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"{e.Key}: {e.Value.Status}" + (details ? $" ({e.Value.Description}{(e.Value.Exception is { } ex ? ": " + ex.Message : "")})" : ""));
        return context.Response.WriteAsync(report.Status + "\n" + string.Join("\n", failed) + "\n");
    }

    private static bool IsAdministrator(HttpContext context) =>
        AccessTokens.ReadBearer(context) is { } token && context.RequestServices.GetRequiredService<AccessTokens>().IsAdmin(AccessTokens.Hash(token));
}
