using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Pcrs.Grains.Catalogue.Database;

namespace Pcrs.WebFront;

/// <summary>
/// PostgreSQL unreachable (refused, reset, timed out, shutting down, out of connections) is the service being unavailable
/// for a while, not a fault of the request: a 503 ProblemDetails with Retry-After instead of a 500. Nothing is kept of the
/// outage: the connection pool opens new connections on the next request once the database is back.
/// </summary>
public sealed partial class DatabaseUnavailableExceptionHandler(IProblemDetailsService problems, ILogger<DatabaseUnavailableExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait before trying again.</summary>
    public const int RetryAfterSeconds = 10;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!DatabaseOutages.IsOutage(exception))
            return false;
        LogUnavailable(logger, httpContext.Request.Path, exception.GetType().Name);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service temporarily unavailable",
                Detail = "The catalogue database cannot be reached at the moment; try again shortly.",
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL unreachable during {Path} ({Error}): answered 503")]
    private static partial void LogUnavailable(ILogger logger, PathString path, string error);
}
