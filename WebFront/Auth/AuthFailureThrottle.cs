using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Pcrs.WebFront.Auth;

/// <summary>A bearer token refused because its client sent too many unknown tokens this window: answered 429.</summary>
public sealed class AuthThrottledException(TimeSpan retryAfter) : Exception("Too many failed authentication attempts from this client.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// Bounds how many unknown bearer tokens one client (remote address) may present per minute
/// (<see cref="AuthOptions.FailedAttemptsPerMinute"/>). Past the bound, until its minute ends, a token from that client
/// is not looked up at all (so guessing learns nothing and costs the database nothing) and the request is answered 429
/// with Retry-After; administrator tokens (checked against configuration, no lookup) and editor keys proven in the last
/// minutes still open their routes, so a good token is not locked out by someone else's failures on the same address.
/// </summary>
public sealed class AuthFailureThrottle(IOptionsMonitor<AuthOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ProvenFor = TimeSpan.FromMinutes(10);
    /// <summary>Clients and proven keys kept at most: past it, expired entries are dropped (then the oldest proven keys).</summary>
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, Counter> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _proven = new(StringComparer.Ordinal);

    private sealed class Counter
    {
        public Lock Gate { get; } = new();
        public DateTimeOffset Start { get; set; }
        public int Failures { get; set; }
    }

    /// <summary>The client key of a request: its remote address.</summary>
    public static string ClientOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>Throws <see cref="AuthThrottledException"/> when <paramref name="client"/> is past the bound and the token is not proven.</summary>
    public void ThrowIfBlocked(string client, string tokenHash)
    {
        int limit = options.CurrentValue.FailedAttemptsPerMinute;
        if (limit <= 0 || !_clients.TryGetValue(client, out var counter))
            return;
        var now = time.GetUtcNow();
        TimeSpan? retryAfter = null;
        lock (counter.Gate)
        {
            if (counter.Failures >= limit && now - counter.Start < Window)
                retryAfter = counter.Start + Window - now;
        }
        if (retryAfter is { } wait && !(_proven.TryGetValue(tokenHash, out var until) && until > now))
            throw new AuthThrottledException(wait);
    }

    /// <summary>Counts an unknown token presented by <paramref name="client"/>.</summary>
    public void RecordFailure(string client)
    {
        if (options.CurrentValue.FailedAttemptsPerMinute <= 0)
            return;
        var now = time.GetUtcNow();
        if (_clients.Count >= MaxEntries)
            Prune(now);
        var counter = _clients.GetOrAdd(client, _ => new Counter { Start = now });
        lock (counter.Gate)
        {
            if (now - counter.Start >= Window)
                (counter.Start, counter.Failures) = (now, 0);
            counter.Failures++;
        }
    }

    /// <summary>Remembers a token found valid, so failures of others on its address do not lock it out.</summary>
    public void RecordProven(string tokenHash)
    {
        if (options.CurrentValue.FailedAttemptsPerMinute <= 0)
            return;
        var now = time.GetUtcNow();
        if (_proven.Count >= MaxEntries)
            Prune(now);
        _proven[tokenHash] = now + ProvenFor;
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (client, counter) in _clients)
        {
            if (now - counter.Start >= Window)
                _clients.TryRemove(client, out _);
        }
        foreach (var (hash, until) in _proven)
        {
            if (until <= now)
                _proven.TryRemove(hash, out _);
        }
        if (_proven.Count >= MaxEntries)
            _proven.Clear(); // all fresh: forgetting them only means they are looked up again
    }
}

/// <summary>Answers <see cref="AuthThrottledException"/> with 429 ProblemDetails and Retry-After.</summary>
public sealed class AuthThrottledExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not AuthThrottledException throttled)
            return false;
        httpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(throttled.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many failed authentication attempts",
                Detail = "This address presented too many unknown tokens; wait before trying again.",
            },
        });
    }
}
