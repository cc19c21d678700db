using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// HTTP(S) storage: directory listings parsed from autoindex pages, ranged reads that cost one request per file, and
/// download streams. Connections go only to addresses the guard allows (also after redirects), never exceed the storage's
/// connection limit, and transient failures are retried with backoff.
/// </summary>
/// <remarks>
/// Each TCP connection holds a lease from the limiter for as long as it is open (<see cref="GuardedConnector"/>), so the
/// limit counts what the server sees, idle keep-alive connections included; leasing per request let every silo keep its
/// own idle connections, and three silos held three times the limit at the server. Idle connections close after
/// <see cref="IdleConnectionTimeout"/>. A busy connection lives on while nobody waits; when a silo with fewer leases waits,
/// it is given back at its next request once it served <see cref="ConnectionTurn"/> (<see cref="LeasedConnectionStream"/>),
/// so the waiter gets a lease within a turn even while others are busy. Before, every connection was closed after a
/// turn even with nobody waiting: an uncontended scan reconnected every 2 s per connection.
/// </remarks>
public sealed class HttpStorageClient : IStorageClient
{
    /// <summary>Largest listing page read; a bigger one fails instead of exhausting memory.</summary>
    internal long MaxListingBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Most entries taken from one listing.</summary>
    internal int MaxEntries { get; init; } = 1_000_000;

    /// <summary>When and how often failed requests are tried again (tests shorten the waits).</summary>
    internal StorageRetryPolicy Retry { get; init; } = StorageRetryPolicy.Default;

    private const int MaxRedirects = 5;

    /// <summary>A keep-alive connection unused this long is closed, giving its lease back.</summary>
    internal static readonly TimeSpan IdleConnectionTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Under contention, a connection is not reused after this long, so leases rotate between silos.</summary>
    internal static readonly TimeSpan ConnectionTurn = TimeSpan.FromSeconds(2);
    private const int SkipBufferSize = 64 * 1024;

    private readonly StorageLocation _location;
    private readonly IConnectionLimiter _limiter;
    private readonly StorageTrust _trust;
    private readonly IAddressGuard _guard;
    private readonly StorageAccessOptions _options;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly string _origin;
    private readonly PipelinedRangeReader? _pipeline;
    private int _rangesUnsupported;

    public HttpStorageClient(StorageLocation location, StorageCredentials credentials, IConnectionLimiter limiter, StorageTrust trust,
        IAddressGuard guard, StorageAccessOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(credentials);
        if (!location.IsHttp)
            throw new StorageException(StorageErrorKind.Invalid, $"An HTTP client needs an http:// or https:// location, not {location.Family}://.");
        _location = location;
        _limiter = limiter ?? throw new ArgumentNullException(nameof(limiter));
        _trust = trust ?? throw new ArgumentNullException(nameof(trust));
        _guard = guard ?? throw new ArgumentNullException(nameof(guard));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? NullLogger.Instance;
        string host = location.Host.Contains(':') ? $"[{location.Host}]" : location.Host;
        _origin = $"{StorageLocation.ProtocolScheme(location.Protocol)}://{host}:{location.Port}";
        if (credentials.UserName is not null)
        {
            string pair = credentials.UserName + ":" + (credentials.Password ?? "");
            _authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }

        var connector = new GuardedConnector(guard, limiter, options.ConnectTimeout, ConnectionTurn);
        var handler = new SocketsHttpHandler
        {
            // Redirects are followed by hand so each target's scheme is checked and credentials stay on the storage's origin.
            AllowAutoRedirect = false,
            // A proxy would connect on our behalf and bypass the address guard.
            UseProxy = false,
            UseCookies = false,
            // No decompression: a compressed listing could inflate far past the page limit.
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = options.MaxConnectionsPerStorage,
            // The connect callback waits for a lease first (maybe a turn), then applies ConnectTimeout to the TCP connect.
            ConnectTimeout = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = IdleConnectionTimeout,
            // No fixed lifetime: a connection gives its lease back when another silo needs it (see ConnectCallback).
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            // When a read stops early (a 200 instead of a 206), close the connection instead of draining the rest of a big file.
            MaxResponseDrainSize = 0,
            ResponseDrainTimeout = TimeSpan.Zero,
            MaxResponseHeadersLength = 64,
            ConnectCallback = connector.ConnectAsync,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = ValidateCertificate },
        };
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        if (options.HttpPipelineDepth > 1)
        {
            var endpoint = new DnsEndPoint(location.Host, location.Port);
            _pipeline = new PipelinedRangeReader(token => OpenPipelinedAsync(connector, endpoint, token), () => limiter.OwesTurn,
                options.MaxConnectionsPerStorage, options.HttpPipelineDepth, ConnectionTurn, IdleConnectionTimeout, _authorization?.ToString(),
                PipelinedError);
        }
    }

    /// <summary>The pipelined range reader, when <see cref="StorageAccessOptions.HttpPipelineDepth"/> is above 1 (for tests).</summary>
    internal PipelinedRangeReader? Pipeline => _pipeline;

    /// <summary>The error a pipelined error status gives, the same as <see cref="EnsureSuccess"/> gives for the standard path.</summary>
    private StorageException PipelinedError(int status, string? retryAfter, string path)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);
        if (retryAfter is not null)
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        try
        {
            EnsureSuccess(response, path, directory: false);
        }
        catch (StorageException e)
        {
            return e;
        }
        return new StorageException(StorageErrorKind.Protocol, $"The server answered {status} for \"{path}\".");
    }

    /// <summary>Largest range read through the pipeline; bigger reads go through the standard handler.</summary>
    internal const int MaxPipelinedRangeBytes = 256 * 1024;

    /// <summary>Opens a pipelined connection: leased and guarded like the handler's, with the same TLS checks for https.</summary>
    private async Task<Stream> OpenPipelinedAsync(GuardedConnector connector, DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var stream = await connector.ConnectAsync(endpoint, rotateTurns: false, cancellationToken).ConfigureAwait(false);
        if (_location.Protocol != StorageProtocol.Https)
            return stream;
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ConnectTimeout);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = _location.Host,
                RemoteCertificateValidationCallback = ValidateCertificate,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, timeout.Token).ConfigureAwait(false);
            return tls;
        }
        catch (AuthenticationException e)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new StorageException(StorageErrorKind.Trust, "The server's TLS certificate is not trusted.", e);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>False once the server answered a ranged request with the whole file (200); reads still stop early.</summary>
    public bool RangesSupported => Volatile.Read(ref _rangesUnsupported) == 0;

    public async IAsyncEnumerable<StorageEntry> ListAsync(string directoryPath, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string path = StorageLocation.NormalizePath(directoryPath);
        var uri = ToUri(path, directory: true);
        var entries = await WithRetriesAsync($"listing \"{path}\"", async token =>
        {
            using var response = await SendAsync(HttpMethod.Get, uri, null, token).ConfigureAwait(false);
            EnsureSuccess(response, path, directory: true);
            var page = await ReadListingAsync(response, path, token).ConfigureAwait(false);
            return HttpListingParser.Parse(page, MaxEntries);
        }, cancellationToken).ConfigureAwait(false);
        await FindUnmarkedDirectoriesAsync(path, entries, cancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    /// <summary>Most names checked by <see cref="FindUnmarkedDirectoriesAsync"/> in one listing.</summary>
    internal const int MaxDirectoryProbes = 1000;

    /// <summary>
    /// Some servers (mini_httpd) link sub-directories without the trailing '/' that marks them everywhere else. When a
    /// page marks no entry as a directory, each name without an extension (data files always have one) is asked for:
    /// a server redirects a directory to its '/' form, which <see cref="StatAsync"/> reports as a directory.
    /// </summary>
    private async Task FindUnmarkedDirectoriesAsync(string path, List<StorageEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Any(e => e.Kind == StorageEntryKind.Directory))
            return;
        int probes = 0;
        for (int i = 0; i < entries.Count && probes < MaxDirectoryProbes; i++)
        {
            var entry = entries[i];
            if (entry.Kind != StorageEntryKind.File || entry.Name.Contains('.'))
                continue;
            probes++;
            var stat = await StatAsync(StoragePaths.Combine(path, entry.Name), cancellationToken).ConfigureAwait(false);
            if (stat is { Kind: StorageEntryKind.Directory })
                entries[i] = entry with { Kind = StorageEntryKind.Directory, Size = null, SizeIsExact = true };
        }
    }

    public Task<StorageEntry?> StatAsync(string path, CancellationToken cancellationToken)
    {
        string normalized = StorageLocation.NormalizePath(path);
        var uri = ToUri(normalized, directory: false);
        return WithRetriesAsync($"checking \"{normalized}\"", async token =>
        {
            using var head = await SendAsync(HttpMethod.Head, uri, null, token).ConfigureAwait(false);
            if (head.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
                return null;
            if (head.IsSuccessStatusCode)
                return Describe(normalized, head, head.Content.Headers.ContentLength);
            if (head.StatusCode is not (HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented or HttpStatusCode.BadRequest or HttpStatusCode.Forbidden))
                EnsureSuccess(head, normalized, directory: false);

            // Some servers refuse HEAD; one byte of GET tells the same (Content-Range carries the length).
            using var get = await SendAsync(HttpMethod.Get, uri, new RangeHeaderValue(0, 0), token).ConfigureAwait(false);
            if (get.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
                return null;
            if (get.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                return Describe(normalized, get, get.Content.Headers.ContentRange?.Length ?? 0);
            EnsureSuccess(get, normalized, directory: false);
            long? length = get.StatusCode == HttpStatusCode.PartialContent ? get.Content.Headers.ContentRange?.Length : get.Content.Headers.ContentLength;
            return Describe(normalized, get, length);
        }, cancellationToken);
    }

    public async Task<RangeReadResult> ReadRangeAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        string normalized = StorageLocation.NormalizePath(path);
        if (buffer.IsEmpty)
            return new RangeReadResult(0, null);
        var uri = ToUri(normalized, directory: false);
        return await WithRetriesAsync($"reading \"{normalized}\"", async token =>
        {
            // Pipelined when enabled; whatever it cannot answer safely (200, redirect, error status) goes the standard way.
            if (_pipeline is { Enabled: true } && RangesSupported && buffer.Length <= MaxPipelinedRangeBytes
                && await _pipeline.ReadAsync(uri, normalized, offset, buffer, token).ConfigureAwait(false) is { } piped)
                return piped;
            using var response = await SendAsync(HttpMethod.Get, uri, new RangeHeaderValue(offset, offset + buffer.Length - 1), token)
                .ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                return new RangeReadResult(0, response.Content.Headers.ContentRange?.Length);
            EnsureSuccess(response, normalized, directory: false);
            await using var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.PartialContent)
            {
                var range = CheckContentRange(response, offset, normalized);
                int wanted = (int)Math.Min(buffer.Length, range.To!.Value - offset + 1);
                int read = await ReadFullyAsync(body, buffer[..wanted], token).ConfigureAwait(false);
                if (read < wanted)
                    throw new StorageException(StorageErrorKind.Transient, $"The connection closed after {read} of {wanted} bytes of \"{normalized}\".");
                return new RangeReadResult(read, range.Length, response.Content.Headers.LastModified, response.Headers.ETag?.ToString());
            }

            // 200: the server ignored Range and sends the whole file. Take what is needed and drop the connection.
            FlagNoRanges(normalized);
            await SkipAsync(body, offset, token).ConfigureAwait(false);
            int got = await ReadFullyAsync(body, buffer, token).ConfigureAwait(false);
            long? total = response.Content.Headers.ContentLength ?? (got < buffer.Length ? offset + got : null);
            return new RangeReadResult(got, total, response.Content.Headers.LastModified, response.Headers.ETag?.ToString());
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<Stream> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        string normalized = StorageLocation.NormalizePath(path);
        var uri = ToUri(normalized, directory: false);
        return WithRetriesAsync<Stream>($"opening \"{normalized}\"", async token =>
        {
            var response = await SendAsync(HttpMethod.Get, uri, offset > 0 ? new RangeHeaderValue(offset, null) : null, token).ConfigureAwait(false);
            try
            {
                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                {
                    response.Dispose();
                    return new MemoryStream([], writable: false);
                }
                EnsureSuccess(response, normalized, directory: false);
                var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.PartialContent)
                {
                    CheckContentRange(response, offset, normalized);
                }
                else if (offset > 0)
                {
                    FlagNoRanges(normalized);
                    await SkipAsync(body, offset, token).ConfigureAwait(false);
                }
                return new TimedResponseStream(body, response, _options.OperationTimeout);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_pipeline is not null)
            await _pipeline.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
    }

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

    private async Task<ListingPage> ReadListingAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        var encoding = response.Content.Headers.ContentEncoding;
        if (encoding.Count > 0 && !encoding.All(e => e.Equals("identity", StringComparison.OrdinalIgnoreCase)))
            throw new StorageException(StorageErrorKind.Protocol, $"The listing of \"{path}\" came compressed ({string.Join(",", encoding)}) although none was asked for.");
        long? declared = response.Content.Headers.ContentLength;
        if (declared > MaxListingBytes)
            throw new StorageException(StorageErrorKind.Protocol, $"The listing of \"{path}\" is {declared} bytes, more than the {MaxListingBytes} allowed.");

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[(int)Math.Min(declared ?? 64 * 1024, MaxListingBytes) + 1];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length > MaxListingBytes)
                    throw new StorageException(StorageErrorKind.Protocol, $"The listing of \"{path}\" is larger than the {MaxListingBytes} bytes allowed.");
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, MaxListingBytes + 1));
            }
            int read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                break;
            length += read;
        }
        if (declared is { } expected && length != expected)
            throw new StorageException(StorageErrorKind.Transient, $"The listing of \"{path}\" was cut after {length} of {expected} bytes.");

        var baseUri = response.RequestMessage?.RequestUri ?? ToUri(path, directory: true);
        return new ListingPage(buffer, length, response.Content.Headers.ContentType?.MediaType,
            response.Content.Headers.ContentType?.CharSet, path, baseUri);
    }

    private StorageEntry Describe(string path, HttpResponseMessage response, long? length)
    {
        string name = StoragePaths.FileName(path);
        bool isDirectory = response.RequestMessage?.RequestUri?.AbsolutePath.EndsWith('/') == true && !path.EndsWith('/');
        var modified = response.Content.Headers.LastModified;
        if (isDirectory || path == "/")
            return new StorageEntry(name, StorageEntryKind.Directory, null, modified, response.Headers.ETag?.ToString(), Source: StorageFactsSource.HttpResponse);
        return new StorageEntry(name, StorageEntryKind.File, length, modified, response.Headers.ETag?.ToString(), Source: StorageFactsSource.HttpResponse);
    }

    private void FlagNoRanges(string path)
    {
        if (Interlocked.Exchange(ref _rangesUnsupported, 1) == 0)
            _logger.LogWarning("{Storage} ignores Range requests (200 for \"{Path}\"): reads stop early and drop the connection", _location.IdentityKey, path);
    }

    private static async Task SkipAsync(Stream body, long count, CancellationToken cancellationToken)
    {
        if (count == 0)
            return;
        var scratch = new byte[(int)Math.Min(SkipBufferSize, count)];
        long left = count;
        while (left > 0)
        {
            int read = await body.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, left)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                return;
            left -= read;
        }
    }

    private static async Task<int> ReadFullyAsync(Stream body, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = await body.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
                break;
            total += read;
        }
        return total;
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

    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None || _trust.AcceptUnknown)
            return true;
        if (certificate is null)
            return false;
        string fingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(certificate.GetRawCertData())).TrimEnd('=');
        return _trust.PinnedFingerprints.Any(p => string.Equals(p.TrimEnd('='), fingerprint, StringComparison.Ordinal));
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
