using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pcrs.Grains.Storage.Pooling;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// HTTP(S) storage: directory listings parsed from autoindex pages, ranged reads that cost one request per file, and
/// download streams. Connections go only to addresses the guard allows (also after redirects), never exceed the storage's
/// connection limit, and transient failures are retried with backoff.
/// </summary>
/// <remarks>
/// Every TCP connection to the storage comes from one <see cref="ConnectionPool{TConnection}"/> (the one FTP and SFTP
/// use), which holds its lease from the limiter for as long as it is open: the limit counts what the server sees, idle
/// keep-alive connections included, and contention between silos rotates leases by the pool's turn rule. Listings,
/// HEADs and small ranged reads all go through <see cref="HttpRequestPipeline"/> on those connections (pipelined up to
/// <see cref="StorageAccessOptions.HttpPipelineDepth"/>); the standard handler (downloads, redirects, whatever the
/// pipeline sends back) rents its connections from the same pool and closes them when it is done with them. Before,
/// listings (handler) and reads (pipeline) each kept connections of their own and handed leases to each other through
/// the idle timeout.
/// </remarks>
public sealed partial class HttpStorageClient : IStorageClient
{
    /// <summary>Largest listing page read; a bigger one fails instead of exhausting memory.</summary>
    internal long MaxListingBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Most entries taken from one listing.</summary>
    internal int MaxEntries { get; init; } = 1_000_000;

    /// <summary>When and how often failed requests are tried again (tests shorten the waits).</summary>
    internal StorageRetryPolicy Retry { get; init; } = StorageRetryPolicy.Default;

    private const int MaxRedirects = 5;

    /// <summary>The standard handler closes a keep-alive connection unused this long, giving it back to the pool (closed).</summary>
    internal static readonly TimeSpan IdleConnectionTimeout = TimeSpan.FromSeconds(1);

    /// <summary>A pipelined connection waits this long for another request before going back to the pool, in step.</summary>
    internal static readonly TimeSpan PipelineLinger = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The pool closes a connection idle this long: under the 5 s keep-alive timeout of Apache and lighttpd, so a reused
    /// connection is rarely one the server is closing at that moment (the pool checks it first, and a request lost that
    /// way is resent).
    /// </summary>
    internal static readonly TimeSpan PoolIdleTimeout = TimeSpan.FromSeconds(3);

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
    private readonly GuardedConnector _connector;
    private readonly ConnectionPool<HttpWire> _pool;
    private readonly HttpRequestPipeline _pipeline;
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

        _connector = new GuardedConnector(guard, limiter, options.ConnectTimeout, ConnectionTurn);
        var endpoint = new DnsEndPoint(location.Host, location.Port);
        _pool = new ConnectionPool<HttpWire>(async token => new HttpWire(await _connector.ConnectAsync(endpoint, token).ConfigureAwait(false)),
            limiter, new ConnectionPoolOptions
            {
                MaxConnections = options.MaxConnectionsPerStorage,
                IdleTimeout = PoolIdleTimeout,
                TurnLength = ConnectionTurn,
            },
            isHealthy: static (wire, _, _) => ValueTask.FromResult(wire.LooksReusable()), logger: _logger);
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
            // The connect callback waits for the pool (maybe a turn), which applies ConnectTimeout to the TCP connect.
            ConnectTimeout = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = IdleConnectionTimeout,
            // No fixed lifetime: a connection gives its lease back when another silo needs it (see LeasedConnectionStream).
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            // When a read stops early (a 200 instead of a 206), close the connection instead of draining the rest of a big file.
            MaxResponseDrainSize = 0,
            ResponseDrainTimeout = TimeSpan.Zero,
            MaxResponseHeadersLength = 64,
            ConnectCallback = ConnectHandlerAsync,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = ValidateCertificate },
        };
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _pipeline = new HttpRequestPipeline(RentPipelinedAsync, options.MaxConnectionsPerStorage, options.HttpPipelineDepth, PipelineLinger,
            _authorization?.ToString(), PipelinedError, _logger);
    }

    /// <summary>False once the server answered a ranged request with the whole file (200); reads still stop early.</summary>
    public bool RangesSupported => Volatile.Read(ref _rangesUnsupported) == 0;

    public Task<StorageEntry?> StatAsync(string path, CancellationToken cancellationToken)
    {
        string normalized = StorageLocation.NormalizePath(path);
        var uri = ToUri(normalized, directory: false);
        return WithRetriesAsync($"checking \"{normalized}\"", async token =>
        {
            bool headRefused;
            if (await _pipeline.HeadAsync(uri, normalized, token).ConfigureAwait(false) is { } piped)
            {
                if (piped.Status is 404 or 410)
                    return null;
                if (piped.Status is >= 200 and < 300)
                    return PipelinedEntry(normalized, piped.ContentLength, piped.LastModified, piped.ETag);
                headRefused = IsHeadRefused(piped.Status);
                if (!headRefused)
                    throw PipelinedError(piped.Status, piped.RetryAfter, normalized, directory: false);
            }
            else
            {
                // A redirect (a directory without its '/') or an odd answer: the standard handler asks and follows.
                using var head = await SendAsync(HttpMethod.Head, uri, null, token).ConfigureAwait(false);
                if (head.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
                    return null;
                if (head.IsSuccessStatusCode)
                    return Describe(normalized, head, head.Content.Headers.ContentLength);
                headRefused = IsHeadRefused((int)head.StatusCode);
                if (!headRefused)
                    EnsureSuccess(head, normalized, directory: false);
            }

            // Some servers refuse HEAD; one byte of GET tells the same (Content-Range carries the length), pipelined when it can.
            if (_pipeline.Enabled && RangesSupported)
            {
                RangeReadResult? first;
                try
                {
                    first = await _pipeline.ReadAsync(uri, normalized, 0, new byte[1], token).ConfigureAwait(false);
                }
                catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
                {
                    return null;
                }
                if (first is { } answered)
                    return PipelinedEntry(normalized, answered.TotalLength ?? 0, answered.LastModified, answered.ETag);
            }
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
            if (_pipeline.Enabled && RangesSupported && buffer.Length <= MaxPipelinedRangeBytes
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
        await _pipeline.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
        await _pool.DisposeAsync().ConfigureAwait(false);
    }

    private static bool IsHeadRefused(int status) => status is 405 or 501 or 400 or 403;

    /// <summary>A file's facts from a response read on the pipeline (no redirect followed: only the root is a directory).</summary>
    private static StorageEntry PipelinedEntry(string path, long? length, DateTimeOffset? modified, string? etag)
    {
        var kind = path == "/" ? StorageEntryKind.Directory : StorageEntryKind.File;
        return new StorageEntry(StoragePaths.FileName(path), kind, kind == StorageEntryKind.File ? length : null, modified, etag,
            Source: StorageFactsSource.HttpResponse);
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

    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None || _trust.AcceptUnknown)
            return true;
        if (certificate is null)
            return false;
        string fingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(certificate.GetRawCertData())).TrimEnd('=');
        return _trust.PinnedFingerprints.Any(p => string.Equals(p.TrimEnd('='), fingerprint, StringComparison.Ordinal));
    }

}
