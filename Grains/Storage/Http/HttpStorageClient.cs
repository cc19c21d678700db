using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
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
public sealed partial class HttpStorageClient : IStorageClient
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

    /// <summary>False once the server answered a ranged request with the whole file (200); reads still stop early.</summary>
    public bool RangesSupported => Volatile.Read(ref _rangesUnsupported) == 0;

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
