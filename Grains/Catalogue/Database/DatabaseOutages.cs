using Npgsql;

namespace Pcrs.Grains.Catalogue.Database;

/// <summary>Tells a database that cannot be reached for a while from a query's own fault.</summary>
public static class DatabaseOutages
{
    /// <summary>
    /// True when <paramref name="exception"/> or one it wraps (a grain call's, an aggregate's) says the database cannot be
    /// reached: a transient Npgsql error, or a server error of the connection classes (08: connection, 53: insufficient
    /// resources, 57P01-57P03: shutting down or starting). A query's own error (a constraint, a syntax) is not.
    /// </summary>
    public static bool IsOutage(Exception exception)
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
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsOutage):
                    return true;
                default:
                    break;
            }
        }
        return false;
    }
}
