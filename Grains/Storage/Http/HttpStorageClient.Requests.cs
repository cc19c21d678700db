using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;

namespace Pcrs.Grains.Storage.Http;

/// <summary>One request: retries, timeouts, redirects the guard allows, status checks and the errors they become.</summary>
public sealed partial class HttpStorageClient
{
    /// <summary>
    /// Runs an operation, tried again by the storage retry policy after timeouts, resets, 5xx, 429 and 503 (429/503 also
    /// tell the limiter to lower the concurrency). The connection's lease is taken when the handler opens a connection.
    /// </summary>
    private Task<T> WithRetriesAsync<T>(string what, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken) =>
        Retry.RunAsync($"{Capitalize(what)} on {_location.IdentityKey}", _options.MaxAttempts,
            ct => AttemptAsync(what, attempt, ct), _logger, cancellationToken);

    /// <summary>One attempt under the operation timeout, its failure turned into a <see cref="StorageException"/>.</summary>
    private async Task<T> AttemptAsync<T>(string what, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        StorageException failure;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_options.OperationTimeout);
            try
            {
                return await attempt(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                failure = new StorageException(StorageErrorKind.Transient,
                    $"{Capitalize(what)} timed out after {_options.OperationTimeout.TotalSeconds:0} s.", e);
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.TooManyConnections)
            {
                _limiter.ReportTooManyConnections();
                throw;
            }
            catch (HttpRequestException e)
            {
                failure = Translate(e, what);
            }
            catch (IOException e)
            {
                failure = new StorageException(StorageErrorKind.Transient, $"{Capitalize(what)} failed: the connection broke ({e.Message}).", e);
            }
        }
        if (failure.Kind == StorageErrorKind.TooManyConnections)
            _limiter.ReportTooManyConnections();
        throw failure;
    }

    /// <summary>Sends one request, following up to <see cref="MaxRedirects"/> redirects to http(s) targets the guard allows.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, RangeHeaderValue? range, CancellationToken cancellationToken)
    {
        for (int hop = 0; ; hop++)
        {
            var request = new HttpRequestMessage(method, uri) { Version = HttpVersion.Version11 };
            if (range is not null)
                request.Headers.Range = range;
            // Basic credentials go to the storage's own origin only, never to a host a redirect names.
            if (_authorization is not null && IsOwnOrigin(uri))
                request.Headers.Authorization = _authorization;
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308))
                return response;

            var location = response.Headers.Location;
            response.Dispose();
            if (location is null)
                throw new StorageException(StorageErrorKind.Protocol, $"The server redirected {uri.AbsolutePath} without saying where.");
            if (hop >= MaxRedirects)
                throw new StorageException(StorageErrorKind.Protocol, $"Too many redirects (more than {MaxRedirects}) from {uri.AbsolutePath}.");
            var target = location.IsAbsoluteUri ? location : new Uri(uri, location);
            if (target.Scheme is not ("http" or "https"))
                throw new StorageException(StorageErrorKind.Invalid, $"The server redirected {uri.AbsolutePath} to a {target.Scheme}: URL; only http and https are followed.");
            // The connect callback checks the target again at connect time; checking here gives a clear error before any traffic.
            await _guard.ResolveAsync(target.IdnHost, cancellationToken).ConfigureAwait(false);
            if ((int)response.StatusCode == 303)
                method = HttpMethod.Get;
            uri = target;
        }
    }

    private void EnsureSuccess(HttpResponseMessage response, string path, bool directory)
    {
        if (response.IsSuccessStatusCode)
            return;
        int status = (int)response.StatusCode;
        string what = directory ? $"the directory \"{path}\"" : $"\"{path}\"";
        throw status switch
        {
            404 or 410 => new StorageException(StorageErrorKind.NotFound, $"The server says {what} does not exist ({status})."),
            401 => new StorageException(StorageErrorKind.Authentication, $"The server refused the login for {what} (401)."),
            403 => new StorageException(StorageErrorKind.Authentication, $"The server denies access to {what} (403)."),
            429 or 503 => new StorageException(StorageErrorKind.TooManyConnections, $"The server is busy ({status}) for {what}.")
            {
                RetryAfter = RetryAfter(response),
            },
            >= 500 and not 501 and not 505 => new StorageException(StorageErrorKind.Transient, $"The server failed ({status}) for {what}."),
            _ => new StorageException(StorageErrorKind.Protocol, $"The server answered {status} for {what}."),
        };
    }

    /// <summary>The wait a Retry-After header asks for (seconds or a date), measured on the retry policy's clock.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        return header?.Delta ?? (header?.Date is { } date ? date - Retry.Time.GetUtcNow() : null);
    }

    private static ContentRangeHeaderValue CheckContentRange(HttpResponseMessage response, long offset, string path)
    {
        var range = response.Content.Headers.ContentRange;
        if (range is null || !range.HasRange || range.From is null || range.To is null)
            throw new StorageException(StorageErrorKind.Protocol, $"The server answered 206 for \"{path}\" without a usable Content-Range.");
        if (range.From != offset || range.To < range.From || (range.Length is { } total && range.To >= total))
            throw new StorageException(StorageErrorKind.Protocol,
                $"The server sent bytes {range.From}-{range.To} of \"{path}\" when asked for bytes from {offset}.");
        return range;
    }

    private Uri ToUri(string path, bool directory)
    {
        string encoded = HrefNames.EncodePath(path);
        if (directory && !encoded.EndsWith('/'))
            encoded += "/";
        return new Uri(_origin + encoded);
    }

    private bool IsOwnOrigin(Uri uri) =>
        string.Equals(uri.Scheme, StorageLocation.ProtocolScheme(_location.Protocol), StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.IdnHost.Trim('[', ']'), _location.Host, StringComparison.OrdinalIgnoreCase)
        && uri.Port == _location.Port;

    private static StorageException Translate(HttpRequestException e, string what)
    {
        for (Exception? inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is StorageException storage)
                return storage;
            if (inner is AuthenticationException)
                return new StorageException(StorageErrorKind.Trust, $"{Capitalize(what)} failed: the server's TLS certificate is not trusted.", e);
        }
        return new StorageException(StorageErrorKind.Transient, $"{Capitalize(what)} failed: {e.Message}", e);
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
