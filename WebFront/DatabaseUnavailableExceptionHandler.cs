using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

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
        if (!IsDatabaseUnavailable(exception))
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

    /// <summary>
    /// True when <paramref name="exception"/> or one it wraps (a grain call's, an aggregate's) says the database cannot be
    /// reached: a transient Npgsql error, or a server error of the connection classes (08: connection, 53: insufficient
    /// resources, 57P01-57P03: shutting down or starting). A query's own error (a constraint, a syntax) is not.
    /// </summary>
    public static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException server:
                    return server.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || server.SqlState.StartsWith("53", StringComparison.Ordinal)
                        || server.SqlState is "57P01" or "57P02" or "57P03";
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsDatabaseUnavailable):
                    return true;
                default:
                    break;
            }
        }
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL unreachable during {Path} ({Error}): answered 503")]
    private static partial void LogUnavailable(ILogger logger, PathString path, string error);
}
